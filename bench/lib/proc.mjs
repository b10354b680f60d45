// Processes: spawn pinned to a core, read CPU time and memory of a process
// tree from /proc, stop a tree.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLK_TCK = 100;

/** A timeout for Promise.race that does not keep the process alive. */
function timeout(ms) {
  return new Promise((resolve) => setTimeout(() => resolve(null), ms).unref());
}

/** Processes this harness started and that still run (targets, tools). */
const live = new Set();

/** Kill every process this harness started, with its children (on SIGINT/SIGTERM of the harness). */
export function killAllStarted() {
  const pids = [...live].flatMap((p) => treePids(p));
  for (const p of pids) killQuietly(p);
  live.clear();
}

/** Cores of this machine: the target goes on the first, the generator on the second. */
export const TARGET_CPU = '0';
export const GENERATOR_CPU = '1';

/**
 * Spawn `cmd args` pinned to `cpus` with taskset (taskset execs the command,
 * so the pid is the tool's). Output is collected; `done` resolves on exit.
 * @param {string} cpus e.g. "1" or "0,1"
 * @param {string} cmd
 * @param {string[]} args
 * @param {{ env?: NodeJS.ProcessEnv, cwd?: string, onStdout?: (s: string) => void }} [opts]
 */
export function spawnPinned(cpus, cmd, args, opts = {}) {
  const child = spawn('taskset', ['-c', cpus, cmd, ...args], {
    env: { ...process.env, ...opts.env },
    cwd: opts.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (child.pid !== undefined) {
    const pid = child.pid;
    live.add(pid);
    child.on('exit', () => live.delete(pid));
  }
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d) => {
    if (out.stdout.length < 4_000_000) out.stdout += d;
    opts.onStdout?.(d);
  });
  child.stderr.setEncoding('utf8').on('data', (d) => {
    if (out.stderr.length < 1_000_000) out.stderr += d;
  });
  const done = new Promise((resolve) => {
    child.on('error', (e) => resolve({ code: null, signal: null, error: e, ...out }));
    child.on('exit', (code, signal) => {
      // let the pipes drain
      setImmediate(() => resolve({ code, signal, error: null, ...out }));
    });
  });
  return { child, pid: /** @type {number} */ (child.pid), out, done };
}

/** @returns {Map<number, number>} pid → parent pid for every process */
function parents() {
  const m = new Map();
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) < 48 || d.charCodeAt(0) > 57) continue;
    try {
      const s = readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      m.set(Number(d), Number(rest[1]));
    } catch {
      // exited meanwhile
    }
  }
  return m;
}

/** The pid and all its descendants that are alive now. */
export function treePids(root) {
  const pp = parents();
  if (!pp.has(root)) return [];
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of pp) if (ppid === out[i]) out.push(pid);
  return out;
}

/** CPU seconds (user + system, all threads) of one process; 0 if gone. */
export function cpuSeconds(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return 0;
  }
}

/** CPU seconds used so far by a process tree. */
export function treeCpuSeconds(root) {
  let t = 0;
  for (const p of treePids(root)) t += cpuSeconds(p);
  return t;
}

/** Busy CPU seconds of the whole machine since boot (every core, from /proc/stat). */
export function machineBusySeconds() {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal
  return ((f[0] ?? 0) + (f[1] ?? 0) + (f[2] ?? 0) + (f[5] ?? 0) + (f[6] ?? 0) + (f[7] ?? 0)) / CLK_TCK;
}

/** A /proc/<pid>/status field in kB (VmRSS, VmHWM), 0 if gone. */
export function statusKb(pid, field) {
  try {
    const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m === null ? 0 : Number(m[1]);
  } catch {
    return 0;
  }
}

/** Resident memory of a process tree now, kB. */
export function treeRssKb(root) {
  let kb = 0;
  for (const p of treePids(root)) kb += statusKb(p, 'VmRSS');
  return kb;
}

/**
 * Stop a spawned tool: `signal` to the process, then SIGKILL to what is left
 * of its tree after `graceMs`. Resolves with the tool's exit record.
 */
export async function stop(proc, signal = 'SIGINT', graceMs = 5000) {
  const pids = treePids(proc.pid);
  try {
    process.kill(proc.pid, signal);
  } catch {
    // already gone
  }
  const r = await Promise.race([proc.done, timeout(graceMs)]);
  if (r !== null) {
    for (const p of pids.slice(1)) killQuietly(p);
    return r;
  }
  for (const p of [...treePids(proc.pid), ...pids]) killQuietly(p);
  return proc.done;
}

function killQuietly(pid) {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}

/** Resolve with the tool's exit record, or stop it after `ms`. */
export async function waitOrStop(proc, ms) {
  const r = await Promise.race([proc.done, timeout(ms)]);
  if (r !== null) return { ...r, timedOut: false };
  return { ...(await stop(proc, 'SIGINT', 3000)), timedOut: true };
}
