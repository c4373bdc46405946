// ethers 6 WebSocketProvider against og devnet: "block" events and contract event filters
// (all Pings, and Pings with tag 7) delivered by eth_subscribe.
//   node websocket_ethers.mjs WS_URL PING_ADDRESS PRIVATE_KEY
// Sends Ping(7, 100), Ping(8, 200), Ping(7, 300) over the same socket and prints, as JSON,
// what it sent and what each listener received; the Python test checks it against the chain.
import { AbiCoder, Contract, WebSocketProvider, Wallet } from "ethers";
import { counted, run } from "./websocket_pings.mjs";

const [url, address, key] = process.argv.slice(2);

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

await run({
  seen,
  ping,
  started: () => seen.blocks.length && seen.all.length && seen.tagged.length,
  received: (sent) =>
    sent.every((s) => seen.blocks.includes(s.block)) && counted(seen.all) === 3 && counted(seen.tagged) === 2,
});
