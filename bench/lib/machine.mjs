// The machine a benchmark ran on, and how busy it was.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, availableParallelism } from 'node:os';

/** Load averages (1, 5, 15 min) as `uptime` prints them. */
export function loadAverage() {
  const [a, b, c] = readFileSync('/proc/loadavg', 'utf8').split(' ');
  return `${a} ${b} ${c}`;
}

/** Cores, CPU model, Node version, kernel, date. */
export function machineInfo() {
  let kernel = '';
  try {
    kernel = execFileSync('uname', ['-sr'], { encoding: 'utf8' }).trim();
  } catch {
    kernel = process.platform;
  }
  return {
    cores: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    kernel,
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    loadBefore: loadAverage(),
  };
}

/**
 * Verdict on machine load: CPU used by processes that are not part of the
 * measurement (cores, averaged over the measured windows) above 0.15 makes the
 * numbers provisional. Where that cannot be measured (NaN), a 1-minute load
 * average above 0.5 before the benchmark does (it lags: it still counts work
 * that ended a minute ago).
 */
export function provisional(loadBefore, otherCores) {
  if (Number.isFinite(otherCores)) return otherCores > 0.15;
  return Number(loadBefore.split(' ')[0]) > 0.5;
}
