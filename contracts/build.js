#!/usr/bin/env node
// Compile contracts/src/*.sol with the pinned solc and write one artifact per contract:
//   node contracts/build.js [outdir]      (default: sdk/og_alpha/artifacts)
// Deterministic: relative source names, no metadata hash, sorted output, so a rebuild is
// byte-identical and the test suite can check the committed artifacts are current.
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

const sources = {};
for (const file of fs.readdirSync(srcDir).filter((f) => f.endsWith(".sol")).sort()) {
  sources[`src/${file}`] = { content: fs.readFileSync(path.join(srcDir, file), "utf8") };
}

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

function findImports(p) {
  const full = path.join(here, p);
  return fs.existsSync(full) ? { contents: fs.readFileSync(full, "utf8") } : { error: `not found: ${p}` };
}

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) console.error(e.formattedMessage);
if (errors.length) process.exit(1);

fs.mkdirSync(outDir, { recursive: true });
const written = [];
for (const source of Object.keys(output.contracts).sort()) {
  for (const name of Object.keys(output.contracts[source]).sort()) {
    const c = output.contracts[source][name];
    if (c.abi.length === 0) continue; // libraries of constants only
    const artifact = {
      contractName: name,
      sourceName: source,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
      compiler: { solc: solc.version(), evmVersion: EVM_VERSION, optimizerRuns: RUNS },
    };
    fs.writeFileSync(path.join(outDir, `${name}.json`), JSON.stringify(artifact, null, 2) + "\n");
    written.push(name);
  }
}
console.log(`solc ${solc.version()}: wrote ${written.join(", ")} to ${path.relative(root, outDir) || outDir}`);
