// Benchmark 6: start-up. Time from spawning the command to the first request
// the target sees. The target is an HTTP server inside this harness (same
// clock as the spawn); the tool runs on core 1 and is stopped at once.
//   node bench/startup.mjs [--quick] [--runs N] [--tools a,b]
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { main, runsOf, wants } from './lib/args.mjs';
import { loadAverage } from './lib/machine.mjs';
import { JSON_BODY } from './lib/nginx.mjs';
import { peer, requireTaskset } from './lib/peers.mjs';
import { display, PEER_OF, THROUGHPUT, versionOf } from './lib/tools.mjs';
import { GENERATOR_CPU, machineBusySeconds, spawnPinned, stop } from './lib/proc.mjs';
import { machineInfo, ranOn, writeSection } from './lib/results.mjs';
import { fixed, ms, ratio, spread, summarize } from './lib/stats.mjs';

const TOOLS = ['agentload', 'undici-loop', 'wrk', 'autocannon', 'hey', 'locust', 'artillery'];
const TIMEOUT_S = 60;

export async function startup(o) {
  requireTaskset();
  const info = machineInfo();
  let onFirst = null;
  const server = http.createServer((req, res) => {
    const t = performance.now();
    if (onFirst !== null) {
      const f = onFirst;
      onFirst = null;
      f(t);
    }
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON_BODY);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', () => r(undefined)));
  const url = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}/json`;
  const runs = runsOf(o);
  const tools = TOOLS.filter((t) => wants(o, t)).map((tool) => {
    const needs = PEER_OF[tool];
    const p = needs === null ? null : peer(needs, o);
    return { tool, skipped: p !== null && !p.ok ? p.note : null, times: [], errors: [], command: '' };
  });
  const b0 = machineBusySeconds();
  const w0 = performance.now();
  try {
    // run 0 warms the page cache and is discarded
    for (let run = 0; run <= runs; run++) {
      for (const t of tools) {
        if (t.skipped !== null) continue;
        const command = THROUGHPUT[t.tool](o, { url, connections: 1, seconds: 30 });
        t.command = display(GENERATOR_CPU, command).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT');
        const first = new Promise((resolve) => (onFirst = resolve));
        const t0 = performance.now();
        const proc = spawnPinned(GENERATOR_CPU, command.cmd, command.args, { env: command.env });
        const got = await Promise.race([first, proc.done.then(() => 'exited'), new Promise((r) => setTimeout(() => r('timeout'), TIMEOUT_S * 1000).unref())]);
        onFirst = null;
        const r = await stop(proc, 'SIGINT', 5000);
        if (typeof got !== 'number') {
          const why = `${got === 'exited' ? 'exited before its first request' : `no request within ${TIMEOUT_S} s`}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`;
          if (run > 0) t.errors.push(why);
          console.error(`bench: startup ${t.tool} run ${run}/${runs} failed: ${why}`);
          continue;
        }
        if (run > 0) t.times.push(got - t0);
        console.error(`bench: startup ${t.tool} run ${run}/${runs}${run === 0 ? ' (warm-up, discarded)' : ''}: ${ms(got - t0)} (load ${loadAverage()})`);
      }
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
  // the tools come and go too fast to attribute CPU per process: this is the whole machine's busy CPU
  const busy = Math.max(0, machineBusySeconds() - b0) / ((performance.now() - w0) / 1000);
  const ac = summarize(tools.find((t) => t.tool === 'autocannon')?.times ?? []).median;
  const rows = tools.map((t) => {
    if (t.skipped !== null) return `| ${t.tool} | – | skipped: ${t.skipped} | |`;
    const s = summarize(t.times);
    return `| ${t.tool}${t.tool === 'undici-loop' ? ' (reference: node + undici, no framework)' : ''} | ${versionOf(o, t.tool)} | ${spread(s, ms)}${t.errors.length > 0 ? ` (${t.errors.length} failed: ${t.errors[0]})` : ''} | ${ratio(s.median, ac)} |`;
  });
  const md = `## 6. Start-up: command start to first request

${ranOn(info, NaN, `Busy CPU of the whole machine during this benchmark (the tools' own start-up included): ${fixed(busy)} cores; load averages at the end: ${loadAverage()}.`)}

The target is an HTTP server in the harness process; the harness takes the time just before spawning the
command (\`taskset -c ${GENERATOR_CPU} …\`) and again when the server sees the first request, then stops the tool. One
connection / VU / user each. A first round warms the page cache and is discarded; then ${runs} run${runs > 1 ? 's' : ''} per tool,
round-robin, median (min–max). agentload's time includes bundling the script with esbuild and starting its
worker thread. A ratio below 1.00x is faster than autocannon.

| tool | version | command start → first request | ratio to autocannon |
| --- | --- | --- | --- |
${rows.join('\n')}

Commands:

\`\`\`
${tools
  .filter((t) => t.command !== '')
  .map((t) => t.command)
  .join('\n')}
\`\`\`
`;
  writeSection(o, 'startup', md, { info, runs, tools });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(startup);
