// Runs whose figures come from each tool's own report (latency percentiles):
// every tool runs to the end of its duration, round-robin over the runs.
import { loadAverage } from './machine.mjs';
import { GENERATOR_CPU, machineBusySeconds, spawnPinned, treeCpuSeconds, waitOrStop } from './proc.mjs';
import { display } from './tools.mjs';
import { int, ms } from './stats.mjs';

/**
 * @typedef {{ cmd: string, args: string[], env?: Record<string, string> }} Command
 * @typedef {{ label: string, tool: string, model?: string, skipped: string | null,
 *   make(url: string): { command: Command, before?: () => void, parse(stdout: string): import('./parse.mjs').LatencyReport } }} ReportedTool
 * @typedef {{ url: string, pid: number, close(): Promise<void> }} Target
 */

/**
 * @param {ReportedTool[]} tools
 * @param {{ runs: number, seconds: number, name: string, target: () => Promise<Target>, freshTarget: boolean }} t
 *   freshTarget: start a new target for every run (else one for the whole suite)
 */
export async function runReported(tools, t) {
  const out = new Map(tools.map((x) => [x.label, { runs: [], command: '' }]));
  const others = [];
  const loads = [];
  let shared = t.freshTarget ? null : await t.target();
  try {
    for (let run = 1; run <= t.runs; run++) {
      for (const tool of tools) {
        if (tool.skipped !== null) continue;
        const target = shared ?? (await t.target());
        try {
          const m = tool.make(target.url);
          out.get(tool.label).command = display(GENERATOR_CPU, m.command).replace(/http:\/\/127\.0\.0\.1:\d+/g, 'http://127.0.0.1:PORT');
          m.before?.();
          const b0 = machineBusySeconds();
          const tc0 = treeCpuSeconds(target.pid);
          const w0 = performance.now();
          const p = spawnPinned(GENERATOR_CPU, m.command.cmd, m.command.args, { env: m.command.env });
          let gen = 0;
          const poll = setInterval(() => (gen = Math.max(gen, treeCpuSeconds(p.pid))), 100);
          const r = await waitOrStop(p, (t.seconds + 40) * 1000);
          clearInterval(poll);
          const dt = (performance.now() - w0) / 1000;
          others.push(Math.max(0, (machineBusySeconds() - b0 - gen - (treeCpuSeconds(target.pid) - tc0)) / dt));
          loads.push(loadAverage());
          let rep;
          try {
            if (r.timedOut) throw new Error('timed out');
            rep = m.parse(r.stdout);
          } catch (e) {
            const why = `${e instanceof Error ? e.message : String(e)}${r.code === 0 ? '' : `; exit code ${r.code}: ${r.stderr.trim().split('\n').slice(-2).join(' | ')}`}`;
            out.get(tool.label).runs.push({ error: why });
            console.error(`bench: ${t.name} ${tool.label} run ${run}/${t.runs} failed: ${why}`);
            continue;
          }
          out.get(tool.label).runs.push(rep);
          console.error(`bench: ${t.name} ${tool.label} run ${run}/${t.runs}: ${int(rep.requests)} requests, ${int(rep.rate)}/s, p50 ${ms(rep.p50)}, p99 ${ms(rep.p99)}, max ${ms(rep.max)} (load ${loadAverage()})`);
        } finally {
          if (shared === null) await target.close();
        }
      }
    }
  } finally {
    if (shared !== null) await shared.close();
    shared = null;
  }
  return {
    results: out,
    other: others.length === 0 ? 0 : others.reduce((a, b) => a + b, 0) / others.length,
    maxLoad: loads.length === 0 ? NaN : Math.max(...loads.map((l) => Number(l.split(' ')[0]))),
  };
}
