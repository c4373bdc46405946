#!/usr/bin/env node
// The repository's pinned solc (solc-js 0.8.28 from npm, contracts/package.json) behind the
// command line forge expects of a native `solc` binary, so forge builds offline:
//   solc.js --version                                   the version, as native solc prints it
//   solc.js [--base-path P] [--include-path P]... [--allow-paths P,...] --standard-json
//                                                       standard JSON input on stdin -> output
// foundry.toml names it (`solc = "solc.js"`); `make test` installs solc (contracts/node_modules).
// As native solc in --standard-json mode: compile errors are in the JSON output and the exit
// code is 0; a bad command line exits 1 with a message on stderr.
"use strict";
const fs = require("fs");
const path = require("path");

const SOLC_MODULE = path.resolve(__dirname, "..", "..", "contracts", "node_modules", "solc");

function usage(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function loadSolc() {
  try {
    return require(SOLC_MODULE);
  } catch (error) {
    usage(`solc.js: cannot load solc from ${SOLC_MODULE} (run \`make test\` or ` +
      `\`cd contracts && npm ci\`): ${error.message}`);
  }
}

// Options that take a value, as `--name value` or `--name=value`.
const WITH_VALUE = new Set(["--base-path", "--include-path", "--allow-paths"]);

function parseArgs(argv) {
  const options = { version: false, standardJson: false, basePath: null, includePaths: [] };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value = null;
    const eq = arg.indexOf("=");
    if (arg.startsWith("--") && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    if (WITH_VALUE.has(arg) && value === null) {
      if (i + 1 >= argv.length) usage(`the argument for option '${arg}' should follow immediately after it`);
      value = argv[++i];
    }
    switch (arg) {
      case "--version":
        options.version = true;
        break;
      case "--standard-json":
        options.standardJson = true;
        break;
      case "--base-path":
        options.basePath = value;
        break;
      case "--include-path":
        options.includePaths.push(value);
        break;
      case "--allow-paths":
        break; // solc-js reads files only through the callback below, which stays in these roots
      case "-":
        break; // stdin, as standard JSON input always is here
      default:
        usage(`unrecognised option '${argv[i]}' (this wrapper supports --version and --standard-json)`);
    }
  }
  return options;
}

function readStdin() {
  return fs.readFileSync(0, "utf8");
}

// Source unit names not given in the input are looked up as native solc does: under the base
// path (default: the working directory), then under each include path.
function importCallback(options) {
  const roots = [path.resolve(options.basePath || "."), ...options.includePaths.map((p) => path.resolve(p))];
  return (unit) => {
    const candidates = path.isAbsolute(unit) ? [unit] : roots.map((root) => path.join(root, unit));
    for (const file of candidates) {
      if (fs.existsSync(file) && fs.statSync(file).isFile()) return { contents: fs.readFileSync(file, "utf8") };
    }
    return { error: `File not found. Searched the following locations: ${roots.map((r) => JSON.stringify(r)).join(", ")}.` };
  };
}

const options = parseArgs(process.argv.slice(2));
if (options.version) {
  const solc = loadSolc();
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (options.standardJson) {
  const solc = loadSolc();
  const output = solc.compile(readStdin(), { import: importCallback(options) });
  process.stdout.write(output.endsWith("\n") ? output : `${output}\n`);
} else {
  usage("solc.js: only --version and --standard-json are supported");
}
