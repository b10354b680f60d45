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
 * first matches it (so that a signal is not sent before the CLI listens for it, however slow the machine),
 * or — with `when` — once that condition holds (checked on output and every 50 ms: a file the run writes).
 * Signals with a condition are sent in order: each waits until the one before it was sent.
 */
export interface SignalSpec {
  afterMs: number;
  signal: NodeJS.Signals;
  afterOutput?: RegExp;
  when?: () => boolean;
}

export interface CliOptions {
  signals?: SignalSpec[];
  timeoutMs?: number;
  /** Extra environment (e.g. TMPDIR, to see exactly which temporary folders a run leaves). */
  env?: Record<string, string>;
}

/** Run the agentload CLI (the build) with a fresh results folder (unless args give --results-dir); optionally send signals. */
export function runCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  const given = args.indexOf('--results-dir');
  const resultsDir = given === -1 ? mkdtempSync(join(tmpdir(), 'agentload-results-')) : (args[given + 1] as string);
  return new Promise((resolve, reject) => {
    const withResults = (args[0] === 'run' || args[0] === 'demo') && given === -1 ? [...args, '--results-dir', resultsDir] : args;
    const child = spawn(process.execPath, [BIN, ...withResults], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    let stdout = '';
    let stderr = '';
    const timers: NodeJS.Timeout[] = [];
    const waiting = (opts.signals ?? []).filter((s) => s.afterOutput !== undefined || s.when !== undefined);
    const onOutput = (): void => {
      // in order: a signal waits for the ones before it (a second SIGINT is not sent before the first)
      while (waiting.length > 0) {
        const s = waiting[0] as SignalSpec;
        if (s.afterOutput !== undefined && !s.afterOutput.test(stdout + stderr)) return;
        if (s.when !== undefined && !s.when()) return;
        waiting.shift();
        timers.push(setTimeout(() => child.kill(s.signal), s.afterMs));
      }
    };
    const poll = setInterval(onOutput, 50);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      onOutput();
    });
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      onOutput();
    });
    for (const s of opts.signals ?? []) if (s.afterOutput === undefined && s.when === undefined) timers.push(setTimeout(() => child.kill(s.signal), s.afterMs));
    const kill = setTimeout(() => {
      child.kill('SIGKILL');
      clearInterval(poll);
      reject(new Error(`agentload ${args.join(' ')} did not finish in time\n${stderr}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearInterval(poll);
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
