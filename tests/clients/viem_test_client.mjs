// viem's test client (createTestClient, mode "anvil" or "hardhat") against og devnet, over
// http, with the public and wallet actions a dapp uses on the same client.
//   OG_DEV_KEYS=KEY0,KEY1,KEY2,KEY3 node viem_test_client.mjs RPC_URL MODE SCENARIO [ARGS...]
// Each scenario prints what it observed as JSON (bigints as decimal strings); the Python test
// asserts it. On failure, exits 1 and prints the error and the JSON-RPC traffic.
import { readFileSync } from "node:fs";
import {
  createTestClient,
  createWalletClient,
  decodeFunctionResult,
  encodeFunctionData,
  http,
  parseEther,
  parseGwei,
  publicActions,
  walletActions,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { foundry } from "viem/chains";
import { within } from "./traffic.mjs";

const [url, mode, scenario, ...args] = process.argv.slice(2);
// Only stops a hung run; the test asserts no timing.
const GIVE_UP_MS = 120_000;

// --- the JSON-RPC traffic, printed on failure ------------------------------------------------
const LONG_HEX = /0x[0-9a-fA-F]{200,}/g;
const traffic = [];
const shorten = (text) => text.replace(LONG_HEX, (hex) => `${hex.slice(0, 66)}…(${hex.length} chars)`);
const transport = http(url, {
  retryCount: 0, // a retried send could land twice; the node answers or the test fails
  timeout: GIVE_UP_MS,
  onFetchRequest: (_request, init) => void traffic.push(`>> ${shorten(String(init.body))}`),
  onFetchResponse: async (response) => void traffic.push(`<< ${shorten(await response.clone().text())}`),
});

function fail(error) {
  console.error(`${error?.stack ?? error}\n--- JSON-RPC traffic\n${traffic.join("\n")}`);
  process.exit(1);
}

// Dev accounts 0..3 of og devnet (its banner lists them), from the test: OG_DEV_KEYS=k0,k1,...
const KEYS = (process.env.OG_DEV_KEYS ?? "").split(",").filter(Boolean);
if (KEYS.length < 4) fail(new Error("OG_DEV_KEYS must name dev accounts 0..3's keys"));
const DEV = KEYS.map((key) => privateKeyToAccount(key));

const client = createTestClient({ chain: foundry, mode, transport, pollingInterval: 100 })
  .extend(publicActions)
  .extend(walletActions);
const walletFor = (account) => createWalletClient({ chain: foundry, account, transport });

const jsonable = (value) =>
  JSON.parse(JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
const wait = (hash, what = "a receipt") =>
  within(client.waitForTransactionReceipt({ hash, pollingInterval: 100 }), GIVE_UP_MS, what);
const receiptOf = (r) => ({
  hash: r.transactionHash,
  status: r.status,
  from: r.from,
  to: r.to,
  blockNumber: r.blockNumber,
  contractAddress: r.contractAddress,
  gasUsed: r.gasUsed,
  effectiveGasPrice: r.effectiveGasPrice,
});
const blockOf = (b) => ({
  number: b.number,
  timestamp: b.timestamp,
  baseFeePerGas: b.baseFeePerGas,
  gasLimit: b.gasLimit,
  miner: b.miner,
  transactions: b.transactions,
});
const latest = async () => blockOf(await client.getBlock({ blockTag: "latest" }));
const errorOf = async (promise) => {
  try {
    await promise;
    return null;
  } catch (error) {
    return { name: error.name, details: error.details ?? error.shortMessage ?? String(error) };
  }
};
const artifact = () => JSON.parse(readFileSync(args[0], "utf8"));

// --- scenarios -----------------------------------------------------------------------------
const scenarios = {
  // setBalance, impersonation (sendUnsignedTransaction and a wallet client with the address),
  // setNonce, setCode and setStorageAt.
  async accounts() {
    const [stranger, unsigned, receiver, nonced] = args.slice(1);
    const out = {};
    await client.setBalance({ address: stranger, value: parseEther("5") });
    out.balanceSet = await client.getBalance({ address: stranger });

    await client.impersonateAccount({ address: stranger });
    const viaWallet = await walletFor(stranger).sendTransaction({ to: receiver, value: parseEther("1") });
    out.walletReceipt = receiptOf(await wait(viaWallet));
    out.strangerAfterWallet = await client.getBalance({ address: stranger });
    out.receiverAfterWallet = await client.getBalance({ address: receiver });
    await client.stopImpersonatingAccount({ address: stranger });
    out.afterStop = await errorOf(walletFor(stranger).sendTransaction({ to: receiver, value: 1n }));

    // eth_sendUnsignedTransaction runs as `from` whoever that is (anvil)
    await client.setBalance({ address: unsigned, value: parseEther("2") });
    const viaUnsigned = await client.sendUnsignedTransaction({
      from: unsigned,
      to: receiver,
      value: parseEther("0.5"),
    });
    out.unsignedReceipt = receiptOf(await wait(viaUnsigned));
    out.unsignedTransaction = jsonable(await client.getTransaction({ hash: viaUnsigned }));

    // setNonce on an account whose key we hold: its next transaction carries that nonce
    const account = privateKeyToAccount(nonced);
    await client.setBalance({ address: account.address, value: parseEther("1") });
    await client.setNonce({ address: account.address, nonce: 41 });
    out.nonceSet = await client.getTransactionCount({ address: account.address });
    const sent = await walletFor(account).sendTransaction({ to: receiver, value: 1n });
    out.noncedTransaction = jsonable(await client.getTransaction({ hash: sent }));
    out.noncedReceipt = receiptOf(await wait(sent));
    out.nonceAfter = await client.getTransactionCount({ address: account.address });

    // setCode with ModelCaller's runtime, then setStorageAt: prediction() reads slot 1
    const { abi, deployedBytecode } = artifact();
    const at = args[5];
    await client.setCode({ address: at, bytecode: deployedBytecode.object });
    out.code = await client.getCode({ address: at });
    const packed = `0x${(3n).toString(16).padStart(32, "0")}${(1234n).toString(16).padStart(32, "0")}`;
    await client.setStorageAt({ address: at, index: 1, value: packed });
    out.slot1 = await client.getStorageAt({ address: at, slot: "0x1" });
    out.prediction = await client.readContract({ address: at, abi, functionName: "prediction" });
    return out;
  },

  // The next block's base fee, coinbase and gas limit; mine with an interval, increaseTime,
  // setNextBlockTimestamp; logging on and off.
  async blocks() {
    const [coinbase] = args;
    const out = {};
    await client.setNextBlockBaseFeePerGas({ baseFeePerGas: parseGwei("7") });
    await client.setCoinbase({ address: coinbase });
    const gasLimit = (await latest()).gasLimit;
    await client.setBlockGasLimit({ gasLimit: 45_000_000n });
    await client.mine({ blocks: 1 });
    out.edited = await latest();
    await client.setBlockGasLimit({ gasLimit });
    await client.mine({ blocks: 1 });
    out.gasLimitRestored = (await latest()).gasLimit;

    const before = await latest();
    await client.mine({ blocks: 3, interval: 60 });
    out.mined = [];
    for (let n = before.number + 1n; n <= before.number + 3n; n++) {
      out.mined.push(blockOf(await client.getBlock({ blockNumber: n })));
    }
    out.beforeMine = before;

    out.increased = await client.increaseTime({ seconds: 3600 });
    await client.mine({ blocks: 1 });
    out.afterIncrease = await latest();

    const next = out.afterIncrease.timestamp + 1000n;
    await client.setNextBlockTimestamp({ timestamp: next });
    await client.mine({ blocks: 2, interval: 10 });
    out.afterSetNext = [await client.getBlock({ blockNumber: out.afterIncrease.number + 1n }), await client.getBlock()]
      .map(blockOf);

    await client.setLoggingEnabled(false);
    await client.setLoggingEnabled(true);
    out.minGasPrice = await errorOf(client.setMinGasPrice({ gasPrice: parseGwei("1") }));
    return out;
  },

  // Automine off: transactions wait in the pool, the txpool methods show them, dropTransaction
  // removes one, mine includes the rest.
  async txpool() {
    const [receiver] = args;
    const out = {};
    await client.setAutomine(false);
    try {
      out.automineOff = await client.getAutomine();
      out.headBefore = await client.getBlockNumber();
      const hashes = [];
      for (const account of DEV.slice(1, 4)) {
        hashes.push(await walletFor(account).sendTransaction({ to: receiver, value: parseEther("0.25") }));
      }
      out.hashes = hashes;
      out.senders = DEV.slice(1, 4).map((a) => a.address);
      out.headWhileQueued = await client.getBlockNumber();
      out.receiptWhileQueued = await errorOf(client.getTransactionReceipt({ hash: hashes[0] }));
      out.status = await client.getTxpoolStatus();
      out.content = jsonable(await client.getTxpoolContent());
      out.inspect = await client.inspectTxpool();
      await client.dropTransaction({ hash: hashes[1] });
      out.statusAfterDrop = await client.getTxpoolStatus();
      out.dropped = await errorOf(client.getTransaction({ hash: hashes[1] }));
      await client.mine({ blocks: 1 });
      out.minedBlock = await latest();
      out.receipts = [];
      for (const hash of [hashes[0], hashes[2]]) out.receipts.push(receiptOf(await wait(hash)));
      out.statusAfterMine = await client.getTxpoolStatus();
    } finally {
      await client.setAutomine(true);
    }
    out.automineOn = await client.getAutomine();
    return out;
  },

  // Interval mining: blocks come without transactions until it is switched off.
  async intervalMining() {
    const start = await client.getBlockNumber();
    const seen = [];
    const reached = new Promise((resolve) => {
      const stop = client.watchBlockNumber({
        emitMissed: true,
        poll: true,
        pollingInterval: 100,
        onBlockNumber: (n) => {
          if (n > start) seen.push(n);
          if (n >= start + 2n) {
            stop();
            resolve();
          }
        },
      });
    });
    await client.setIntervalMining({ interval: 1 });
    try {
      await within(reached, GIVE_UP_MS, "two interval-mined blocks");
    } finally {
      await client.setIntervalMining({ interval: 0 });
    }
    const blocks = [];
    for (let n = start; n <= start + 2n; n++) blocks.push(blockOf(await client.getBlock({ blockNumber: n })));
    return { start, seen, blocks };
  },

  // snapshot, then changes (a balance, a deployment, blocks), then revert.
  async snapshot() {
    const [stranger, cid] = args.slice(1);
    const { abi, bytecode } = artifact();
    const out = {};
    out.before = await latest();
    out.balanceBefore = await client.getBalance({ address: stranger });
    out.id = await client.snapshot();
    await client.setBalance({ address: stranger, value: parseEther("9") });
    const deployed = await walletFor(DEV[0]).deployContract({ abi, bytecode: bytecode.object, args: [cid] });
    out.deployment = receiptOf(await wait(deployed));
    await client.mine({ blocks: 2 });
    out.changed = { block: await latest(), balance: await client.getBalance({ address: stranger }) };
    await client.revert({ id: out.id });
    out.after = await latest();
    out.balanceAfter = await client.getBalance({ address: stranger });
    out.codeAfter = (await client.getCode({ address: out.deployment.contractAddress })) ?? null;
    out.deploymentAfter = await errorOf(client.getTransactionReceipt({ hash: deployed }));
    return out;
  },

  // What a dapp does: deploy, estimate, simulate, send a transaction that runs the model,
  // read the receipt, the logs, the block, the stored output, and watch new blocks by polling.
  async dapp() {
    const [cid, x0, x1, x2, decimals] = args.slice(1);
    const { abi, bytecode } = artifact();
    const wallet = walletFor(DEV[0]);
    const out = {};
    const deployed = await wallet.deployContract({ abi, bytecode: bytecode.object, args: [cid] });
    const deployment = receiptOf(await wait(deployed, "the deployment"));
    const address = deployment.contractAddress;
    out.deployment = deployment;
    const predict = {
      address,
      abi,
      functionName: "predict",
      args: [[BigInt(x0), BigInt(x1), BigInt(x2)], BigInt(decimals)],
    };
    out.estimate = await client.estimateContractGas({ ...predict, account: DEV[0] });
    out.simulated = (await client.simulateContract({ ...predict, account: DEV[0] })).result;
    const hash = await wallet.writeContract(predict);
    const receipt = await wait(hash, "the prediction");
    out.receipt = receiptOf(receipt);
    out.receiptAgain = receiptOf(await client.getTransactionReceipt({ hash }));
    const events = await client.getContractEvents({
      address,
      abi,
      eventName: "Predicted",
      fromBlock: 0n,
      toBlock: "latest",
    });
    out.logs = jsonable(
      events.map((log) => ({
        args: log.args,
        transactionHash: log.transactionHash,
        blockNumber: log.blockNumber,
        address: log.address,
      })),
    );
    const block = await client.getBlock({ blockNumber: receipt.blockNumber, includeTransactions: true });
    out.block = { number: block.number, hash: block.hash, transactions: block.transactions.map((t) => t.hash) };
    out.prediction = await client.readContract({ address, abi, functionName: "prediction" });
    const { data } = await client.call({ to: address, data: encodeFunctionData({ abi, functionName: "prediction" }) });
    out.call = decodeFunctionResult({ abi, functionName: "prediction", data });
    // a selector ModelCaller does not have: the call reverts
    out.badCall = await errorOf(client.call({ to: address, data: "0xdeadbeef" }));
    out.estimateTransfer = await client.estimateGas({ account: DEV[0], to: DEV[1].address, value: 1n });
    out.address = address;

    // watchBlockNumber over http (polling): the current number, then every block mined after
    const start = await client.getBlockNumber();
    const seen = [];
    let first;
    const firstSeen = new Promise((resolve) => (first = resolve));
    const done = new Promise((resolve) => {
      const stop = client.watchBlockNumber({
        emitOnBegin: true,
        emitMissed: true,
        poll: true,
        pollingInterval: 100,
        onBlockNumber: (n) => {
          seen.push(n);
          first();
          if (n >= start + 3n) {
            stop();
            resolve();
          }
        },
      });
    });
    await within(firstSeen, GIVE_UP_MS, "the first block number");
    await client.mine({ blocks: 3 });
    await within(done, GIVE_UP_MS, "three more block numbers");
    out.watch = { start, seen };
    return out;
  },

  // reset: back to the genesis block, with the node's models still there.
  async reset() {
    const [receiver] = args;
    const out = {};
    const hash = await walletFor(DEV[0]).sendTransaction({ to: receiver, value: 1n });
    await wait(hash);
    out.before = await client.getBlockNumber();
    await client.reset();
    out.after = await latest();
    out.genesis = blockOf(await client.getBlock({ blockNumber: 0n }));
    out.nonce = await client.getTransactionCount({ address: DEV[0].address });
    out.transaction = await errorOf(client.getTransaction({ hash }));
    out.automine = await client.getAutomine();
    return out;
  },

  // dumpState here; loadState into another node (args: its URL).
  async dump() {
    return { state: await client.dumpState(), block: await latest() };
  },
  async load() {
    const [state] = args;
    await client.loadState({ state: readFileSync(state, "utf8").trim() });
    return { block: await latest() };
  },
  async dumpRefused() {
    return { dump: await errorOf(client.dumpState()) };
  },
};

try {
  const run = scenarios[scenario];
  if (run === undefined) throw new Error(`unknown scenario ${scenario}`);
  const version = await client.request({ method: "web3_clientVersion" });
  const observed = await run();
  console.log(JSON.stringify(jsonable({ version, ...observed })));
} catch (error) {
  fail(error);
}
