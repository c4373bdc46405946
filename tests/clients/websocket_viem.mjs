// viem's webSocket transport against og devnet: watchBlocks, watchPendingTransactions,
// watchEvent (Pings with tag 7) and watchContractEvent (all Pings), all by eth_subscribe.
//   node websocket_viem.mjs WS_URL PING_ADDRESS PRIVATE_KEY
// Sends Ping(7, 100), Ping(8, 200), Ping(7, 300) as raw transactions signed by the key, over
// the same socket, and prints as JSON what it sent and what each watcher received.
import {
  createPublicClient,
  createWalletClient,
  defineChain,
  encodeAbiParameters,
  parseAbiItem,
  webSocket,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { counted, run } from "./websocket_pings.mjs";

const [url, address, key] = process.argv.slice(2);

const chain = defineChain({
  id: 31337,
  name: "og devnet",
  nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [url.replace(/^ws/, "http")], webSocket: [url] } },
});
const transport = webSocket(url, { retryCount: 0 });
const client = createPublicClient({ chain, transport });
const wallet = createWalletClient({ account: privateKeyToAccount(key), chain, transport });
const event = parseAbiItem("event Ping(uint256 indexed tag, uint256 value)");
const seen = { blocks: [], pending: [], all: [], tagged: [], errors: [] };
const onError = (error) => seen.errors.push(String(error));
const entry = (log) => ({
  tag: Number(log.args.tag),
  value: Number(log.args.value),
  hash: log.transactionHash,
  block: Number(log.blockNumber),
});

client.watchBlocks({ onBlock: (b) => seen.blocks.push({ number: Number(b.number), hash: b.hash }), onError });
client.watchPendingTransactions({ onTransactions: (hashes) => seen.pending.push(...hashes), onError });
client.watchEvent({ address, event, args: { tag: 7n }, onLogs: (logs) => seen.tagged.push(...logs.map(entry)), onError });
client.watchContractEvent({
  address,
  abi: [event],
  eventName: "Ping",
  onLogs: (logs) => seen.all.push(...logs.map(entry)),
  onError,
});

async function ping(tag, value) {
  const data = encodeAbiParameters([{ type: "uint256" }, { type: "uint256" }], [BigInt(tag), BigInt(value)]);
  const request = await wallet.prepareTransactionRequest({ to: address, data });
  const raw = await wallet.signTransaction(request);
  const hash = await client.sendRawTransaction({ serializedTransaction: raw });
  // asked on the same socket after the block was mined: its notifications are queued first
  const receipt = await client.getTransactionReceipt({ hash });
  return { hash, block: Number(receipt.blockNumber) };
}

await run({
  seen,
  ping,
  started: () => seen.blocks.length && seen.pending.length && seen.all.length && seen.tagged.length,
  received: (sent) =>
    sent.every((s) => seen.blocks.some((b) => b.number === s.block) && seen.pending.includes(s.hash)) &&
    counted(seen.all) === 3 &&
    counted(seen.tagged) === 2,
});
