import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../../config/config-file.ts';
import { EnvironmentError, resolveEnvironment, wsFrom } from '../../config/environments.ts';
import type { Command } from 'commander';
import { ConfigError, TestRun } from '../../engine/controller.ts';
import { ScriptError } from '../../engine/script-loader.ts';
import { resultsDirFor, stamp, writeResults } from '../../outputs/results-folder.ts';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { DashboardError, LiveDashboard } from '../../outputs/dashboard/dashboard-server.ts';
import { renderJunit } from '../../report/junit.ts';
import { renderMarkdown } from '../../report/markdown.ts';
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
      onLog: (line) => progress.log(`${errColor ? '\x1b[33m' : ''}WARN${errColor ? '\x1b[0m' : ''} ${redact(line, secrets)}`),
      onPlan: (plan, workers) => {
        dashboard?.setPlan({ name: plan.name, scenarios: plan.scenarios.map((s) => ({ name: s.name, executor: s.executor, description: executorOf(s).describe(s) })) });
        if (flags.quiet === true) return;
        process.stderr.write(`\n  agentload  ${plan.name}${plan.profile === null ? '' : `  profile ${plan.profile}`}${plan.timeScale === 1 ? '' : `  time-scale ${plan.timeScale}x`}\n`);
        process.stderr.write(`  workers: ${workers}${plan.http.baseUrl === '' ? '' : `  target: ${withoutCredentials(plan.http.baseUrl)}`}\n`);
        for (const s of plan.scenarios) process.stderr.write(`  * ${s.name}: ${executorOf(s).describe(s)}\n`);
        process.stderr.write('\n');
      },
    });
  } catch (e) {
    if (e instanceof FlagError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.INVALID_CONFIG;
    }
    throw e;
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

  let signals = 0;
  let writing = false;
  // listened to until the summary is written: a signal while it is written must not kill the process
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (writing) {
      progress.log(`${sig}: the test has stopped; writing the summary`);
    } else if (signals === 1) {
      progress.log(`${sig}: stopping gracefully (iterations get their gracefulStop); press Ctrl-C again to stop now`);
      run.stop(`stopped by ${sig}`);
    } else {
      progress.log(`${sig}: stopping now`);
      run.hardStop(`stopped by ${sig}`);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    let outcome: RunOutcome;
    try {
      outcome = await run.start();
    } catch (e) {
      progress.done();
      await dashboard?.close();
      if (e instanceof ConfigError) {
        process.stderr.write(`error: ${e.message}\n`);
        return EXIT.INVALID_CONFIG;
      }
      if (e instanceof ScriptError) {
        process.stderr.write(`error: script error: ${e.message}\n`);
        return EXIT.SCRIPT_ERROR;
      }
      throw e;
    }
    writing = true;
    progress.done();
    // and those the plan named (the LLM key, A2A tokens, credential headers): for everything written from here
    secrets = run.secrets;

    const summary = buildSummary(outcome, { stdout: process.stdout.isTTY === true, stderr: process.stderr.isTTY === true });
    const text = redact(textSummary(summary, { color }), secrets);
    process.stdout.write(`\n${text}\n\n`);
    const dir = resultsDirFor(resolve(flags.resultsDir), outcome.meta.name || basename(script), new Date(outcome.meta.startedAt));
    writeResults(dir, { summary, text, timeseries: outcome.timeseries, metrics: outcome.metrics, secrets });
    ctx.resultsDir = dir;
    // --junit / --markdown: the file asked for, and a copy in the results folder
    for (const [file, name, render] of [
      [flags.junit, 'junit.xml', renderJunit],
      [flags.markdown, 'summary.md', renderMarkdown],
    ] as const) {
      if (file === undefined) continue;
      const data = redact(render(summary), secrets);
      writeFileAtomic(join(dir, name), data);
      writeFileAtomic(resolve(file), data);
    }
    if (flags.summaryExport !== undefined) writeFileAtomic(resolve(flags.summaryExport), redact(`${JSON.stringify(summary, null, 2)}\n`, secrets));
    if (!quiet) process.stderr.write(`  results: ${dir}\n`);
    const code = await finishRunGate(gate, { outcome, summary, resultsDir: dir, secrets, color, markdownFile: flags.markdown });
    // recorded now: report.html gets the trend over the last runs of this test and environment
    addTrendToReport(gate.settings.historyPath, dir, { summary, timeseries: outcome.timeseries, metrics: outcome.metrics, secrets });
    if (dashboard !== null) {
      // after the trend was added, so that the dashboard offers the same report as the file
      const reportPath = join(dir, 'report.html');
      if (!quiet) process.stderr.write(`  dashboard: the final report is at ${dashboard.url}report\n`);
      await dashboard.finish({ status: outcome.meta.status, exitCode: outcome.meta.exitCode, reportPath }, readFileSync(reportPath, 'utf8'), { progress: null, points: outcome.timeseries, metrics: outcome.metrics });
    }
    return code;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
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
  });
}
