import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Summary } from '../../dist/report/summary-json.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentload.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  resultsDir: string;
}

/**
 * A signal to send: `afterMs` after the start, or — with `afterOutput` — `afterMs` after stdout or stderr
 * first matches it (so that a signal is not sent before the CLI listens for it, however slow the machine).
 */
export interface SignalSpec {
  afterMs: number;
  signal: NodeJS.Signals;
  afterOutput?: RegExp;
}

/** Run the agentload CLI (the build) with a fresh results folder; optionally send signals. */
export function runCli(args: string[], opts: { signals?: SignalSpec[]; timeoutMs?: number } = {}): Promise<CliResult> {
  const resultsDir = mkdtempSync(join(tmpdir(), 'agentload-results-'));
  return new Promise((resolve, reject) => {
    const withResults = args[0] === 'run' || args[0] === 'demo' ? [...args, '--results-dir', resultsDir] : args;
    const child = spawn(process.execPath, [BIN, ...withResults], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    const timers: NodeJS.Timeout[] = [];
    const waiting = (opts.signals ?? []).filter((s) => s.afterOutput !== undefined);
    const onOutput = (): void => {
      for (const s of [...waiting]) {
        if ((s.afterOutput as RegExp).test(stdout + stderr)) {
          waiting.splice(waiting.indexOf(s), 1);
          timers.push(setTimeout(() => child.kill(s.signal), s.afterMs));
        }
      }
    };
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onOutput();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      onOutput();
    });
    for (const s of opts.signals ?? []) if (s.afterOutput === undefined) timers.push(setTimeout(() => child.kill(s.signal), s.afterMs));
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agentload ${args.join(' ')} did not finish in time\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      for (const t of timers) clearTimeout(t);
      clearTimeout(kill);
      resolve({ code, stdout, stderr, resultsDir });
    });
  });
}

/** The summary.json of the only run in a results folder. */
export function readSummary(resultsDir: string): Summary {
  const runs = readdirSync(resultsDir);
  if (runs.length !== 1) throw new Error(`expected one run folder in ${resultsDir}, found ${runs.length}`);
  return JSON.parse(readFileSync(join(resultsDir, runs[0] as string, 'summary.json'), 'utf8')) as Summary;
}

export const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', name);
