// A target that stalls: it answers a small JSON at once, except during one
// STALL_MS window in every PERIOD_MS, when every response is held until the
// window ends (a server that freezes for 1 s every 5 s, as in wrk2's
// coordinated-omission demonstration). The clock starts at the first request,
// so every tool meets the stalls at the same offsets: [4 s, 5 s), [9 s, 10 s), …
//   node bench/targets/stall-server.mjs [--period 5000] [--stall 1000]
// Listens on 127.0.0.1, port 0; prints "LISTENING <port>" when ready.
import http from 'node:http';

const args = process.argv.slice(2);
function flag(name, dflt) {
  const i = args.indexOf(name);
  if (i === -1) return dflt;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`stall-server: ${name} needs a positive number of milliseconds, got "${args[i + 1] ?? ''}"`);
    process.exit(2);
  }
  return n;
}
const periodMs = flag('--period', 5000);
const stallMs = flag('--stall', 1000);
if (stallMs >= periodMs) {
  console.error(`stall-server: --stall (${stallMs}) must be shorter than --period (${periodMs})`);
  process.exit(2);
}

const BODY = Buffer.from('{"ok":true,"message":"hello","n":42}');
const HEADERS = { 'content-type': 'application/json', 'content-length': String(BODY.length) };
let t0 = -1;
let served = 0;
let held = 0;

function answer(res) {
  served++;
  res.writeHead(200, HEADERS);
  res.end(BODY);
}

const server = http.createServer((req, res) => {
  req.resume();
  const now = performance.now();
  if (t0 < 0) t0 = now;
  const phase = (now - t0) % periodMs;
  if (phase < periodMs - stallMs) return answer(res);
  // stalled: hold the response until the window ends
  held++;
  setTimeout(() => answer(res), periodMs - phase);
});
server.keepAliveTimeout = 120_000;
server.headersTimeout = 125_000;
server.maxRequestsPerSocket = 0;
server.listen(0, '127.0.0.1', () => {
  const a = server.address();
  console.log(`LISTENING ${typeof a === 'object' && a !== null ? a.port : 0}`);
});
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    console.log(`STATS ${JSON.stringify({ served, held })}`);
    process.exit(0);
  });
}
