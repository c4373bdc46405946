// The run both WebSocket scripts share: warm up until every listener hears a Ping, send the
// three checked Pings, wait until the listeners have them all, print what was seen as JSON.
const GIVE_UP_MS = 60_000; // only stops a hung run; nothing here measures time
export const PINGS = [
  [7, 100],
  [8, 200],
  [7, 300],
];
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const show = (seen) => JSON.stringify(seen);
// Pings with value 0 are the warm-up; the checked ones have values
export const counted = (list) => list.filter((e) => e.value > 0).length;

// ping(tag, value) sends one and returns {hash, block}; started() says every listener heard
// one; received(sent) says every listener has every checked Ping.
export async function run({ seen, ping, started, received }) {
  try {
    // libraries subscribe in the background: ping with value 0 until every listener heard one
    for (let rounds = 1; !started(); rounds++) {
      if (rounds > 100) throw new Error(`listeners never started: ${show(seen)}`);
      await ping(7, 0);
      await sleep(50);
    }
    const sent = [];
    for (const [tag, value] of PINGS) sent.push({ tag, value, ...(await ping(tag, value)) });
    const deadline = Date.now() + GIVE_UP_MS;
    while (!received(sent)) {
      if (Date.now() > deadline) throw new Error(`gave up waiting for the pings: ${show(seen)}`);
      await sleep(20);
    }
    console.log(JSON.stringify({ sent, ...seen }));
    process.exit(0);
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
