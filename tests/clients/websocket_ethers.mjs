// ethers 6 WebSocketProvider against og devnet: "block" events and contract event filters
// (all Pings, and Pings with tag 7) delivered by eth_subscribe.
//   node websocket_ethers.mjs WS_URL PING_ADDRESS PRIVATE_KEY
// Sends Ping(7, 100), Ping(8, 200), Ping(7, 300) over the same socket and prints, as JSON,
// what it sent and what each listener received; the Python test checks it against the chain.
import { Contract, WebSocketProvider, Wallet, AbiCoder } from "ethers";

const [url, address, key] = process.argv.slice(2);
const GIVE_UP_MS = 60_000; // only stops a hung run; nothing here measures time
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const provider = new WebSocketProvider(url);
const wallet = new Wallet(key, provider);
const contract = new Contract(address, ["event Ping(uint256 indexed tag, uint256 value)"], provider);
const seen = { blocks: [], all: [], tagged: [] };
// the listener's last argument is the event payload (with a topic filter, the only one)
const entry = (...args) => {
  const event = args[args.length - 1];
  return {
    tag: Number(event.args.tag),
    value: Number(event.args.value),
    hash: event.log.transactionHash,
    block: event.log.blockNumber,
  };
};
await provider.on("block", (number) => seen.blocks.push(number));
await contract.on("Ping", (...args) => seen.all.push(entry(...args)));
await contract.on(contract.filters.Ping(7n), (...args) => seen.tagged.push(entry(...args)));

// ethers caches identical requests for 250 ms: counting nonces here, not asking each time
let nonce = await provider.getTransactionCount(wallet.address, "pending");

async function ping(tag, value) {
  const data = AbiCoder.defaultAbiCoder().encode(["uint256", "uint256"], [tag, value]);
  const tx = await wallet.sendTransaction({ to: address, data, nonce: nonce++ });
  // asked on the same socket after the block was mined: its notifications are queued first
  const receipt = await provider.send("eth_getTransactionReceipt", [tx.hash]);
  return { hash: tx.hash, block: Number(receipt.blockNumber) };
}

async function until(done, what) {
  const deadline = Date.now() + GIVE_UP_MS;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${JSON.stringify(seen)}`);
    await sleep(20);
  }
}

try {
  // ethers subscribes in the background: ping with value 0 until every listener has heard one
  let rounds = 0;
  while (!(seen.blocks.length && seen.all.length && seen.tagged.length)) {
    if (++rounds > 100) throw new Error(`listeners never started: ${JSON.stringify(seen)}`);
    await ping(7, 0);
    await sleep(50);
  }
  const sent = [];
  for (const [tag, value] of [[7, 100], [8, 200], [7, 300]]) sent.push({ tag, value, ...(await ping(tag, value)) });
  const counted = (list) => list.filter((e) => e.value > 0).length;
  await until(
    () =>
      sent.every((s) => seen.blocks.includes(s.block)) && counted(seen.all) === 3 && counted(seen.tagged) === 2,
    "the three pings",
  );
  console.log(JSON.stringify({ sent, ...seen }));
  await provider.destroy();
  process.exit(0);
} catch (error) {
  console.error(error);
  process.exit(1);
}
