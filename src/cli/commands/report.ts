import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { HistoryError, HistoryStore, type HistoryRun } from '../../baseline/history-store.ts';
import { testOf, valueOf } from '../../baseline/run-record.ts';
import { gateSettings } from '../../baseline/settings.ts';
import { loadConfig } from '../../config/config-file.ts';
import type { TimePoint } from '../../metrics/timeseries.ts';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { writeReportHtml, type ReportFiles, type SeriesFile } from '../../outputs/results-folder.ts';
import { renderHtmlReport } from '../../report/html/render-html-report.ts';
import { DEFAULT_TREND_LATENCY, DEFAULT_TREND_RUNS, hasTrend, type RunTrend, type RunTrendPoint } from '../../report/html/trend-panel.ts';
import { renderJunit } from '../../report/junit.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import type { Summary } from '../../report/summary-json.ts';
import { EXIT } from '../exit-codes.ts';

/** A results folder that cannot be read: the message names the file and what is wrong. */
export class ReportInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportInputError';
  }
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ReportInputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

export interface ResultsFolder {
  summary: Summary;
  timeseries: TimePoint[];
  series: SeriesFile | undefined;
  /** Files that were missing (the report is built without them). */
  missing: string[];
}

/** Read a results folder: summary.json is required; timeseries.json and series.json add charts and breakdowns. */
export function readResultsFolder(dir: string): ResultsFolder {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ReportInputError(`${dir}: no such results folder`);
  const summaryPath = join(dir, 'summary.json');
  if (!existsSync(summaryPath)) throw new ReportInputError(`${summaryPath}: missing (is ${dir} a results folder?)`);
  const summary = readJson<Summary>(summaryPath);
  if (typeof summary !== 'object' || summary === null || summary.agentload?.meta === undefined || typeof summary.metrics !== 'object') {
    throw new ReportInputError(`${summaryPath}: not an agentload summary (no agentload.meta or metrics)`);
  }
  const missing: string[] = [];
  let timeseries: TimePoint[] = [];
  const tsPath = join(dir, 'timeseries.json');
  if (existsSync(tsPath)) {
    const ts = readJson<unknown>(tsPath);
    if (!Array.isArray(ts)) throw new ReportInputError(`${tsPath}: expected an array of time points`);
    timeseries = ts as TimePoint[];
  } else missing.push('timeseries.json');
  let series: SeriesFile | undefined;
  const seriesPath = join(dir, 'series.json');
  if (existsSync(seriesPath)) {
    const s = readJson<SeriesFile>(seriesPath);
    if (s.version !== 1 || !Array.isArray(s.series)) throw new ReportInputError(`${seriesPath}: not an agentload series file (version 1)`);
    series = s;
  } else missing.push('series.json');
  return { summary, timeseries, series, missing };
}

// ---------------------------------------------------------------------------
// The trend panel: the last runs of the same test and environment, from the history

/** The trend's latency metric: the first of these the run has (HTTP first). */
const TREND_LATENCY = [DEFAULT_TREND_LATENCY, 'llm_e2e', 'a2a_task_duration', 'ws_msg_rtt'];

/** A run of the history as a point of the trend panel. */
export function trendPoint(run: HistoryRun, latencyMetric: string = DEFAULT_TREND_LATENCY): RunTrendPoint {
  const v = (key: string, stat: string): number | null => valueOf(run, key, stat) ?? null;
  const m = run.meta;
  return {
    runId: run.id,
    time: m.startedAt,
    p95: v(latencyMetric, 'p(95)'),
    p99: v(latencyMetric, 'p(99)'),
    errorRate: v('http_req_failed', 'rate'),
    rps: v('http_reqs', 'rate'),
    verdict: m.status === 'passed' && run.regression === true ? 'regression' : m.status,
    profile: m.profile,
    gitCommit: m.gitCommit,
  };
}

/**
 * The trend of a run: the newest `limit` runs of its test and environment up
 * to and including it, oldest first. The run is found by its start time (and
 * its results folder when several runs started at once), so a folder that
 * was moved still finds it. null when the history has no record of it.
 */
export function runTrend(store: HistoryStore, summary: Summary, resultsDir?: string, limit = DEFAULT_TREND_RUNS): RunTrend | null {
  const meta = summary.agentload.meta;
  const test = testOf(meta);
  const same = store.list({ test, environment: meta.environment, startedAt: meta.startedAt, limit: 100 });
  const run = same.find((r) => resultsDir !== undefined && r.resultsDir === resultsDir) ?? same[0];
  if (run === undefined) return null;
  const runs = store.list({ test, environment: meta.environment, upTo: { startedAt: run.meta.startedAt, id: run.id }, limit }).reverse();
  const latencyMetric = TREND_LATENCY.find((k) => valueOf(run, k, 'p(95)') !== undefined) ?? DEFAULT_TREND_LATENCY;
  return { test, environment: meta.environment, points: runs.map((r) => trendPoint(r, latencyMetric)), currentRunId: run.id, latencyMetric };
}

/** runTrend from a history file, opened read-only; null when there is no such file. Throws HistoryError when the file cannot be used. */
export function readRunTrend(historyPath: string, summary: Summary, resultsDir?: string, limit = DEFAULT_TREND_RUNS): RunTrend | null {
  if (!existsSync(historyPath)) return null;
  const store = HistoryStore.open(historyPath, { readonly: true });
  try {
    return runTrend(store, summary, resultsDir, limit);
  } finally {
    store.close();
  }
}

/**
 * After `agentload run` recorded the run: rewrite its report.html with the
 * trend panel when the history holds two runs or more of its test and
 * environment. A history that cannot be read is a warning, never a failure.
 */
export function addTrendToReport(historyPath: string | null, dir: string, files: ReportFiles): void {
  if (historyPath === null) return;
  let trend: RunTrend | null;
  try {
    trend = readRunTrend(historyPath, files.summary, dir);
  } catch (e) {
    process.stderr.write(`  warning: no trend panel in the report: ${(e as Error).message}\n`);
    return;
  }
  if (trend !== null && hasTrend(trend)) writeReportHtml(dir, { ...files, trend });
}

interface ReportFlags {
  output?: string;
  junit?: string;
  markdown?: string;
  /** --history PATH: the history to take the trend from. */
  history?: string;
  /** false with --no-trend. */
  trend?: boolean;
}

/** The history file `report` reads: --history, else the config's (unless it turns the history off), else the default. */
async function reportHistoryPath(flags: ReportFlags): Promise<string | null> {
  if (flags.history !== undefined) return resolve(flags.history);
  try {
    return gateSettings((await loadConfig(process.cwd())).config).historyPath;
  } catch (e) {
    process.stderr.write(`  warning: no trend panel: the config could not be read (${(e as Error).message})\n`);
    return null;
  }
}

/** The trend for `report`, with a line saying what was found. Throws ReportInputError for an explicit --history that cannot be used. */
async function reportTrend(folder: ResultsFolder, dir: string, flags: ReportFlags): Promise<RunTrend | undefined> {
  if (flags.trend === false) return undefined;
  const path = await reportHistoryPath(flags);
  if (path === null) return undefined;
  if (flags.history !== undefined && !existsSync(path)) throw new ReportInputError(`--history ${flags.history}: no such history file (${path})`);
  let trend: RunTrend | null;
  try {
    trend = readRunTrend(path, folder.summary, dir);
  } catch (e) {
    const message = e instanceof HistoryError ? e.message : `${path}: ${(e as Error).message}`;
    if (flags.history !== undefined) throw new ReportInputError(`--history: ${message}`);
    process.stderr.write(`  warning: no trend panel: ${message}\n`);
    return undefined;
  }
  if (trend === null) {
    if (existsSync(path)) process.stderr.write(`  note: the run is not in the history ${path}: no trend panel\n`);
    return undefined;
  }
  if (trend.points.length < 2) {
    process.stderr.write(`  note: the history has no other run of ${trend.test}: no trend panel\n`);
    return undefined;
  }
  process.stderr.write(`  trend: ${trend.points.length} runs from ${path}\n`);
  return trend;
}

/** `agentload report RESULTS_DIR`: rebuild report.html (and optionally JUnit/Markdown) from a results folder. */
export async function reportCommand(dirArg: string, flags: ReportFlags): Promise<number> {
  const dir = resolve(dirArg);
  let folder: ResultsFolder;
  try {
    folder = readResultsFolder(dir);
  } catch (e) {
    if (!(e instanceof ReportInputError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.USAGE;
  }
  if (folder.missing.length > 0) process.stderr.write(`  note: ${folder.missing.join(' and ')} not found in ${dir}: the report has fewer charts and breakdowns\n`);
  let trend: RunTrend | undefined;
  try {
    trend = await reportTrend(folder, dir, flags);
  } catch (e) {
    if (!(e instanceof ReportInputError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.USAGE;
  }
  const out = resolve(flags.output ?? join(dir, 'report.html'));
  writeFileAtomic(out, renderHtmlReport(folder.summary, folder.timeseries, { series: folder.series, footer: dir, trend }));
  process.stderr.write(`  report: ${out}\n`);
  if (flags.junit !== undefined) {
    writeFileAtomic(resolve(flags.junit), renderJunit(folder.summary));
    process.stderr.write(`  junit: ${resolve(flags.junit)}\n`);
  }
  if (flags.markdown !== undefined) {
    writeFileAtomic(resolve(flags.markdown), renderMarkdown(folder.summary));
    process.stderr.write(`  markdown: ${resolve(flags.markdown)}\n`);
  }
  return EXIT.OK;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('rebuild report.html of a results folder from its summary.json, timeseries.json and series.json')
    .argument('<results-dir>', 'a results folder, e.g. results/20261123-142501-api')
    .option('-o, --output <file>', 'where to write the HTML report (default: <results-dir>/report.html)')
    .option('--junit <file>', 'also write JUnit XML (one test case per threshold and failed check)')
    .option('--markdown <file>', 'also write a Markdown summary for pull-request comments')
    .option('--history <path>', `take the trend panel (the last ${DEFAULT_TREND_RUNS} runs of the same test and environment) from this history file (default: the config's history.path, else .agentload/history.db)`)
    .option('--no-trend', 'leave the trend panel out')
    .addHelpText(
      'after',
      '\nExamples:\n  agentload report results/20261123-142501-api\n  agentload report results/20261123-142501-api --junit junit.xml --markdown summary.md\n  agentload report results/20261123-142501-api --history ci-cache/history.db',
    )
    .action(async (dir: string, flags: ReportFlags) => {
      process.exitCode = await reportCommand(dir, flags);
    });
}
