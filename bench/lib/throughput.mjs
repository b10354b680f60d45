// Run several throughput configurations against one counting target,
// round-robin (run 1 of every tool, then run 2, …) so that a change in
// machine load during the benchmark spreads over all tools alike.
import { measureWindow } from './measure.mjs';
import { peer } from './peers.mjs';
import { display, PEER_OF, THROUGHPUT, versionOf } from './tools.mjs';
import { summarize } from './stats.mjs';

/**
 * @typedef {{ label: string, tool: keyof typeof THROUGHPUT, cpus: string, spec: import('./tools.mjs').LoadSpec }} Config
 * @typedef {{ label: string, tool: string, version: string, command: string, skipped: string | null,
 *   runs: import('./measure.mjs').WindowResult[], rps: ReturnType<typeof summarize>, generatorCores: ReturnType<typeof summarize>,
 *   targetCores: ReturnType<typeof summarize>, perCpuSecond: ReturnType<typeof summarize>, errors: string[] }} ConfigResult
 */

/**
 * @param {import('./args.mjs').BenchOptions} o
 * @param {import('./measure.mjs').CountingTarget} target
 * @param {Config[]} configs
 * @param {{ runs: number, warmSeconds: number, windowSeconds: number }} t
 * @returns {Promise<ConfigResult[]>}
 */
export async function runThroughput(o, target, configs, t) {
  const results = configs.map((c) => {
    const needs = PEER_OF[c.tool];
    const p = needs === null ? null : peer(needs, o);
    const skipped = p !== null && !p.ok ? p.note : null;
    // the tool runs longer than needed (start-up allowance) and is stopped after the window
    const spec = { ...c.spec, seconds: t.warmSeconds + t.windowSeconds + 30 };
    const command = skipped === null ? THROUGHPUT[c.tool](o, spec) : null;
    return { config: c, command, skipped, version: skipped === null ? versionOf(o, c.tool) : '', runs: [] };
  });
  for (const r of results) if (r.skipped !== null) console.error(`bench: skipping ${r.config.label}: ${r.skipped}`);
  for (let run = 1; run <= t.runs; run++) {
    for (const r of results) {
      if (r.command === null) continue;
      const w = await measureWindow(target, r.command, { cpus: r.config.cpus, warmSeconds: t.warmSeconds, windowSeconds: t.windowSeconds });
      r.runs.push(w);
      const what = w.error === null ? `${Math.round(w.rps)} req/s, generator ${w.generatorCores.toFixed(2)} cores, other ${w.otherCores.toFixed(2)}` : `failed: ${w.error}`;
      console.error(`bench: ${r.config.label} run ${run}/${t.runs}: ${what} (load ${w.load})`);
    }
  }
  return results.map((r) => {
    const ok = r.runs.filter((w) => w.error === null);
    return {
      label: r.config.label,
      tool: r.config.tool,
      version: r.version,
      command: r.command === null ? '' : display(r.config.cpus, r.command),
      skipped: r.skipped,
      runs: r.runs,
      rps: summarize(ok.map((w) => w.rps)),
      generatorCores: summarize(ok.map((w) => w.generatorCores)),
      targetCores: summarize(ok.map((w) => w.targetCores)),
      perCpuSecond: summarize(ok.map((w) => w.rps / w.generatorCores)),
      errors: r.runs.filter((w) => w.error !== null).map((w) => /** @type {string} */ (w.error)),
    };
  });
}

/** Mean of "other CPU" over every successful window (for the provisional verdict). */
export function meanOther(results) {
  const xs = results.flatMap((r) => r.runs.filter((w) => w.error === null).map((w) => w.otherCores));
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Highest 1-minute load average seen at the end of a window. */
export function maxLoad(results) {
  const xs = results.flatMap((r) => r.runs.map((w) => Number(w.load.split(' ')[0])));
  return xs.length === 0 ? NaN : Math.max(...xs);
}
