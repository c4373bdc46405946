// ModelCaller and a scheduled workflow on og devnet, with Hardhat's network helpers.
//   og devnet --models fixtures/models              (from the repository root)
//   npx hardhat test --network ogDevnet             (here)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";

import { network } from "hardhat";

const { ethers, networkHelpers } = await network.getOrCreate();
const { time } = networkHelpers;

// fixtures/models/linear.onnx (x: float [1, 3] -> y = x @ [0.5, -1.25, 2.0] + 0.1), which
// `og devnet --models fixtures/models` serves; its CID is `og model cid fixtures/models/linear.onnx`.
const LINEAR_CID = "QmQqjVpP7r7njiiUXy9nidzaqt1C4q6DDpuYprmVoJgd8v";
const PRECOMPILE = "0x00000000000000000000000000000000000000F4";
const SCHEDULER = "0x7179724De4e7FF9271FA40C0337c7f90C0508eF6";

// The ABIs the Python SDK ships (sdk/og_alpha/artifacts), built from contracts/src.
function shippedAbi(name: string): ethers.InterfaceAbi {
  const file = path.resolve(import.meta.dirname, `../../../sdk/og_alpha/artifacts/${name}.json`);
  return JSON.parse(readFileSync(file, "utf8")).abi;
}
const precompile = new ethers.Interface(shippedAbi("IInferencePrecompile"));

// A number as the network gives it: value * 10**-decimals, as a decimal string.
function decimal(value: bigint, decimals: bigint): string {
  return ethers.formatUnits(value, decimals);
}

// A fixture: loadFixture runs it once, then gives every later caller the chain as it left it
// (evm_snapshot/evm_revert). It must be a named function.
async function deployModelCaller() {
  const caller = await ethers.deployContract("ModelCaller", [LINEAR_CID]);
  await caller.waitForDeployment();
  return { caller };
}

async function deployWorkflow() {
  const { caller } = await deployModelCaller();
  const predictor = await ethers.deployContract("ScheduledPredictor", [await caller.getAddress()]);
  await predictor.waitForDeployment();
  return { caller, predictor };
}

describe("ModelCaller on og devnet", () => {
  it("runs the model in a transaction and stores its output", async () => {
    const { caller } = await networkHelpers.loadFixture(deployModelCaller);
    const [account] = await ethers.getSigners();

    // x = [1, 2, 3] -> y = 0.5 - 2.5 + 6 + 0.1 = 4.1
    const [value, decimals] = await caller.predict.staticCall([1, 2, 3], 0);
    assert.equal(decimal(value, decimals), "4.1");

    const receipt = await (await caller.predict([1, 2, 3], 0)).wait();
    assert.equal(receipt?.status, 1);
    assert.deepEqual([...(await caller.prediction())], [41n, 1n]);
    assert.equal(await caller.predictions(), 1n);

    const predicted = receipt!.logs
      .map((log) => caller.interface.parseLog(log))
      .find((event) => event?.name === "Predicted");
    assert.equal(predicted?.args.caller, account.address);
    assert.equal(decimal(predicted?.args.value, predicted?.args.decimals), "4.1");

    // The precompile logs the request and the whole ModelOutput. A tensor's field is named
    // `values`, which on an ethers Result is Array.prototype.values: read it with getValue.
    const inference = receipt!.logs
      .filter((log) => log.address.toLowerCase() === PRECOMPILE.toLowerCase())
      .map((log) => precompile.parseLog(log))
      .find((event) => event?.name === "ModelInferenceEvent");
    assert.equal(inference?.args.request.modelCID, LINEAR_CID);
    const y = inference?.args.response.numbers[0];
    assert.equal(y.name, "y");
    assert.equal(typeof y.values, "function");
    const [number] = y.getValue("values");
    assert.equal(decimal(number.value, number.decimals), "4.1");
    assert.deepEqual([...y.shape], [1n, 1n]);
  });

  it("loadFixture starts every test from the fixture's chain", async () => {
    const { caller } = await networkHelpers.loadFixture(deployModelCaller);
    // the previous test's prediction was reverted with the chain
    assert.equal(await caller.predictions(), 0n);
    assert.deepEqual([...(await caller.prediction())], [0n, 0n]);
    await (await caller.predict([10, 0, 0], 0)).wait();
    assert.deepEqual([...(await caller.prediction())], [51n, 1n]); // 0.5 * 10 + 0.1
  });

  it("runs a scheduled workflow when time.increase, time.increaseTo and mine pass its due times", async () => {
    const { caller, predictor } = await networkHelpers.loadFixture(deployWorkflow);
    const scheduler = new ethers.Contract(SCHEDULER, shippedAbi("WorkflowScheduler"), (await ethers.getSigners())[0]);

    const registered = await (
      await scheduler.registerTask(await predictor.getAddress(), (await time.latest()) + 100_000, 600)
    ).wait();
    const start = (await ethers.provider.getBlock(registered!.blockNumber))!.timestamp;
    assert.equal(await predictor.runs(), 0n);

    // one block, an hour later: the six runs due on the way happen first, each at its time
    assert.equal(await time.increase(3600), start + 3600);
    assert.equal(await predictor.runs(), 6n);
    assert.equal(await predictor.lastRunAt(), BigInt(start + 3600));
    assert.equal(await caller.predictions(), 6n);
    assert.deepEqual([...(await caller.prediction())], [31n, 1n]); // run 6: 0.5 * 6 + 0.1

    await time.increaseTo(start + 5400);
    assert.equal(await time.latest(), start + 5400);
    assert.equal(await predictor.runs(), 9n);

    const before = await ethers.provider.getBlockNumber();
    await networkHelpers.mine(3, { interval: 600 });
    assert.equal(await time.latest(), start + 7200);
    assert.equal(await predictor.runs(), 12n);
    assert.ok((await ethers.provider.getBlockNumber()) >= before + 3);
    assert.deepEqual([...(await caller.prediction())], [61n, 1n]); // run 12: 0.5 * 12 + 0.1
  });

  it("takeSnapshot and restore undo a funded, impersonated account's transactions", async () => {
    const { caller } = await networkHelpers.loadFixture(deployModelCaller);
    const stranger = "0x6666666666666666666666666666666666666666";
    const snapshot = await networkHelpers.takeSnapshot();
    const blockBefore = await ethers.provider.getBlockNumber();

    await networkHelpers.setBalance(stranger, ethers.parseEther("10"));
    assert.equal(await ethers.provider.getBalance(stranger), ethers.parseEther("10"));

    await networkHelpers.impersonateAccount(stranger);
    const impersonated = await ethers.getSigner(stranger);
    const receipt = await (await caller.connect(impersonated).predict([2, 0, 0], 0)).wait();
    assert.equal(receipt?.status, 1);
    assert.equal(receipt?.from, ethers.getAddress(stranger));
    const predicted = caller.interface.parseLog(receipt!.logs.find((log) => log.address === receipt!.to)!);
    assert.equal(predicted?.args.caller, ethers.getAddress(stranger));
    assert.deepEqual([...(await caller.prediction())], [11n, 1n]); // 0.5 * 2 + 0.1
    const paid = receipt!.gasUsed * receipt!.gasPrice;
    assert.equal(await ethers.provider.getBalance(stranger), ethers.parseEther("10") - paid);
    await networkHelpers.stopImpersonatingAccount(stranger);

    await snapshot.restore();
    assert.equal(await ethers.provider.getBlockNumber(), blockBefore);
    assert.equal(await ethers.provider.getBalance(stranger), 0n);
    assert.equal(await caller.predictions(), 0n);
  });
});
