// Reference, not a peer: the ceiling of a Node.js generator on this machine.
// CONNECTIONS loops each dispatch a GET with undici's callback-level API and
// start the next one when it completes. No metrics, no checks, no VU.
//   node bench/peers/undici-loop.mjs URL CONNECTIONS SECONDS
import { Agent } from 'undici';

const [url, connArg = '50', secArg = '10'] = process.argv.slice(2);
if (url === undefined) {
  console.error('usage: node bench/peers/undici-loop.mjs URL CONNECTIONS SECONDS');
  process.exit(2);
}
const u = new URL(url);
const connections = Number(connArg);
const endAt = Date.now() + Number(secArg) * 1000;
const agent = new Agent({ pipelining: 1, keepAliveTimeout: 30_000 });
let done = 0;
let errors = 0;
let running = connections;

function one() {
  if (Date.now() >= endAt) {
    if (--running === 0) finish();
    return;
  }
  agent.dispatch(
    { origin: u.origin, path: u.pathname + u.search, method: 'GET', headers: {} },
    {
      onConnect() {},
      onHeaders() {
        return true;
      },
      onData() {
        return true;
      },
      onComplete() {
        done++;
        one();
      },
      onError() {
        errors++;
        setImmediate(one);
      },
    },
  );
}

function finish() {
  console.log(`BENCH_JSON ${JSON.stringify({ requests: done, errors })}`);
  void agent.close();
}

for (let i = 0; i < connections; i++) one();
process.on('SIGINT', () => {
  finish();
  process.exit(0);
});
