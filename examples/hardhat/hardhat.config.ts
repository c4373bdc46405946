import path from "node:path";

import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatNodeTestRunner from "@nomicfoundation/hardhat-node-test-runner";
import { defineConfig } from "hardhat/config";

import rpcLog from "./rpc-log.js";

// The repository's pinned solc 0.8.28 (solc-js from npm: contracts/package.json, installed by
// `make test` or `cd ../../contracts && npm ci`): Hardhat runs a JavaScript compiler named by
// `path` as solc-js, so it never downloads one. With internet access, drop `path`.
const SOLC = path.resolve(import.meta.dirname, "../../contracts/node_modules/solc/soljson.js");

// Where `og devnet` listens (its default), unless OG_DEVNET_URL says otherwise.
const OG_DEVNET_URL = process.env.OG_DEVNET_URL ?? "http://127.0.0.1:8545";

// Build output: here by default; the repository's tests put it in a temporary directory.
const BUILD_DIR = process.env.HARDHAT_BUILD_DIR;

export default defineConfig({
  plugins: [hardhatEthers, hardhatNetworkHelpers, hardhatNodeTestRunner, rpcLog],
  solidity: {
    version: "0.8.28",
    path: SOLC,
    settings: {
      // Decoding the precompile's ModelOutput (nested dynamic structs) needs the IR pipeline.
      viaIR: true,
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  },
  networks: {
    // `og devnet --models fixtures/models`: its dev accounts sign (eth_accounts), as with anvil.
    ogDevnet: { type: "http", chainType: "l1", url: OG_DEVNET_URL },
  },
  ...(BUILD_DIR === undefined
    ? {}
    : {
        paths: {
          artifacts: path.join(BUILD_DIR, "artifacts"),
          cache: path.join(BUILD_DIR, "cache"),
        },
      }),
});
