// ethers 6: an event subscription (contract.on over the HTTP provider, which installs a filter
// with eth_newFilter and polls eth_getFilterChanges), then a transaction that emits the event.
//   node events.mjs RPC_URL PRIVATE_KEY ARTIFACT_JSON ADDRESS X0,X1,X2 DECIMALS
// Prints {"event": {...}, "receipt": {...}} as JSON. On failure, exits 1 and prints the
// JSON-RPC traffic.
import { readFileSync } from "node:fs";
import { Contract, JsonRpcProvider, Wallet } from "ethers";
import { recordTraffic, within } from "./traffic.mjs";

const [url, key, artifactPath, address, xs, decimals] = process.argv.slice(2);
const artifact = JSON.parse(readFileSync(artifactPath, "utf8"));
const provider = new JsonRpcProvider(url, undefined, { pollingInterval: 250 });
const traffic = recordTraffic(provider);
// Only stops a hung run; the test asserts no timing.
const GIVE_UP_MS = 120_000;

try {
  const wallet = new Wallet(key, provider);
  const contract = new Contract(address, artifact.abi, wallet);

  const installed = traffic.filterInstalled();
  const received = new Promise((resolve) => {
    contract.on("Predicted", (caller, value, outDecimals, payload) => {
      resolve({
        caller,
        value: value.toString(),
        decimals: outDecimals.toString(),
        transactionHash: payload.log.transactionHash,
        blockNumber: payload.log.blockNumber,
        address: payload.log.address,
      });
    });
  });
  await within(installed, GIVE_UP_MS, "eth_newFilter"); // the filter exists before the transaction is sent

  const tx = await contract.predict(xs.split(",").map(BigInt), BigInt(decimals));
  const receipt = await within(tx.wait(), GIVE_UP_MS, "the transaction's receipt");
  const event = await within(received, GIVE_UP_MS, "the Predicted event");
  await contract.removeAllListeners();
  const mined = { hash: receipt.hash, status: receipt.status, blockNumber: receipt.blockNumber };
  console.log(JSON.stringify({ event, receipt: mined }));
  provider.destroy();
} catch (error) {
  traffic.fail(error);
}
