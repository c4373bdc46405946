#!/usr/bin/env node
// Compile contracts/src/*.sol with the pinned solc and write one artifact per contract:
//   node contracts/build.js [outdir]      (default: sdk/og_alpha/artifacts)
// Deterministic: relative source unit names, no metadata (hash or CBOR), sorted output, so a
// rebuild is byte-identical and the test suite can check the committed artifacts are current.
// Exits non-zero, printing solc's messages, on any compile error.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require("solc");

const here = __dirname;
const root = path.resolve(here, "..");
const outDir = path.resolve(process.argv[2] || path.join(root, "sdk", "og_alpha", "artifacts"));
const srcDir = path.join(here, "src");
const EVM_VERSION = "cancun";
const RUNS = 200;

// Contracts that dispatch their calls by hand in `fallback` (hot paths): their artifact carries
// the ABI of the interface they implement. The contract's own ABI may hold nothing but the
// fallback and that interface's events, so a function added to it cannot go missing silently.
const ABI_FROM_INTERFACE = { InferenceHub: "IInferenceHub" };

function fail(message) {
  console.error(`build.js: ${message}`);
  process.exit(1);
}

const sources = {};
for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[`src/${file}`] = { content: fs.readFileSync(path.join(srcDir, file), "utf8") };
}
if (Object.keys(sources).length === 0) fail(`no .sol files in ${srcDir}`);

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: RUNS },
    evmVersion: EVM_VERSION,
    metadata: { bytecodeHash: "none", appendCBOR: false },
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

// Imports are relative ("./OGTypes.sol"), so they resolve to source units given above.
function findImports(p) {
  const full = path.join(here, p);
  return fs.existsSync(full) ? { contents: fs.readFileSync(full, "utf8") } : { error: `not found: ${p}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
for (const e of output.errors || []) console.error(e.formattedMessage);
if ((output.errors || []).some((e) => e.severity === "error")) fail("compilation failed");

const compiled = {};
for (const source of Object.keys(output.contracts).sort()) {
  for (const name of Object.keys(output.contracts[source]).sort()) {
    if (compiled[name]) fail(`two contracts are named ${name}`);
    compiled[name] = output.contracts[source][name];
  }
}

function abiOf(name) {
  const own = compiled[name].abi;
  const from = ABI_FROM_INTERFACE[name];
  if (!from) return own;
  if (!compiled[from]) fail(`${name} takes its ABI from ${from}, which is not compiled`);
  const abi = compiled[from].abi;
  const events = new Set(abi.filter((e) => e.type === "event").map((e) => JSON.stringify(e)));
  for (const entry of own) {
    if (entry.type === "fallback" || (entry.type === "event" && events.has(JSON.stringify(entry)))) continue;
    fail(`${name} takes its ABI from ${from} but also has ${entry.type} ${entry.name || ""}: add it to ${from}`);
  }
  return abi;
}

fs.mkdirSync(outDir, { recursive: true });
const compiler = { solc: solc.version(), evmVersion: EVM_VERSION, optimizerRuns: RUNS };
const written = [];
for (const name of Object.keys(compiled).sort()) {
  const c = compiled[name];
  if (c.abi.length === 0) continue; // libraries of constants only
  const artifact = { contractName: name, abi: abiOf(name) };
  if (c.evm.bytecode.object) {
    artifact.bytecode = "0x" + c.evm.bytecode.object;
    artifact.deployedBytecode = "0x" + c.evm.deployedBytecode.object;
  } // else an interface: its ABI only
  artifact.compiler = compiler;
  fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
  written.push(name);
}
// Artifacts of contracts that no longer exist would otherwise linger.
for (const file of fs.readdirSync(outDir).filter((f) => f.endsWith(".json")).sort()) {
  if (written.includes(file.slice(0, -5))) continue;
  let stale = false;
  try {
    stale = "contractName" in JSON.parse(fs.readFileSync(path.join(outDir, file), "utf8"));
  } catch (e) {
    // not an artifact: leave it
  }
  if (stale) {
    fs.unlinkSync(path.join(outDir, file));
    console.log(`removed stale ${file}`);
  }
}
console.log(`solc ${solc.version()}: wrote ${written.join(", ")} to ${path.relative(root, outDir) || outDir}`);
