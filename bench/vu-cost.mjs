// Benchmark 3: VU cost. 10,000 and 50,000 VUs that mostly sleep (one GET
// every 10 s) against nginx; peak resident memory of every process of the run,
// per VU. A 1-VU run of the same script gives the fixed cost to subtract.
//   node bench/vu-cost.mjs [--quick] [--runs N]
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { main, runsOf, WORK_DIR } from './lib/args.mjs';
import { loadAverage } from './lib/machine.mjs';
import { startNginx } from './lib/nginx.mjs';
import { peer, requireTaskset } from './lib/peers.mjs';
import { GENERATOR_CPU, TARGET_CPU, machineBusySeconds, spawnPinned, statusKb, treeCpuSeconds, treeRssKb, waitOrStop } from './lib/proc.mjs';
import { machineInfo, ranOn, writeSection } from './lib/results.mjs';
import { fixed, int, spread, summarize } from './lib/stats.mjs';
import { agentloadCommand, display } from './lib/tools.mjs';

const K6_DOC = 'k6 documents 360–800 KB per VU';

/** One run with `vus` VUs: peak RSS of the process tree (polled every 100 ms) and what the summary says. */
async function runOnce(o, target, vus, ramp, hold) {
  const summaryFile = join(WORK_DIR, `vu-cost-${vus}.json`);
  rmSync(summaryFile, { force: true });
  const command = agentloadCommand(o, 'sleepers.ts', { BENCH_URL: target.url, BENCH_VUS: String(vus), BENCH_RAMP: `${ramp}s`, BENCH_HOLD: `${hold}s` }, 1, [
    '--summary-export',
    summaryFile,
  ]);
  const b0 = machineBusySeconds();
  const t0 = performance.now();
  const proc = spawnPinned(GENERATOR_CPU, command.cmd, command.args, { env: command.env });
  let peakKb = 0;
  let hwmKb = 0;
  let cpu = 0;
  const targetCpu0 = treeCpuSeconds(target.pid);
  const st0 = await target.status();
  let maxActive = 0;
  let polls = 0;
  const poll = (async () => {
    for (let i = 0; proc.child.exitCode === null && proc.child.signalCode === null; i++) {
      peakKb = Math.max(peakKb, treeRssKb(proc.pid));
      hwmKb = Math.max(hwmKb, statusKb(proc.pid, 'VmHWM'));
      cpu = Math.max(cpu, treeCpuSeconds(proc.pid));
      if (i % 5 === 0) {
        polls++;
        maxActive = Math.max(maxActive, (await target.status()).active - 1);
      }
      await sleep(100);
    }
  })();
  // the plan lasts ramp + hold + 2 s (gracefulStop); allow 25 s more for start-up and the summary
  const limitS = ramp + hold + 27;
  const r = await waitOrStop(proc, limitS * 1000);
  await poll;
  // every status request is a connection of its own: not the generator's
  const connections = (await target.status()).accepts - st0.accepts - polls - 1;
  const dt = (performance.now() - t0) / 1000;
  const other = Math.max(0, (machineBusySeconds() - b0 - cpu - (treeCpuSeconds(target.pid) - targetCpu0)) / dt);
  let reqs = NaN;
  let failed = NaN;
  let vusMax = NaN;
  try {
    const s = JSON.parse(readFileSync(summaryFile, 'utf8'));
    reqs = s.metrics.http_reqs?.values.count ?? 0;
    failed = Math.round((s.metrics.http_req_failed?.values.rate ?? 0) * reqs);
    vusMax = s.metrics.vus_max?.values.max ?? s.metrics.vus_max?.values.value ?? NaN;
  } catch {
    // no summary: reported as an error below
  }
  const error = r.timedOut
    ? `did not finish within ${limitS} s for a ${ramp + hold + 2} s plan${Number.isFinite(reqs) ? ` (${int(reqs)} requests, ${int(failed)} failed, vus_max ${int(vusMax)} when stopped)` : ''}`
    : r.code !== 0 ? `exit code ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}` : null;
  return { vus, peakKb: Math.max(peakKb, hwmKb), reqs, failed, vusMax, connections, maxActive, other, load: loadAverage(), error, command };
}

export async function vuCost(o) {
  requireTaskset();
  const info = machineInfo();
  const nginx = peer('nginx', o);
  if (!nginx.ok) {
    writeSection(o, 'vu-cost', `## 3. VU cost: memory per mostly-sleeping VU\n\nSkipped: ${nginx.note}\n`, { skipped: nginx.note });
    return;
  }
  const points = o.quick ? [1, 10_000] : [1, 10_000, 50_000];
  const ramp = o.quick ? 4 : 6;
  const hold = o.duration ?? (o.quick ? 6 : 8);
  const runs = runsOf(o);
  const target = await startNginx(nginx.path, { cpus: TARGET_CPU, workers: 1 });
  const byPoint = new Map(points.map((p) => [p, []]));
  try {
    for (let run = 1; run <= runs; run++) {
      for (const vus of points) {
        const earlier = byPoint.get(vus);
        if (earlier.length > 0 && earlier.every((x) => x.error !== null)) continue; // failed once: not again
        const r = await runOnce(o, target, vus, ramp, hold);
        byPoint.get(vus).push(r);
        console.error(
          `bench: vu-cost ${vus} VUs run ${run}/${runs}: ${r.error ?? `peak RSS ${int(r.peakKb / 1024)} MB, ${int(r.reqs)} requests (${int(r.failed)} failed), vus_max ${int(r.vusMax)}, ${int(r.connections)} connections opened, at most ${int(r.maxActive)} open`} (load ${r.load})`,
        );
      }
    }
  } finally {
    await target.close();
  }
  const base = summarize((byPoint.get(1) ?? []).filter((r) => r.error === null).map((r) => r.peakKb));
  const rows = [];
  const verdicts = [];
  const notes = [];
  for (const vus of points) {
    const ok = byPoint.get(vus).filter((r) => r.error === null);
    const peak = summarize(ok.map((r) => r.peakKb / 1024));
    const per = summarize(ok.map((r) => r.peakKb / vus));
    const marginal = summarize(ok.map((r) => (r.peakKb - base.median) / Math.max(1, vus - 1)));
    const errs = byPoint.get(vus).filter((r) => r.error !== null);
    if (ok.length === 0) {
      rows.push(`| ${int(vus)} | did not complete (below) | | | | | |`);
      for (const e of errs) notes.push(`${int(vus)} VUs: ${e.error}; peak RSS until then ${int(e.peakKb / 1024)} MB.`);
      continue;
    }
    for (const e of errs) notes.push(`${int(vus)} VUs: ${e.error}.`);
    rows.push(
      `| ${int(vus)} | ${spread(peak, int)} MB | ${vus === 1 ? '–' : `${spread(per, (x) => fixed(x, 1))} KB`} | ${vus === 1 ? '(baseline)' : `**${spread(marginal, (x) => fixed(x, 1))} KB**`} | ${int(summarize(ok.map((r) => r.reqs)).median)} | ${int(summarize(ok.map((r) => r.failed)).median)} | ${int(summarize(ok.map((r) => r.connections)).median)} / ${int(summarize(ok.map((r) => r.maxActive)).median)} |`,
    );
    if (vus > 1) verdicts.push(`${int(vus)} VUs: ${fixed(marginal.median, 1)} KB per VU ${marginal.median <= 20 ? '(**met**)' : '(**not met**)'}`);
  }
  const all = [...byPoint.values()].flat();
  const other = all.length === 0 ? 0 : all.reduce((a, r) => a + r.other, 0) / all.length;
  const sample = all.find((r) => r.vus === points[points.length - 1])?.command;
  const md = `## 3. VU cost: memory per mostly-sleeping VU

${ranOn(info, other)}

agentload (\`--workers 1\`, core ${GENERATOR_CPU}) runs bench/scenarios/sleepers.ts against nginx (core ${TARGET_CPU}): the VU
count ramps from 0 to N over ${ramp} s and holds for ${hold} s; each VU sends one GET + one check, then sleeps 10 s.
The harness samples the resident memory (VmRSS, and VmHWM of the main process) of every process of the run every
100 ms; "peak RSS" is the highest sum. Per VU = peak / N; marginal = (peak − peak of the 1-VU run) / (N − 1), the
cost of one more VU without the runtime's fixed cost. ${runs} run${runs > 1 ? 's' : ''} each, median (min–max).

| VUs | peak RSS | peak RSS per VU | marginal per VU | requests | failed | connections opened / most open at once (nginx) |
| --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Target (issue 3): ≤ 20 KB per VU (${K6_DOC}) — ${verdicts.length > 0 ? verdicts.join('; ') : 'not measured'}${points.some((p) => p > 1 && byPoint.get(p).every((r) => r.error !== null)) ? '; not measured where a run did not complete' : ''}.
${notes.length > 0 ? `\nRuns that did not complete:\n\n${notes.map((n) => `- ${n}`).join('\n')}\n` : ''}
No peer is run here: none of them has VUs that sleep between requests at this count on one machine (wrk, hey and
autocannon hold one connection per "user"; Locust and Artillery need a core per few thousand users).
Open files: the hard limit here is ${readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\d+\s+(\d+)/)?.[1] ?? '?'} per process. Sleeping VUs hold no
socket (agentload's VUs share one keep-alive connection pool per worker), so the connections needed follow the
requests in flight, not the VU count (last column, counted by nginx); the ramp spreads the VUs' first requests.

Command (N = ${int(points[points.length - 1])}):

\`\`\`
${sample === undefined ? '' : display(GENERATOR_CPU, sample).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT')}
\`\`\`
`;
  writeSection(o, 'vu-cost', md, { info, ramp, hold, runs: Object.fromEntries(byPoint) });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) main(vuCost);
