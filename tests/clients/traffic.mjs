// The JSON-RPC requests and answers an ethers provider exchanged (from its "debug" events),
// printed when a script fails, so a failing test says which call the node answered wrongly.

const LONG_HEX = /0x[0-9a-fA-F]{200,}/g;

function shorten(value) {
  return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v))
    .replace(LONG_HEX, (hex) => `${hex.slice(0, 66)}…(${hex.length} chars)`);
}

export function recordTraffic(provider) {
  const lines = [];
  const newFilterIds = new Set();
  const waiters = [];
  provider.on("debug", (event) => {
    if (event.action === "sendRpcPayload") {
      lines.push(`>> ${shorten(event.payload)}`);
      for (const p of [event.payload].flat()) if (p.method === "eth_newFilter") newFilterIds.add(p.id);
    } else if (event.action === "receiveRpcResult") {
      lines.push(`<< ${shorten(event.result)}`);
      for (const r of [event.result].flat()) {
        if (!newFilterIds.has(r.id)) continue;
        const answer = r.error ? new Error(`eth_newFilter: ${shorten(r.error)}`) : r.result;
        for (const [resolve, reject] of waiters.splice(0)) (r.error ? reject : resolve)(answer);
      }
    } else if (event.action === "receiveRpcError") {
      lines.push(`<< error ${shorten(event.error?.message ?? event.error)}`);
    }
  });
  return {
    lines,
    // resolves with the filter id once the node has answered an eth_newFilter
    filterInstalled: () => new Promise((resolve, reject) => waiters.push([resolve, reject])),
    fail(error) {
      console.error(`${error?.stack ?? error}\n--- JSON-RPC traffic\n${lines.join("\n")}`);
      process.exit(1);
    },
  };
}

// Only stops a hung run (a test asserts no timing): rejects if %%promise%% has not settled.
export function within(promise, ms, what) {
  let timer;
  const giveUp = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`gave up waiting for ${what}`)), ms);
  });
  return Promise.race([promise, giveUp]).finally(() => clearTimeout(timer));
}
