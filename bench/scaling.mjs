// Benchmark 2: scaling, 2 workers vs 1. nginx with two workers and the
// generator share both cores (a 2-core machine has no third core for the
// target), 50 connections. agentload --workers 2 vs --workers 1, with
// autocannon -w 2 and wrk -t 2 as references for what the machine allows.
//   node bench/scaling.mjs [--quick] [--runs N] [--duration S] [--tools a,b]
import { pathToFileURL } from 'node:url';
import { main, runsOf, wants } from './lib/args.mjs';
import { machineInfo, ranOn, writeSection } from './lib/results.mjs';
import { startNginx } from './lib/nginx.mjs';
import { peer, requireTaskset } from './lib/peers.mjs';
import { fixed, int, ratio, spread } from './lib/stats.mjs';
import { maxLoad, meanOther, runThroughput } from './lib/throughput.mjs';

const CONNECTIONS = 50;
const ALL_CPUS = '0,1';
const TOOLS = ['agentload', 'autocannon', 'wrk'];

export async function scaling(o) {
  requireTaskset();
  const info = machineInfo();
  const nginx = peer('nginx', o);
  if (!nginx.ok) {
    writeSection(o, 'scaling', `## 2. Scaling: 2 workers vs 1\n\nSkipped: ${nginx.note}\n`, { skipped: nginx.note });
    return;
  }
  const t = { runs: runsOf(o), warmSeconds: o.quick ? 1 : 2, windowSeconds: o.duration ?? (o.quick ? 3 : 5) };
  const target = await startNginx(nginx.path, { cpus: ALL_CPUS, workers: 2 });
  let results;
  try {
    const configs = TOOLS.filter((tool) => wants(o, tool)).flatMap((tool) =>
      [1, 2].map((workers) => ({
        label: `${tool} ${tool === 'wrk' ? `-t ${workers}` : tool === 'autocannon' ? (workers === 1 ? '(1 thread)' : '-w 2') : `--workers ${workers}`}`,
        tool,
        cpus: ALL_CPUS,
        spec: { url: target.url, connections: CONNECTIONS, seconds: 0, workers },
      })),
    );
    results = await runThroughput(o, target, configs, t);
  } finally {
    await target.close();
  }
  const rows = [];
  const verdicts = [];
  for (const tool of TOOLS.filter((x) => wants(o, x))) {
    const [one, two] = results.filter((r) => r.tool === tool);
    if (one === undefined || two === undefined) continue;
    for (const r of [one, two]) {
      if (r.skipped !== null) {
        rows.push(`| ${r.label} | skipped: ${r.skipped} | | | | | |`);
        continue;
      }
      const isTwo = r === two;
      rows.push(
        `| ${r.label} | ${spread(r.rps)} | ${isTwo ? `**${ratio(two.rps.median, one.rps.median)}**` : '1.00x'} | ${fixed(r.generatorCores.median)} | ${int(r.perCpuSecond.median)} | ${isTwo ? ratio(two.perCpuSecond.median, one.perCpuSecond.median) : '1.00x'} | ${fixed(r.targetCores.median)} |`,
      );
    }
    if (tool === 'agentload' && one.skipped === null) {
      const x = two.rps.median / one.rps.median;
      verdicts.push(`Target (issue 3): agentload with 2 workers ≥ 1.8x of 1 worker — ${Number.isFinite(x) ? (x >= 1.8 ? `**met** (${x.toFixed(2)}x)` : `**not met** (${x.toFixed(2)}x)`) : 'not measured'}.`);
    }
  }
  const other = meanOther(results);
  const md = `## 2. Scaling: 2 workers vs 1

${ranOn(info, other, `Highest 1-minute load average at the end of a window: ${fixed(maxLoad(results))}.`)}

nginx ${nginx.version} with 2 workers and the generator all run on both cores (\`taskset -c ${ALL_CPUS}\`): this machine has
2 cores, so there is no separate core for the target and the generator's second worker competes with nginx
(and with anything else running). ${CONNECTIONS} connections in every configuration (agentload: 50 VUs split over the
workers). Requests counted by nginx in a ${t.windowSeconds} s window after ${t.warmSeconds} s of warm-up; ${t.runs} run${t.runs > 1 ? 's' : ''} each, median (min–max).
"Requests per generator CPU-second" factors out how much CPU the generator could get: its ratio (2 workers / 1)
near 1.00x means that a second worker adds no overhead per request, so throughput scales with the cores given.

| configuration | requests/s | ratio 2 / 1 | generator CPU (cores) | requests per generator CPU-second | ratio 2 / 1 per CPU-second | nginx CPU (cores) |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

${verdicts.join('\n')}
wrk and autocannon show what this 2-core machine allows when the target shares the cores: a ratio well under
1.8x for them too means the machine, not the engine, is the limit; the lead re-runs this on a larger machine.
${results.some((r) => r.errors.length > 0) ? `\nFailed runs: ${results.flatMap((r) => r.errors.map((e) => `${r.label}: ${e}`)).join('; ')}\n` : ''}
Commands (nginx: 2 workers, \`worker_cpu_affinity auto\`, \`taskset -c ${ALL_CPUS}\`):

\`\`\`
${results
  .filter((r) => r.skipped === null)
  .map((r) => r.command.replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT'))
  .join('\n')}
\`\`\`
`;
  writeSection(o, 'scaling', md, { info, t, results });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(scaling);
