// How each tool is started for a closed-model throughput run: `connections`
// connections (VUs, users) hammering `url` for `seconds`.
import { writeFileSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BENCH_DIR, ROOT_DIR, WORK_DIR } from './args.mjs';
import { agentloadOf, peer } from './peers.mjs';

/**
 * @typedef {{ cmd: string, args: string[], env?: Record<string, string>, cwd?: string }} Command
 * @typedef {{ url: string, connections: number, seconds: number, workers?: number }} LoadSpec
 */

export const RESULTS_TMP = join(WORK_DIR, 'results');
export const NODE = process.execPath;

/** A command as a person would type it from the repository root. */
export function display(cpus, c) {
  const rel = (s) => {
    if (s === NODE) return 'node';
    // another checkout given with --agentload: shown as this one's CLI (the tables name the copy)
    if (s.endsWith('/bin/agentload.js')) return 'bin/agentload.js';
    return s.startsWith(`${ROOT_DIR}/`) ? relative(ROOT_DIR, s) : s;
  };
  const env = Object.entries(c.env ?? {})
    .map(([k, v]) => `${k}=${rel(v)}`)
    .join(' ');
  const q = (s) => (/[\s'"$]/.test(s) ? `'${s}'` : s);
  return `${env === '' ? '' : `${env} `}taskset -c ${cpus} ${[rel(c.cmd), ...c.args.map(rel)].map(q).join(' ')}`;
}

/** agentload: the scripted scenario bench/scenarios/<script> through the CLI. */
export function agentloadCommand(o, script, env, workers = 1, extra = []) {
  const a = agentloadOf(o.agentload);
  return {
    cmd: NODE,
    args: [a.bin, 'run', join(BENCH_DIR, 'scenarios', script), '--workers', String(workers), '--quiet', '--no-thresholds', '--results-dir', RESULTS_TMP, ...extra],
    env,
  };
}

/** Closed-model throughput commands, by tool name. Each returns null if the peer is missing. */
export const THROUGHPUT = {
  /** @param {LoadSpec} s */
  agentload: (o, s) => agentloadCommand(o, 'http-get.ts', { BENCH_URL: s.url, BENCH_VUS: String(s.connections), BENCH_DURATION: `${s.seconds}s` }, s.workers ?? 1),
  /** @param {LoadSpec} s */
  'undici-loop': (_o, s) => ({ cmd: NODE, args: [join(BENCH_DIR, 'peers', 'undici-loop.mjs'), s.url, String(s.connections), String(s.seconds)] }),
  /** @param {LoadSpec} s */
  wrk: (o, s) => ({ cmd: peer('wrk', o).path, args: ['-t', String(s.workers ?? 1), '-c', String(s.connections), '-d', `${s.seconds}s`, s.url] }),
  /** @param {LoadSpec} s */
  autocannon: (o, s) => ({
    cmd: NODE,
    args: [peer('autocannon', o).path, '-c', String(s.connections), '-d', String(s.seconds), ...((s.workers ?? 1) > 1 ? ['-w', String(s.workers)] : []), s.url],
  }),
  /** @param {LoadSpec} s */
  hey: (o, s) => ({ cmd: peer('hey', o).path, args: ['-z', `${s.seconds}s`, '-c', String(s.connections), s.url] }),
  /** @param {LoadSpec} s */
  locust: (o, s) => {
    const u = new URL(s.url);
    return {
      cmd: peer('locust', o).path,
      args: ['-f', join(BENCH_DIR, 'peers', 'locustfile.py'), '--headless', '-u', String(s.connections), '-r', String(s.connections), '-t', `${s.seconds}s`, '--host', u.origin, '--only-summary', '--loglevel', 'WARNING'],
      env: { BENCH_PATH: u.pathname },
    };
  },
  /** @param {LoadSpec} s */
  artillery: (o, s) => {
    const u = new URL(s.url);
    mkdirSync(WORK_DIR, { recursive: true });
    const file = join(WORK_DIR, 'artillery-http.yml');
    writeFileSync(
      file,
      `config:
  target: "${u.origin}"
  processor: "${join(BENCH_DIR, 'peers', 'artillery-processor.cjs')}"
  phases:
    - duration: 1
      arrivalCount: ${s.connections}
scenarios:
  - flow:
      - loop:
          - get:
              url: "${u.pathname}"
        whileTrue: "untilDeadline"
`,
    );
    return {
      cmd: NODE,
      args: [peer('artillery', o).path, 'run', '--quiet', file],
      env: { BENCH_SECONDS: String(s.seconds), ARTILLERY_DISABLE_TELEMETRY: 'true' },
    };
  },
};

/** The peer each tool needs (null: nothing beyond Node and this repository). */
export const PEER_OF = { agentload: null, 'undici-loop': null, wrk: 'wrk', autocannon: 'autocannon', hey: 'hey', locust: 'locust', artillery: 'artillery' };

/** Version string of a tool for the tables. */
export function versionOf(o, tool) {
  if (tool === 'agentload') return agentloadOf(o.agentload).version;
  if (tool === 'undici-loop') return `undici (reference)`;
  const p = peer(PEER_OF[tool], o);
  return p.ok ? p.version : '';
}
