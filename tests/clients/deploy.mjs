// ethers 6: ContractFactory.deploy().waitForDeployment() against og devnet.
//   node deploy.mjs RPC_URL PRIVATE_KEY ARTIFACT_JSON MODEL_CID
// Prints {"address", "hash"} as JSON. On failure, exits 1 and prints the JSON-RPC traffic.
import { readFileSync } from "node:fs";
import { ContractFactory, JsonRpcProvider, Wallet } from "ethers";
import { recordTraffic, within } from "./traffic.mjs";

const [url, key, artifactPath, cid] = process.argv.slice(2);
const artifact = JSON.parse(readFileSync(artifactPath, "utf8"));
const provider = new JsonRpcProvider(url, undefined, { pollingInterval: 250 });
const traffic = recordTraffic(provider);
// Only stops a hung run; the test asserts no timing.
const GIVE_UP_MS = 120_000;

try {
  const wallet = new Wallet(key, provider);
  const factory = new ContractFactory(artifact.abi, artifact.bytecode.object, wallet);
  const contract = await factory.deploy(cid);
  await within(contract.waitForDeployment(), GIVE_UP_MS, "waitForDeployment()");
  const hash = contract.deploymentTransaction().hash;
  console.log(JSON.stringify({ address: await contract.getAddress(), hash }));
  provider.destroy();
} catch (error) {
  traffic.fail(error);
}
