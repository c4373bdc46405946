// Records every JSON-RPC request Hardhat sends and the answer it gets, one line each, in the
// file named by OG_RPC_LOG (nothing is recorded without it):
//   OG_RPC_LOG=rpc.log npx hardhat test --network ogDevnet
// When a test fails on og devnet, this says which call the node answered wrongly.
import { appendFileSync } from "node:fs";

import type { HardhatPlugin } from "hardhat/types/plugins";

const LOG = process.env.OG_RPC_LOG;

function line(direction: string, message: unknown): string {
  const text = JSON.stringify(message, (_, v) => (typeof v === "bigint" ? v.toString() : v));
  return `${direction} ${text}\n`;
}

const rpcLog: HardhatPlugin = {
  id: "og-rpc-log",
  hookHandlers: {
    network: async () => ({
      default: async () => ({
        async onRequest(context, connection, request, next) {
          if (LOG === undefined) return await next(context, connection, request);
          appendFileSync(LOG, line(">>", request));
          try {
            const response = await next(context, connection, request);
            appendFileSync(LOG, line("<<", response));
            return response;
          } catch (error) {
            appendFileSync(LOG, line("<< thrown", String(error)));
            throw error;
          }
        },
      }),
    }),
  },
};

export default rpcLog;
