/**
 * Run a shipped suite end to end: the reference target in this process, the
 * real CLI (`agentload run --suite NAME`, the build) in a child process,
 * pointed at the target through API_URL / WS_URL as the seeds' scripts are.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../src/report/summary-json.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentload.js');

export interface SuiteRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: Summary;
}

export interface SuiteRunOptions {
  /** Base URL of the target (API_URL); WS_URL is derived from it. */
  target: string;
  /** --time-scale */
  timeScale: number;
  /** SUITE_SCALE and any other shell variables. */
  env?: Record<string, string>;
  args?: string[];
  timeoutMs?: number;
}

/** `agentload run --suite NAME` against `target`; resolves with the exit code, output and summary.json. */
export async function runSuite(name: string, o: SuiteRunOptions): Promise<SuiteRun> {
  const r = await runSuiteRaw(name, o);
  if (r.summary === null) throw new Error(`suite ${name}: no results folder (exit ${r.code})\n${r.stderr}\n${r.stdout}`);
  return { ...r, summary: r.summary };
}

/** The same, for runs that may stop before writing results (summary null then). */
export function runSuiteRaw(name: string, o: SuiteRunOptions): Promise<Omit<SuiteRun, 'summary'> & { summary: Summary | null }> {
  const resultsDir = mkdtempSync(join(tmpdir(), `agentload-suite-${name}-`));
  const args = [BIN, 'run', '--suite', name, '--time-scale', String(o.timeScale), '--results-dir', resultsDir, '--no-history', '--quiet', '--workers', '1', ...(o.args ?? [])];
  const env = { ...process.env, NO_COLOR: '1', API_URL: o.target, WS_URL: o.target.replace(/^http/, 'ws'), ...(o.env ?? {}) };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`suite ${name} did not finish in time\n${stderr}`));
    }, o.timeoutMs ?? 90_000);
    child.on('close', (code) => {
      clearTimeout(kill);
      const runs = readdirSync(resultsDir);
      const summary = runs.length === 1 ? (JSON.parse(readFileSync(join(resultsDir, runs[0] as string, 'summary.json'), 'utf8')) as Summary) : null;
      resolve({ code, stdout, stderr, summary });
    });
  });
}

/** The thresholds of a summary that failed, as "metric expression (value)" lines for assertion messages. */
export function failedThresholds(s: Summary): string[] {
  return s.agentload.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression} (measured ${String(t.value)})`);
}

/** The threshold keys a run evaluated. */
export function thresholdMetrics(s: Summary): Set<string> {
  return new Set(s.agentload.thresholds.map((t) => t.metric));
}
