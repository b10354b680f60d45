import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/config-file.ts';
import { EnvironmentError, resolveEnvironment, wsFrom } from '../../config/environments.ts';
import type { Command } from 'commander';
import { TestRun } from '../../engine/controller.ts';
import { ConfigError, StoppedBeforeStartError } from '../../engine/run-options.ts';
import { ScriptError } from '../../engine/script-loader.ts';
import { resultsDirFor, stamp } from '../../outputs/results-folder.ts';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { DashboardError, LiveDashboard } from '../../outputs/dashboard/dashboard-server.ts';
import { buildSummary } from '../../report/summary-json.ts';
import { textSummary } from '../../report/text-summary.ts';
import { executorOf } from '../../engine/executors/index.ts';
import type { RunOutcome } from '../../types/run-outcome.ts';
import { EXIT } from '../exit-codes.ts';
import type { AgentloadConfig } from '../../config/environments.ts';
import { finishRunGate, prepareRunGate } from './compare.ts';
import { addTrendToReport } from './report.ts';
import { redact } from '../../util/redact.ts';
import { withoutCredentials } from '../../util/url-credentials.ts';
import { ProgressRenderer } from '../progress.ts';
import { preflightOutputs, runOutputPaths } from '../preflight.ts';
import { RunFolder } from '../run-folder.ts';
import { STOP_BOUND_MS, StopGuard } from '../stop-guard.ts';
import {
  collect,
  FlagError,
  parseDurationFlag,
  parseKeyValues,
  parseOutputs,
  parsePositiveInt,
  parsePositiveNumber,
  parseSegment,
  parseStage,
} from '../parse-flags.ts';

export interface RunFlags {
  vus?: string;
  duration?: string;
  iterations?: string;
  stage?: string[];
  var?: string[];
  tag?: string[];
  profile?: string;
  timeScale?: string;
  workers?: string;
  segment?: string;
  thresholds: boolean;
  summaryExport?: string;
  out?: string[];
  resultsDir: string;
  baseUrl?: string;
  env?: string;
  config?: string;
  suite?: string;
  quiet?: boolean;
  color: boolean;
  junit?: string;
  markdown?: string;
  dashboard?: boolean;
  dashboardPort?: string;
  /** --baseline [name]: true compares with the conventional baselines/<suite>.<env>.json. */
  baseline?: string | boolean;
  /** --history PATH, or false for --no-history. */
  history?: string | boolean;
}

export function addRunOptions(cmd: Command): Command {
  return cmd
    .option('-u, --vus <n>', 'VUs of the implicit scenario')
    .option('-d, --duration <duration>', 'duration of the implicit scenario (30s, 5m, 1h)')
    .option('-i, --iterations <n>', 'iterations of the implicit scenario (shared by its VUs)')
    .option('-s, --stage <duration:target>', 'a ramping stage, repeatable: --stage 30s:100 --stage 1m:100', collect)
    .option('-e, --var <KEY=VALUE>', 'set ctx.env.KEY for the script (wins over the script\'s and scenarios\' env), repeatable', collect)
    .option('--tag <KEY=VALUE>', 'a tag on every sample of the run, repeatable', collect)
    .option('--profile <name>', 'apply a load profile: smoke, load (baseline), stress, spike, soak, breakpoint, or one the script defines')
    .option(
      '--time-scale <factor>',
      'divide the schedule\'s durations by this factor: stages, duration, startTime, gracefulStop, gracefulRampDown, maxDuration, delayAbortEval (20 runs a 20-minute profile in 1 minute); sleeps, waitTime think times, timeUnit and timeouts keep their length, so each VU\'s pace and the arrival rates stay as written',
    )
    .option('--workers <n>', 'worker threads (default: one per core; never more than the largest scenario\'s VUs, maxVUs for arrival-rate)')
    .option('--segment <i/n>', 'run only slice i of n of every scenario, i from 1 to n (split a test across machines; join the results with agentload merge)')
    .option('--no-thresholds', 'do not evaluate thresholds')
    .option('--summary-export <file>', 'also write summary.json to this file')
    .option('-o, --out <kind=file>', 'stream samples: json=FILE (JSON lines) or csv=FILE (k6 CSV columns), repeatable', collect)
    .option('--junit <file>', 'also write JUnit XML: one test case per threshold and per failed check')
    .option('--markdown <file>', 'also write a Markdown summary for pull-request comments')
    .option('--dashboard', 'serve a live web dashboard on 127.0.0.1 while the test runs')
    .option('--dashboard-port <port>', 'port of the live dashboard (default 5665; 0 picks a free port)')
    .option('--results-dir <dir>', 'where results/<time>-<name>/ folders go', 'results')
    .option('--base-url <url>', 'prefix for request URLs that start with "/"; overrides the environment\'s base URL, API_URL and WS_URL (derived: http→ws)')
    .option('--env <name>', 'environment from agentload.config.ts: local, staging, production or your own (sets the base URL, API_URL, WS_URL, AUTH_TOKEN, A2A_TOKEN); default: the config file\'s defaultEnvironment, if it sets one')
    .option('--config <file>', 'config file (default: ./agentload.config.ts if present; a missing file is exit 104)')
    .option('--baseline [name]', 'compare with a baseline at the end (a name in baselines/, a file, a results folder or history:last:N; alone: baselines/<suite>.<env>.json); exit 98 on regression')
    .option('--history <path>', 'record the run in this history file (default .agentload/history.db)')
    .option('--no-history', 'do not record the run in the history')
    .option('-q, --quiet', 'no header, progress line or results path (the summary is still printed)')
    .option('--no-color', 'no colours even in a terminal');
}

export interface RunContext {
  suite?: string | null;
  environment?: string | null;
  target?: string | null;
  extraEnv?: Record<string, string>;
  /** Values to redact from everything printed or written. */
  secrets?: readonly string[];
  /** Where the run's folder was written (set by runCommand). */
  resultsDir?: string;
  /** agentload.config.ts (regression rules, history, baselines). */
  config?: AgentloadConfig;
  /** Part of `--suite all`: a suite with fixed load runs as written under --profile. */
  allSuites?: boolean;
}

/** Run a script from parsed flags; returns the exit code. */
export async function runCommand(script: string, flags: RunFlags, ctx: RunContext = {}): Promise<number> {
  const color = flags.color && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
  const errColor = flags.color && process.stderr.isTTY === true && process.env.NO_COLOR === undefined;
  let secrets = ctx.secrets ?? [];
  const progress = new ProgressRenderer(process.stderr, errColor);
  const quiet = flags.quiet === true;
  const gate = prepareRunGate(flags, ctx.config);
  if ('code' in gate) {
    process.stderr.write(`error: ${gate.message}\n`);
    return gate.code;
  }
  let run: TestRun;
  let outputs: Record<string, string>;
  const wantDashboard = flags.dashboard === true || flags.dashboardPort !== undefined;
  let dashboard: LiveDashboard | null = null;
  const tty = { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true };
  const warn = (line: string): void => progress.log(`${errColor ? '\x1b[33m' : ''}WARN${errColor ? '\x1b[0m' : ''} ${redact(line, secrets)}`);
  // the run's folder: created once the plan is known, rewritten at each checkpoint, then by the final write
  const folder = new RunFolder({ root: resolve(flags.resultsDir), secrets, warn, tty, color });
  try {
    outputs = parseOutputs(flags.out);
    run = new TestRun({
      script,
      cli: {
        vus: parsePositiveInt(flags.vus, '--vus'),
        duration: parseDurationFlag(flags.duration, '--duration'),
        iterations: parsePositiveInt(flags.iterations, '--iterations'),
        stages: (flags.stage ?? []).map(parseStage),
        env: { ...(ctx.extraEnv ?? {}), ...parseKeyValues(flags.var, '-e') },
        tags: parseKeyValues(flags.tag, '--tag'),
        profile: flags.profile,
        profileWhereItApplies: ctx.allSuites === true,
        timeScale: parsePositiveNumber(flags.timeScale, '--time-scale', 0.001), // 1e-320 made every duration Infinity; 0.001 already stretches 1 minute to 17 hours
        noThresholds: !flags.thresholds,
        segment: parseSegment(flags.segment),
        baseUrl: flags.baseUrl ?? ctx.target ?? undefined,
      },
      workers: parsePositiveInt(flags.workers, '--workers'),
      secrets,
      jsonOut: outputs.json,
      csvOut: outputs.csv,
      suite: ctx.suite ?? null,
      environment: ctx.environment ?? null,
      target: ctx.target ?? null,
      onProgress:
        quiet && !wantDashboard
          ? undefined
          : (p) => {
              if (!quiet) progress.update(p);
              dashboard?.update(p, run.timeseries, run.metrics);
            },
      onLog: warn,
      onPlan: (plan, workers) => {
        const dir = folder.open(plan.name || basename(script));
        dashboard?.setPlan({ name: plan.name, scenarios: plan.scenarios.map((s) => ({ name: s.name, executor: s.executor, description: executorOf(s).describe(s) })) });
        if (flags.quiet === true) return;
        process.stderr.write(`\n  agentload  ${plan.name}${plan.profile === null ? '' : `  profile ${plan.profile}`}${plan.timeScale === 1 ? '' : `  time-scale ${plan.timeScale}x`}\n`);
        process.stderr.write(`  workers: ${workers}${plan.http.baseUrl === '' ? '' : `  target: ${withoutCredentials(plan.http.baseUrl)}`}\n`);
        for (const s of plan.scenarios) process.stderr.write(`  * ${s.name}: ${executorOf(s).describe(s)}\n`);
        process.stderr.write(`  results: ${dir}\n\n`);
      },
      onCheckpoint: (o) => folder.checkpoint(o),
    });
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.INVALID_CONFIG;
    }
    throw e;
  }

  // every output is checked before anything is loaded: an unwritable path must not cost a whole test
  const problems = preflightOutputs(runOutputPaths({ ...flags, json: outputs.json, csv: outputs.csv }));
  if (problems.length > 0) {
    for (const p of problems) process.stderr.write(`error: ${p}\n`);
    return EXIT.INVALID_CONFIG;
  }

  if (wantDashboard) {
    try {
      dashboard = await LiveDashboard.start({ port: parsePositiveInt(flags.dashboardPort, '--dashboard-port', 0) });
    } catch (e) {
      if (!(e instanceof DashboardError || e instanceof FlagError)) throw e;
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.INVALID_CONFIG;
    }
    process.stderr.write(`  dashboard: ${dashboard.url}\n`);
  }

  let finalCode: number | null = null;
  const guard = new StopGuard(run, {
    log: (line) => progress.log(line),
    // the hard-stopped run did not return in time: what was measured so far is the result
    force: () => {
      if (finalCode !== null) process.exit(finalCode);
      const snap = run.snapshot();
      progress.done();
      progress.log(`the run did not end within ${STOP_BOUND_MS / 1000}s of the stop: ${snap === null ? 'nothing was measured' : 'writing what was measured until now'}`);
      const dir = snap === null ? null : folder.writeOutcome(snap);
      if (dir !== null && !quiet) process.stderr.write(`  results: ${dir}\n`);
      process.exit(EXIT.INTERRUPTED);
    },
  });
  // an exception nothing caught (a bug): the last checkpoint is brought up to date before the process ends
  // thrown on the main thread by code the script's top level started (a timer, an event handler): the run stops now, ends as a script error (107)
  let mainThreadError: string | null = null;
  const onCrash = (e: unknown): void => {
    const stack = e instanceof Error ? (e.stack ?? e.message) : String(e);
    if (stack.includes(resolve(script)) || stack.includes('agentload-bundle-')) {
      if (mainThreadError !== null) return;
      mainThreadError = redact(`the script threw on the main thread: ${e instanceof Error ? e.message : String(e)}`, secrets);
      progress.log(`error: script error: the script threw on the main thread, outside any iteration (from code its top level started); stopping now: ${redact(stack, secrets)}`);
      run.hardStop(mainThreadError);
      return;
    }
    process.stderr.write(`agentload: internal error: ${stack}\n`);
    const snap = run.snapshot();
    if (snap !== null) folder.checkpointNow(snap);
    process.exit(1);
  };
  process.on('SIGINT', guard.onSignal);
  process.on('SIGTERM', guard.onSignal);
  process.on('uncaughtException', onCrash);

  try {
    let outcome: RunOutcome;
    try {
      outcome = await run.start();
      if (mainThreadError !== null) outcome = { ...outcome, meta: { ...outcome.meta, status: 'script-error', exitCode: EXIT.SCRIPT_ERROR, stopReason: mainThreadError } };
    } catch (e) {
      progress.done();
      await dashboard?.close();
      if (e instanceof ConfigError) {
        process.stderr.write(`error: ${e.message}\n`);
        return EXIT.INVALID_CONFIG;
      }
      if (e instanceof StoppedBeforeStartError) {
        process.stderr.write(`  ${e.message}\n`);
        return mainThreadError === null ? EXIT.INTERRUPTED : EXIT.SCRIPT_ERROR;
      }
      const snap = run.snapshot();
      // the checkpoint being written lands first: what comes next replaces it
      await folder.settle();
      if (e instanceof ScriptError) {
        await folder.close();
        process.stderr.write(`error: script error: ${e.message}\n`);
        // failed after the plan was known (setup(), a worker's import): what was measured is kept
        const dir = snap === null ? null : folder.writeOutcome({ ...snap, meta: { ...snap.meta, status: 'script-error', exitCode: EXIT.SCRIPT_ERROR, stopReason: redact(e.message, secrets) } });
        if (dir !== null && !quiet) process.stderr.write(`  results: ${dir}\n`);
        return EXIT.SCRIPT_ERROR;
      }
      if (snap !== null) folder.checkpointNow(snap);
      throw e;
    }
    guard.writing();
    progress.done();
    // and those the plan named (the LLM key, A2A tokens, credential headers): for everything written from here
    secrets = run.secrets;
    await folder.close();

    const summary = buildSummary(outcome, tty);
    const text = redact(textSummary(summary, { color }), secrets);
    process.stdout.write(`\n${text}\n\n`);
    const dir = folder.dir ?? resultsDirFor(resolve(flags.resultsDir), outcome.meta.name || basename(script), new Date(outcome.meta.startedAt));
    folder.write(outcome, summary, text, dir);
    ctx.resultsDir = dir;
    folder.writeExtras(summary, dir, { junit: flags.junit, markdown: flags.markdown, summaryExport: flags.summaryExport });
    if (!quiet) process.stderr.write(`  results: ${dir}\n`);
    finalCode = outcome.meta.exitCode;
    const code = await finishRunGate(gate, { outcome, summary, resultsDir: dir, secrets, color, markdownFile: flags.markdown });
    finalCode = code;
    // recorded now: report.html gets the trend over the last runs of this test and environment
    try {
      addTrendToReport(gate.settings.historyPath, dir, { summary, timeseries: outcome.timeseries, metrics: outcome.metrics, secrets });
    } catch (e) {
      warn(`could not add the trend to ${join(dir, 'report.html')}: ${(e as Error).message}`);
    }
    if (dashboard !== null) {
      // after the trend was added, so that the dashboard offers the same report as the file
      const reportPath = join(dir, 'report.html');
      if (!quiet) process.stderr.write(`  dashboard: the final report is at ${dashboard.url}report\n`);
      const html = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '<!doctype html><p>report.html could not be written</p>';
      await dashboard.finish({ status: outcome.meta.status, exitCode: outcome.meta.exitCode, reportPath }, html, { progress: null, points: outcome.timeseries, metrics: outcome.metrics });
    }
    return code;
  } finally {
    guard.finished();
    if (guard.hard) hardStopped = true;
    process.off('SIGINT', guard.onSignal);
    process.off('SIGTERM', guard.onSignal);
    process.off('uncaughtException', onCrash);
  }
}

/** A run of this process was stopped by a second signal (see exitIfStopped). */
let hardStopped = false;

/**
 * After a command that ran tests: a run stopped by a second signal may leave handles the script opened
 * (a request its top level still awaits) that would keep the process alive; it ends now, with `code`.
 */
export function exitIfStopped(code: number): void {
  if (hardStopped) process.exit(code);
}

/** The suites shipped with agentload (suites/*.ts next to src/ and dist/). */
export function suitesDir(): string {
  return fileURLToPath(new URL('../../../suites/', import.meta.url));
}

export function listSuites(): string[] {
  const dir = suitesDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .map((f) => f.slice(0, -3))
    .sort();
}

const SEVERITY = [EXIT.SCRIPT_ERROR, EXIT.INVALID_CONFIG, EXIT.ABORTED_BY_SCRIPT, EXIT.INTERRUPTED, EXIT.THRESHOLDS_FAILED];

/** The exit code of several runs: the most severe one. */
export function worstExitCode(codes: readonly number[]): number {
  for (const c of SEVERITY) if (codes.includes(c)) return c;
  return codes.find((c) => c !== 0) ?? 0;
}

/** `run --suite NAME|all`: the seeds' load-test.sh [scenario] [environment] in one command. */
async function runSuites(suite: string, flags: RunFlags, ctx: RunContext): Promise<number> {
  const known = listSuites();
  const names = suite === 'all' ? known.filter((n) => n !== 'demo') : [suite];
  for (const n of names) {
    if (!known.includes(n)) {
      process.stderr.write(`error: --suite "${n}": no such suite (known: ${[...known, 'all'].join(', ')})\n`);
      return EXIT.INVALID_CONFIG;
    }
  }
  const index: { suite: string; exitCode: number; resultsDir: string | null }[] = [];
  for (const n of names) {
    const runCtx: RunContext = { ...ctx, suite: n, allSuites: suite === 'all' };
    const code = await runCommand(join(suitesDir(), `${n}.ts`), flags, runCtx);
    index.push({ suite: n, exitCode: code, resultsDir: runCtx.resultsDir ?? null });
    if (code === EXIT.INTERRUPTED) break;
  }
  const exitCode = worstExitCode(index.map((r) => r.exitCode));
  if (names.length > 1) {
    const file = join(resolve(flags.resultsDir), `${stamp(new Date())}-suites-${ctx.environment ?? 'local'}.index.json`);
    writeFileAtomic(file, `${JSON.stringify({ suites: index, exitCode, environment: ctx.environment ?? null, profile: flags.profile ?? null }, null, 2)}\n`);
    process.stderr.write(`\n  suites: ${index.map((r) => `${r.suite}=${r.exitCode}`).join('  ')}\n  index: ${file}\n`);
  }
  return exitCode;
}

/** Resolve --config/--env, then run a script or suites. */
export async function runEntry(script: string | undefined, flags: RunFlags): Promise<number> {
  let config;
  let configPath: string | null;
  try {
    ({ config, path: configPath } = await loadConfig(process.cwd(), flags.config));
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return e instanceof ScriptError ? EXIT.SCRIPT_ERROR : EXIT.INVALID_CONFIG;
  }
  let ctx: RunContext = {};
  // an environment applies with --env, with --suite, and when the config file found names a defaultEnvironment
  if (flags.env !== undefined || flags.suite !== undefined || (configPath !== null && config.defaultEnvironment !== undefined)) {
    try {
      const env = resolveEnvironment(config, flags.env, process.env);
      const extraEnv = { ...env.env };
      if (flags.baseUrl !== undefined) {
        // --base-url moves the whole target: API_URL and the WS_URL derived from it (-e WS_URL=… still wins)
        extraEnv.API_URL = flags.baseUrl.replace(/\/$/, '');
        extraEnv.WS_URL = wsFrom(extraEnv.API_URL);
      }
      ctx = { environment: env.name, target: flags.baseUrl ?? env.baseUrl, extraEnv, secrets: env.secretValues };
    } catch (e) {
      if (!(e instanceof EnvironmentError)) throw e;
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.INVALID_CONFIG;
    }
  }
  ctx.config = config;
  if (flags.suite !== undefined) {
    if (script !== undefined) {
      process.stderr.write('error: give a script or --suite, not both\n');
      return EXIT.USAGE;
    }
    return runSuites(flags.suite, flags, ctx);
  }
  if (script === undefined) {
    process.stderr.write('error: missing script (or --suite NAME)\n');
    return EXIT.USAGE;
  }
  return runCommand(script, flags, ctx);
}

/** `agentload run <script>` */
export function registerRun(program: Command): void {
  addRunOptions(
    program
      .command('run')
      .description('run a test script (TypeScript or JavaScript) and write results/<time>-<name>/')
      .argument('[script]', 'the test script, e.g. tests/api.ts (or use --suite)')
      .option('--suite <name>', 'run a built-in suite instead of a script: smoke, api, a2a, websocket, platform, backpressure, endpoints, orchestration, or all')
      .addHelpText(
        'after',
        `
Exit codes: 0 passed, 99 thresholds failed, 104 invalid options or config, 105 stopped by a signal,
            107 script error, 108 aborted by the script (ctx.abortTest()),
            98 regression against --baseline (when nothing else failed),
            2 bad command line or unusable baseline, 1 internal error.

Examples:
  agentload run tests/api.ts
  agentload run tests/api.ts --profile stress --time-scale 20
  agentload run tests/api.ts --vus 10 --duration 30s --base-url http://127.0.0.1:8088
  agentload run tests/api.ts -e TENANT=acme        # the script reads ctx.env.TENANT
  agentload run tests/api.ts --stage 30s:50 --stage 1m:50 --stage 30s:0 --out json=samples.jsonl`,
      ),
  ).action(async (script: string | undefined, flags: RunFlags) => {
    process.exitCode = await runEntry(script, flags);
    exitIfStopped(process.exitCode);
  });
}
