import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import pc from 'picocolors';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { stamp } from '../../outputs/results-folder.ts';
import { startTarget, type TargetHandle } from '../../reference-target/index.ts';
import { EXIT } from '../exit-codes.ts';
import { listSuites, runCommand, suitesDir, type RunFlags, type RunContext } from './run.ts';

export interface DemoFlags {
  resultsDir: string;
  suites: string;
  timeScale?: string;
  workers?: string;
  junit?: string;
  markdown?: string;
  history: boolean;
  thresholds: boolean;
  quiet?: boolean;
  color: boolean;
}

/**
 * How the demo compresses each suite: a time scale that brings the seed's
 * shape down to seconds, and the suite's own options (SUITE_SCALE shrinks
 * user counts and amounts of work; thresholds on latency stay the seeds').
 * Together they run in well under two minutes on a 2-core machine.
 */
interface DemoRun {
  readonly timeScale: number;
  readonly env: Readonly<Record<string, string>>;
  readonly profile?: string;
}

const DEMO_RUNS: Readonly<Record<string, DemoRun>> = {
  smoke: { timeScale: 30, env: {} },
  api: { timeScale: 200, env: { SUITE_SCALE: '0.1' } },
  a2a: { timeScale: 120, env: { SUITE_SCALE: '0.1' } },
  websocket: { timeScale: 120, env: { SUITE_SCALE: '0.1', SESSION_SECONDS: '2-4', PRESENCE_INTERVAL: '1', OP_INTERVAL: '0.2-0.5' } },
  platform: { timeScale: 60, env: { SUITE_SCALE: '0.1' }, profile: 'baseline' },
  backpressure: { timeScale: 12, env: { SUITE_SCALE: '0.3' } },
  endpoints: { timeScale: 60, env: { SUITE_SCALE: '0.01', ENDPOINTS_WARMUP: '180s' } },
  orchestration: { timeScale: 30, env: { SUITE_SCALE: '0.05', ORCH_CACHE_SECONDS: '60' } },
  demo: { timeScale: 1, env: {} },
};

export const DEFAULT_DEMO_SUITES = 'smoke,api,a2a,websocket,platform,backpressure,endpoints,orchestration';

/** Set shell variables for one suite (its load shape reads them at load time); returns the undo. */
function withShellEnv(env: Readonly<Record<string, string>>): () => void {
  const before = new Map<string, string | undefined>();
  for (const [k, v] of Object.entries(env)) {
    before.set(k, process.env[k]);
    process.env[k] = v;
  }
  return () => {
    for (const [k, v] of before) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
}

/**
 * `agentload demo`: start the reference target in this process on a free
 * port, run the seeds' suites against it one after the other on compressed
 * shapes (through the same path as `agentload run --suite`), write one results
 * folder per suite plus an index, print a verdict per suite, stop the target.
 * The exit code is the first failing suite's, else 0.
 */
export async function demoCommand(flags: DemoFlags): Promise<number> {
  const names = flags.suites.split(',').map((s) => s.trim()).filter((s) => s !== '');
  const known = listSuites();
  const unknown = names.filter((n) => !known.includes(n) || DEMO_RUNS[n] === undefined);
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(`error: --suites "${flags.suites}": unknown suite ${unknown.map((n) => `"${n}"`).join(', ') || '(none given)'} (known: ${Object.keys(DEMO_RUNS).join(', ')})\n`);
    return EXIT.USAGE;
  }
  const factor = flags.timeScale === undefined ? 1 : Number(flags.timeScale);
  if (!(factor > 0)) {
    process.stderr.write(`error: --time-scale "${flags.timeScale}" must be a number above 0\n`);
    return EXIT.USAGE;
  }
  let target: TargetHandle;
  try {
    // The demo's target ignores DATABASE_URL and friends: it is self-contained.
    target = await startTarget({ port: 0, db: ':memory:', redisUrl: null, amqpUrl: null, token: null });
  } catch (e) {
    process.stderr.write(`error: the demo target could not start: ${(e as Error).message}\n`);
    return EXIT.INVALID_CONFIG;
  }
  const color = flags.color && process.stdout.isTTY === true;
  const say = (s: string): void => {
    if (flags.quiet !== true) process.stderr.write(s);
  };
  say(`\n  demo target: ${target.url} (SQLite in memory, mock LLM, A2A agent)\n  suites: ${names.join(', ')}\n`);
  const index: { suite: string; exitCode: number; resultsDir: string | null }[] = [];
  let exitCode: number = EXIT.OK;
  try {
    for (const name of names) {
      const demo = DEMO_RUNS[name] as DemoRun;
      const env = { API_URL: target.url, BASE_URL: target.url, WS_URL: target.wsUrl, ...demo.env };
      const undo = withShellEnv(env);
      const ctx: RunContext = { suite: name, environment: 'local', target: target.url, extraEnv: env };
      const runFlags: RunFlags = {
        resultsDir: flags.resultsDir,
        timeScale: String(demo.timeScale * factor),
        profile: demo.profile,
        workers: flags.workers,
        junit: flags.junit === undefined ? undefined : flags.junit.replace(/(\.xml)?$/, `.${name}$1`),
        markdown: flags.markdown === undefined ? undefined : flags.markdown.replace(/(\.md)?$/, `.${name}$1`),
        history: flags.history ? undefined : false,
        quiet: flags.quiet,
        color: flags.color,
        thresholds: flags.thresholds,
      };
      let code: number;
      try {
        code = await runCommand(join(suitesDir(), `${name}.ts`), runFlags, ctx);
      } finally {
        undo();
      }
      index.push({ suite: name, exitCode: code, resultsDir: ctx.resultsDir ?? null });
      if (code !== EXIT.OK && exitCode === EXIT.OK) exitCode = code;
      if (code === EXIT.INTERRUPTED) break;
    }
  } finally {
    await target.close();
  }
  const file = join(resolve(flags.resultsDir), `${stamp(new Date())}-demo.index.json`);
  writeFileAtomic(file, `${JSON.stringify({ suites: index, exitCode, target: 'in-process reference target' }, null, 2)}\n`);
  const mark = (c: number): string => (c === EXIT.OK ? (color ? pc.green('passed') : 'passed') : color ? pc.red(`exit ${c}`) : `exit ${c}`);
  process.stdout.write(`\n  demo: ${index.length} suites against the reference target\n`);
  for (const r of index) process.stdout.write(`    ${r.suite.padEnd(14)} ${mark(r.exitCode).padEnd(color ? 17 : 8)} ${r.resultsDir === null ? '' : join(r.resultsDir, 'report.html')}\n`);
  process.stdout.write(`  index: ${file}\n`);
  return exitCode;
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('start the reference target in-process and run the seeds\' suites against it on compressed shapes: full reports in under two minutes')
    .option('--results-dir <dir>', 'where results/<time>-<name>/ folders go', 'results')
    .option('--suites <list>', `comma-separated suites to run ("demo" is a one-scenario-per-interface tour)`, DEFAULT_DEMO_SUITES)
    .option('--time-scale <factor>', 'compress every suite further (2 runs them in half the time)')
    .option('--workers <n>', 'worker threads (default: one per core)')
    .option('--junit <file>', 'also write JUnit XML, one file per suite (FILE.<suite>.xml)')
    .option('--markdown <file>', 'also write a Markdown summary, one file per suite (FILE.<suite>.md)')
    .option('--no-history', 'do not record the runs in the history')
    .option('--no-thresholds', 'do not evaluate thresholds (latency budgets depend on the machine)')
    .option('-q, --quiet', 'no progress line, no per-suite summaries')
    .option('--no-color', 'no colours even in a terminal')
    .addHelpText(
      'after',
      `
The suites run at a tenth of the seeds' users (SUITE_SCALE) with their shapes
compressed (--time-scale per suite); latency, error and completion thresholds
are the seeds' own. Each suite writes its own results folder with report.html;
an index file lists them.

Exit codes: 0 when every suite passed, else the first failing suite's code as
\`agentload run\` gives it (99 thresholds failed, 105 interrupted, ...); 2 for
bad flags; 104 when the target cannot start.

Examples:
  agentload demo
  agentload demo --suites smoke,api --results-dir /tmp/agentload-demo
  agentload demo --suites demo`,
    )
    .action(async (flags: DemoFlags) => {
      process.exitCode = await demoCommand(flags);
    });
}
