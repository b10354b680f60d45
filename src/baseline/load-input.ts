import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { RunMetrics } from '../metrics/run-metrics.ts';
import { DEFAULT_TREND_STATS } from '../metrics/values.ts';
import type { SeriesFile } from '../outputs/results-folder.ts';
import type { MetricType, ValueKind } from '../metrics/metric.ts';
import { baselinePath, checkMeta, checkMetrics, checkThresholds, InputError, parseBaseline } from './baseline-file.ts';
import { expandGlob, isGlob } from './glob.ts';
import type { HistoryFilter, HistoryStore } from './history-store.ts';
import { recordKey } from './rules.ts';
import { submetricsOf, type RecordMetric, type RunRecord } from './run-record.ts';

/** How comparison inputs are found. */
export interface InputContext {
  /** Where bare names are looked up as NAME.json (default baselines/). */
  readonly baselinesDir: string;
  /** Submetric keys to compute from series.json beyond the single-tag ones (multi-tag rule selectors). */
  readonly extraKeys?: readonly string[];
  /** Opens the history, on first use of a history reference. */
  readonly history?: () => HistoryStore;
  /** Which runs `history:last[:N]` chooses among (same test, environment, profile). */
  readonly historyFilter?: HistoryFilter;
}

/**
 * What one side of a comparison may be given as:
 *
 *   results/20250226-101500-api     a results folder (summary.json, series.json)
 *   results/                         a folder of results folders: every run in it
 *   'results/*-api'                  a glob (quoted, expanded by agentload)
 *   path/summary.json                a summary (agentload's, or k6's handleSummary/--summary-export)
 *   baselines/api.staging.json       a baseline file (one run or several)
 *   api.staging                      the same, by name (looked up in the baselines folder)
 *   history:42  |  42                a run in the history
 *   history:last  |  history:last:5  the newest runs of the same test, environment and profile
 */
export function loadRuns(spec: string, ctx: InputContext): RunRecord[] {
  if (spec.startsWith('history:')) return fromHistory(spec, ctx);
  if (isGlob(spec) && !existsSync(spec)) {
    const matches = expandGlob(spec);
    if (matches.length === 0) throw new InputError(spec, 'no file or folder matches this pattern');
    return matches.flatMap((m) => loadPath(m, ctx));
  }
  if (existsSync(spec)) return loadPath(spec, ctx);
  const named = baselinePath(ctx.baselinesDir, spec);
  if (!spec.includes('/') && existsSync(named)) return loadPath(named, ctx);
  if (/^\d+$/.test(spec)) return fromHistory(`history:${spec}`, ctx);
  throw new InputError(spec, `no such file, results folder, baseline (${named}) or history run`);
}

function fromHistory(spec: string, ctx: InputContext): RunRecord[] {
  const ref = spec.slice('history:'.length);
  if (ctx.history === undefined) throw new InputError(spec, 'the history is turned off (--no-history)');
  const store = ctx.history();
  if (/^\d+$/.test(ref)) {
    const run = store.get(Number(ref));
    if (run === undefined) throw new InputError(spec, `no run ${ref} in the history ${store.path}`);
    return [run];
  }
  const m = /^last(?::(\d+))?$/.exec(ref);
  if (m === null) throw new InputError(spec, 'a history reference is history:ID, history:last or history:last:N');
  const n = Number(m[1] ?? 1);
  // past 2^53 the number is rounded, and SQLite refuses it as a LIMIT
  if (n < 1 || !Number.isSafeInteger(n)) throw new InputError(spec, `history:last:N needs 1 <= N <= ${Number.MAX_SAFE_INTEGER}`);
  const filter: HistoryFilter = { statuses: ['passed', 'thresholds-failed'], ...(ctx.historyFilter ?? {}), limit: n };
  const runs = store.list(filter);
  if (runs.length === 0) {
    const what = [filter.test, filter.environment, filter.profile].filter((x) => x !== undefined && x !== null).join(', ');
    throw new InputError(spec, `no completed run in the history ${store.path}${what === '' ? '' : ` for ${what}`}`);
  }
  return runs;
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(path, `cannot be read (${(e as Error).message})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new InputError(path, `not valid JSON (${(e as Error).message})`);
  }
}

function loadPath(path: string, ctx: InputContext): RunRecord[] {
  if (statSync(path).isDirectory()) {
    if (existsSync(join(path, 'summary.json'))) return [loadResultsFolder(path, ctx)];
    const runs = readdirSync(path)
      .sort()
      .map((n) => join(path, n))
      .filter((p) => statSync(p).isDirectory() && existsSync(join(p, 'summary.json')));
    if (runs.length === 0) throw new InputError(path, 'not a results folder (no summary.json) and holds no results folders');
    return runs.map((p) => loadResultsFolder(p, ctx));
  }
  const data = readJson(path);
  if (typeof data === 'object' && data !== null && 'agentloadBaseline' in data) return [...parseBaseline(data, path).runs];
  const seriesPath = join(resolve(path, '..'), 'series.json');
  return [fromSummary(data, path, basename(path) === 'summary.json' && existsSync(seriesPath) ? seriesPath : undefined, ctx)];
}

function loadResultsFolder(dir: string, ctx: InputContext): RunRecord {
  const series = join(dir, 'series.json');
  return fromSummary(readJson(join(dir, 'summary.json')), join(dir, 'summary.json'), existsSync(series) ? series : undefined, ctx, dir);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TIME_NAME = /duration|latency|_time|rtt|ttft|itl|tpot|e2e|connecting|blocked|sending|waiting|receiving|handshaking/;

/** A metric of k6's --summary-export (no `type`, values inline). */
function fromK6Export(name: string, m: Record<string, unknown>): RecordMetric | undefined {
  const nums: Record<string, number> = {};
  for (const [k, v] of Object.entries(m)) if (typeof v === 'number' && Number.isFinite(v)) nums[k] = v;
  let type: MetricType;
  if ('passes' in nums) {
    type = 'rate';
    if (nums.value !== undefined) nums.rate = nums.value;
  } else if ('avg' in nums || 'med' in nums) type = 'trend';
  else if ('count' in nums) type = 'counter';
  else if ('value' in nums) type = 'gauge';
  else return undefined;
  for (const p of ['p(90)', 'p(95)', 'p(99)']) if (nums[p] !== undefined) nums[p.replace(/[()]/g, '')] = nums[p] as number;
  const contains: ValueKind = type === 'trend' && TIME_NAME.test(name) ? 'time' : 'default';
  return { type, contains, values: nums };
}

function fromSummary(data: unknown, file: string, seriesPath: string | undefined, ctx: InputContext, source = file): RunRecord {
  if (!isObject(data) || !isObject(data.metrics)) throw new InputError(file, 'not a summary.json (no "metrics" object), results folder or baseline file');
  const agentload = isObject(data.agentload) ? data.agentload : undefined;
  const metrics: Record<string, RecordMetric> = {};
  for (const [raw, m] of Object.entries(data.metrics)) {
    if (!isObject(m)) throw new InputError(file, `metric "${raw}" is not an object`);
    if (isObject(m.values)) metrics[recordKey(raw)] = { type: m.type as MetricType, contains: (m.contains as ValueKind | undefined) ?? 'default', values: m.values as Record<string, number> };
    else {
      const converted = fromK6Export(raw, m);
      if (converted !== undefined) metrics[recordKey(raw)] = converted;
    }
  }
  checkMetrics(metrics, file, 'summary');
  if (agentload === undefined) return { source, meta: null, metrics, thresholds: [] };
  const meta = checkMeta(agentload.meta, file, 'agentload');
  const thresholds = checkThresholds(agentload.thresholds, file, 'agentload');
  if (seriesPath === undefined) return { source, meta, metrics, thresholds };
  const series = readJson(seriesPath) as Partial<SeriesFile>;
  if (!isObject(series) || series.version !== 1 || !Array.isArray(series.series)) throw new InputError(seriesPath, 'not an agentload series.json (version 1)');
  const run = new RunMetrics();
  try {
    run.ingest(series.series);
  } catch (e) {
    throw new InputError(seriesPath, `unreadable series (${(e as Error).message})`);
  }
  const trendStats = isObject(data.options) && Array.isArray(data.options.summaryTrendStats) ? (data.options.summaryTrendStats as string[]) : undefined;
  const sub = submetricsOf(run, meta.durationMs / 1000, trendStats ?? DEFAULT_TREND_STATS, ctx.extraKeys ?? []);
  return { source, meta, metrics: { ...sub, ...metrics }, thresholds };
}
