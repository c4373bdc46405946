// Compile the anvil stand-in with the project's pinned solc; prints its runtime bytecode.
"use strict";
const fs = require("fs");
const path = require("path");
const solc = require(path.join(__dirname, "..", "contracts", "node_modules", "solc"));
const root = path.resolve(__dirname, "..");
const file = "bench/contracts/MockInferencePrecompile.sol";
const input = {
  language: "Solidity",
  sources: { [file]: { content: fs.readFileSync(path.join(root, file), "utf8") } },
  settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun",
    outputSelection: { "*": { "*": ["evm.deployedBytecode.object"] } } },
};
const resolve = (p) => {
  const full = path.resolve(root, path.dirname(file), p.startsWith(".") ? p : path.relative(path.dirname(file), p));
  const direct = path.resolve(root, p);
  for (const f of [direct, full]) if (fs.existsSync(f)) return { contents: fs.readFileSync(f, "utf8") };
  return { error: "not found: " + p };
};
const out = JSON.parse(solc.compile(JSON.stringify(input), { import: resolve }));
const errors = (out.errors || []).filter((e) => e.severity === "error");
if (errors.length) { for (const e of errors) console.error(e.formattedMessage); process.exit(1); }
process.stdout.write("0x" + out.contracts[file].MockInferencePrecompile.evm.deployedBytecode.object);
