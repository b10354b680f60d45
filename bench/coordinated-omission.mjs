// Benchmark 5: coordinated omission. A target that stalls every response for
// 1 s once every 5 s (bench/targets/stall-server.mjs), driven at a fixed rate.
// An open-model tool sends on schedule during a stall, so ~20% of its requests
// wait up to 1 s and p99 is near 1 s. A closed-model tool waits with its
// connections, sends nothing meanwhile, and its percentiles hide the stall.
//   node bench/coordinated-omission.mjs [--quick] [--runs N] [--duration S]
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BENCH_DIR, main, runsOf, wants, WORK_DIR } from './lib/args.mjs';
import { agentloadReport, artilleryReport, autocannonReport, heyReport, wrkReport } from './lib/parse.mjs';
import { peer, requireTaskset } from './lib/peers.mjs';
import { spawnPinned, stop, TARGET_CPU } from './lib/proc.mjs';
import { runReported } from './lib/reported.mjs';
import { machineInfo, ranOn, writeSection } from './lib/results.mjs';
import { int, ms, spread, summarize } from './lib/stats.mjs';
import { agentloadCommand, NODE, versionOf } from './lib/tools.mjs';

const RATE = 200;
const CONNECTIONS = 50;
const PERIOD_MS = 5000;
const STALL_MS = 1000;

/** The stalling target, pinned to the target core; its clock starts at the first request. */
async function startStallServer() {
  let resolvePort;
  const ready = new Promise((r) => (resolvePort = r));
  const proc = spawnPinned(TARGET_CPU, NODE, [join(BENCH_DIR, 'targets', 'stall-server.mjs'), '--period', String(PERIOD_MS), '--stall', String(STALL_MS)], {
    onStdout: (s) => {
      const m = s.match(/LISTENING (\d+)/);
      if (m !== null) resolvePort(Number(m[1]));
    },
  });
  const port = await Promise.race([ready, proc.done.then(() => null)]);
  if (port === null) throw new Error(`stall-server did not start: ${proc.out.stderr.trim()}`);
  return { url: `http://127.0.0.1:${port}/json`, pid: proc.pid, close: async () => void (await stop(proc, 'SIGTERM', 3000)) };
}

function tools(o, seconds) {
  const summary = join(WORK_DIR, 'co-agentload.json');
  const artilleryOut = join(WORK_DIR, 'co-artillery.json');
  const wrk = peer('wrk', o);
  const ac = peer('autocannon', o);
  const hey = peer('hey', o);
  const art = peer('artillery', o);
  const wrkLua = join(BENCH_DIR, 'peers', 'wrk-report.lua');
  return [
    {
      label: 'agentload (constant-arrival-rate)',
      tool: 'agentload',
      model: `open, ${RATE}/s`,
      skipped: null,
      make: (url) => ({
        command: agentloadCommand(o, 'arrival.ts', { BENCH_URL: url, BENCH_RATE: String(RATE), BENCH_DURATION: `${seconds}s` }, 1, ['--summary-export', summary]),
        before: () => rmSync(summary, { force: true }),
        parse: () => agentloadReport(summary),
      }),
    },
    {
      label: 'autocannon -R',
      tool: 'autocannon',
      model: `fixed rate ${RATE}/s, corrected`,
      skipped: ac.ok ? null : ac.note,
      make: (url) => ({ command: { cmd: NODE, args: [ac.path, '-c', String(CONNECTIONS), '-R', String(RATE), '-d', String(seconds), '-j', url] }, parse: autocannonReport }),
    },
    {
      label: 'artillery (arrivalRate)',
      tool: 'artillery',
      model: `open, ${RATE}/s`,
      skipped: art.ok ? null : art.note,
      make: (url) => {
        const u = new URL(url);
        const file = join(WORK_DIR, 'artillery-co.yml');
        mkdirSync(WORK_DIR, { recursive: true });
        writeFileSync(file, `config:\n  target: "${u.origin}"\n  phases:\n    - duration: ${seconds}\n      arrivalRate: ${RATE}\nscenarios:\n  - flow:\n      - get:\n          url: "${u.pathname}"\n`);
        return {
          command: { cmd: NODE, args: [art.path, 'run', '--quiet', '--output', artilleryOut, file], env: { ARTILLERY_DISABLE_TELEMETRY: 'true' } },
          before: () => rmSync(artilleryOut, { force: true }),
          parse: () => artilleryReport(artilleryOut),
        };
      },
    },
    {
      label: 'hey -q',
      tool: 'hey',
      model: `closed, ${CONNECTIONS} workers, ${RATE}/s in total`,
      skipped: hey.ok ? null : hey.note,
      make: (url) => ({ command: { cmd: hey.path, args: ['-z', `${seconds}s`, '-c', String(CONNECTIONS), '-q', String(RATE / CONNECTIONS), url] }, parse: heyReport }),
    },
    {
      label: 'autocannon',
      tool: 'autocannon',
      model: `closed, ${CONNECTIONS} connections, full speed`,
      skipped: ac.ok ? null : ac.note,
      make: (url) => ({ command: { cmd: NODE, args: [ac.path, '-c', String(CONNECTIONS), '-d', String(seconds), '-j', url] }, parse: autocannonReport }),
    },
    {
      label: 'wrk',
      tool: 'wrk',
      model: `closed, ${CONNECTIONS} connections, full speed (corrects at the end)`,
      skipped: wrk.ok ? null : wrk.note,
      make: (url) => ({ command: { cmd: wrk.path, args: ['-t', '1', '-c', String(CONNECTIONS), '-d', `${seconds}s`, '-s', wrkLua, url] }, parse: wrkReport }),
    },
  ].filter((t) => wants(o, t.tool));
}

export async function coordinatedOmission(o) {
  requireTaskset();
  const info = machineInfo();
  // the stalls are at [4 s, 5 s) and [9 s, 10 s) after the first request: stop after the last one is over
  const seconds = o.duration ?? (o.quick ? 7 : 11);
  const runs = runsOf(o);
  const list = tools(o, seconds);
  for (const t of list) if (t.skipped !== null) console.error(`bench: skipping ${t.label}: ${t.skipped}`);
  const { results, other, maxLoad } = await runReported(list, { runs, seconds, name: 'co', freshTarget: true, target: startStallServer });
  const stat = (label, f) => summarize((results.get(label)?.runs ?? []).filter((x) => x.error === undefined).map(f));
  const stalls = Math.floor((seconds * 1000 + STALL_MS) / PERIOD_MS);
  const share = (stalls * STALL_MS) / (seconds * 1000);
  // at a fixed rate, a share `share` of the requests wait uniformly 0..STALL_MS
  const truth = (q) => Math.max(0, STALL_MS * (1 - (1 - q) / share));
  const rows = list.map((t) => {
    if (t.skipped !== null) return `| ${t.label} | ${t.model} | skipped: ${t.skipped} | | | | | | |`;
    const p90 = stat(t.label, (x) => x.p90);
    const p99 = stat(t.label, (x) => x.p99);
    const ok = Number.isFinite(p99.median) && Number.isFinite(p90.median);
    const shows = ok ? (p90.median >= truth(0.9) / 2 && p99.median >= truth(0.99) / 2 ? 'yes' : '**no: hidden**') : '–';
    return `| ${t.label} | ${t.model} | ${versionOf(o, t.tool)} | ${spread(stat(t.label, (x) => x.requests))} | ${spread(stat(t.label, (x) => x.p50), ms)} | ${spread(p90, ms)} | ${spread(p99, ms)} | ${spread(stat(t.label, (x) => x.max), ms)} | ${shows} |`;
  });
  const agP99 = stat('agentload (constant-arrival-rate)', (x) => x.p99).median;
  const dropped = stat('agentload (constant-arrival-rate)', (x) => x.dropped ?? 0).median;
  const failures = [...results.entries()].flatMap(([label, r]) => r.runs.filter((x) => x.error !== undefined).map((x) => `${label}: ${x.error}`));
  const md = `## 5. Coordinated omission: a target that stalls

${ranOn(info, other, `Highest 1-minute load average at the end of a run: ${Number.isFinite(maxLoad) ? maxLoad.toFixed(2) : '–'}.`)}

bench/targets/stall-server.mjs (Node, core ${TARGET_CPU}, a fresh one per run) answers at once, except that from ${(PERIOD_MS - STALL_MS) / 1000} s after
its first request, for ${STALL_MS / 1000} s in every ${PERIOD_MS / 1000} s, it holds every response until the stall ends. Each tool runs ${seconds} s on
core 1: ${stalls} stall${stalls > 1 ? 's' : ''}, ${Math.round(share * 100)}% of the run, each over well before the tool stops. Rate-driven tools send
${RATE} requests/s; closed-model tools use ${CONNECTIONS} connections. ${runs} run${runs > 1 ? 's' : ''} each, round-robin, median (min–max); latencies
as each tool reports them. At a fixed rate the truth is: ${Math.round(share * 100)}% of the requests are due during a stall and wait
0–1 s, so p50 stays fast, p90 ≈ ${ms(truth(0.9))}, p99 ≈ ${ms(truth(0.99))} and max ≈ 1 s. "Shows the stall" means p90 and p99
are at least half of these.

| tool | model | version | requests | p50 | p90 | p99 | max | shows the stall |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Target (issue 3): agentload's high percentiles show the stall — ${Number.isFinite(agP99) ? (agP99 >= STALL_MS / 2 ? `**met** (p99 ${ms(agP99)})` : `**not met** (p99 ${ms(agP99)})`) : 'not measured'}; dropped iterations (median): ${int(dropped)}.
agentload starts every iteration at its scheduled time on a free VU (an open model); a VU that waits for a stalled
response does not hold back the next arrival, so the requests sent during a stall are timed from when they
were due. autocannon with \`-R\` is closed-model too (one request in flight per connection) and corrects its
histogram afterwards with HdrHistogram's expected-interval back-fill, but the interval it passes is
\`Math.ceil(1 / rate)\` = 1 ms (autocannon lib/run.js), not the ${(CONNECTIONS / RATE) * 1000} ms between a connection's requests: every
stalled request adds up to a thousand synthetic samples, so its p99 and max are right but its p50 and p90
overstate the stall (most requests were answered at once). The other closed-model tools stop sending while their connections wait: only
${CONNECTIONS} requests per stall are slow, however many were due, so their percentiles under-count the stall; hey at
this low rate still has them above 1% (p99) but not at p90. wrk 4 applies a correction of its own when it ends
(\`stats_correct\`: each slow request is back-filled at the run's mean interval per connection), which is why its
percentiles show the stall although it is closed-model. (Locust is closed-model too and is not run here.)
${failures.length > 0 ? `\nFailed runs: ${failures.join('; ')}\n` : ''}
Commands (target: \`taskset -c ${TARGET_CPU} node bench/targets/stall-server.mjs --period ${PERIOD_MS} --stall ${STALL_MS}\`):

\`\`\`
${[...results.values()]
  .map((r) => r.command)
  .filter(Boolean)
  .join('\n')}
\`\`\`
`;
  writeSection(o, 'co', md, { info, seconds, runs, results: Object.fromEntries(results) });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(coordinatedOmission);
