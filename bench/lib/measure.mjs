// Throughput as the target sees it: start a tool, wait until requests flow,
// discard a warm-up, then count the requests the target served in a fixed
// window, and the CPU the generator, the target and everything else used.
import { setTimeout as sleep } from 'node:timers/promises';
import { loadAverage } from './machine.mjs';
import { machineBusySeconds, spawnPinned, stop, treeCpuSeconds } from './proc.mjs';

/**
 * @typedef {{ requests(): Promise<number>, pid: number }} CountingTarget
 * @typedef {{ rps: number, generatorCores: number, targetCores: number, otherCores: number, load: string, error: string | null }} WindowResult
 */

const selfCpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * One measured run.
 * @param {CountingTarget} target
 * @param {{ cmd: string, args: string[], env?: Record<string, string> }} command
 * @param {{ cpus: string, warmSeconds: number, windowSeconds: number, startTimeoutSeconds?: number }} t
 * @returns {Promise<WindowResult>}
 */
export async function measureWindow(target, command, t) {
  const proc = spawnPinned(t.cpus, command.cmd, command.args, { env: command.env });
  const fail = async (error) => {
    const r = await stop(proc, 'SIGINT', 5000);
    const tail = `${r.stderr}\n${r.stdout}`.trim().split('\n').slice(-3).join(' | ');
    return { rps: NaN, generatorCores: NaN, targetCores: NaN, otherCores: NaN, load: loadAverage(), error: `${error}${tail === '' ? '' : `: ${tail}`}` };
  };
  try {
    // wait for the load to start (tools take from milliseconds to seconds to start)
    const base = await target.requests();
    const deadline = Date.now() + (t.startTimeoutSeconds ?? 60) * 1000;
    for (;;) {
      await sleep(100);
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return await fail('exited before sending load');
      if ((await target.requests()) - base > 20) break;
      if (Date.now() > deadline) return await fail('no load reached the target');
    }
    await sleep(t.warmSeconds * 1000);
    const c0 = await target.requests();
    const g0 = treeCpuSeconds(proc.pid);
    const tc0 = treeCpuSeconds(target.pid);
    const b0 = machineBusySeconds();
    const s0 = selfCpu();
    const w0 = performance.now();
    await sleep(t.windowSeconds * 1000);
    const c1 = await target.requests();
    const dt = (performance.now() - w0) / 1000;
    const g = treeCpuSeconds(proc.pid) - g0;
    const tc = treeCpuSeconds(target.pid) - tc0;
    const b = machineBusySeconds() - b0;
    const s = selfCpu() - s0;
    const alive = proc.child.exitCode === null && proc.child.signalCode === null;
    const load = loadAverage();
    await stop(proc, 'SIGINT', 5000);
    if (!alive) return { rps: NaN, generatorCores: NaN, targetCores: NaN, otherCores: NaN, load, error: 'exited during the measured window' };
    return {
      rps: (c1 - c0 - 1) / dt,
      generatorCores: g / dt,
      targetCores: tc / dt,
      otherCores: Math.max(0, (b - g - tc - s) / dt),
      load,
      error: null,
    };
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
}
