import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricType } from '../metrics/metric.ts';
import { writeFileAtomic } from '../outputs/atomic-write.ts';
import type { SummaryThreshold } from '../report/summary-json.ts';
import { RUN_STATUSES, type RunMeta } from '../types/run-outcome.ts';
import type { RecordMetric, RunRecord } from './run-record.ts';

/** Where committed baselines live unless configured otherwise. */
export const DEFAULT_BASELINES_DIR = 'baselines';

/**
 * A committed baseline: `baselines/<suite>.<env>.json`. It holds one run or
 * several (several make comparisons noise-aware), each with its metrics,
 * submetrics by tag and thresholds — readable JSON, reviewable in a diff.
 */
export interface BaselineFile {
  readonly agentloadBaseline: 1;
  readonly name: string;
  readonly savedAt: string;
  readonly runs: readonly RunRecord[];
}

/** A file or folder that cannot be used as a comparison input; `file` is named in the message. */
export class InputError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'InputError';
  }
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'rate', 'trend']);

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Check the metrics of a run record read from JSON; throws InputError naming `file`. */
export function checkMetrics(metrics: unknown, file: string, where: string): Record<string, RecordMetric> {
  if (!isObject(metrics)) throw new InputError(file, `${where}: "metrics" must be an object`);
  for (const [key, m] of Object.entries(metrics)) {
    if (!isObject(m) || !TYPES.has(m.type as MetricType) || !isObject(m.values)) {
      throw new InputError(file, `${where}: metric "${key}" must have a type (counter, gauge, rate, trend) and values`);
    }
    for (const [stat, v] of Object.entries(m.values)) {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(file, `${where}: metric "${key}" value "${stat}" is not a number (${JSON.stringify(v)})`);
    }
  }
  return metrics as Record<string, RecordMetric>;
}

const META_FIELDS: Readonly<Record<string, readonly ['string' | 'number' | 'array', boolean]>> = {
  // field: [type, may be null]; what compare, baseline names and the history read
  suite: ['string', true],
  profile: ['string', true],
  environment: ['string', true],
  target: ['string', true],
  gitCommit: ['string', true],
  stopReason: ['string', true],
  version: ['string', false],
  script: ['string', false],
  endedAt: ['string', false],
  segment: ['string', false],
  durationMs: ['number', false],
  timeScale: ['number', false],
  workers: ['number', false],
  exitCode: ['number', false],
  scenarios: ['array', false],
  envKeys: ['array', false],
};

/** Check a run's meta read from JSON: the fields it must have, and the types of those it may have. */
export function checkMeta(meta: unknown, file: string, where: string): RunMeta {
  if (!isObject(meta) || typeof meta.name !== 'string' || typeof meta.status !== 'string' || typeof meta.startedAt !== 'string') {
    throw new InputError(file, `${where}: "meta" must hold at least name, status and startedAt`);
  }
  // the partial summary.json a run writes while it goes: left by a run that was killed, or one still running
  if (meta.partial === true || meta.status === 'running') {
    const at = typeof meta.updatedAt === 'string' ? `, last written ${meta.updatedAt}` : '';
    throw new InputError(file, `${where}: the partial results of a run that did not end (killed, or still running${at}); use a finished run`);
  }
  if (!(RUN_STATUSES as readonly string[]).includes(meta.status)) {
    throw new InputError(file, `${where}: "meta.status" ${JSON.stringify(meta.status)} is not a status agentload writes (${RUN_STATUSES.join(', ')})`);
  }
  for (const [field, [type, nullable]] of Object.entries(META_FIELDS)) {
    const v = meta[field];
    if (v === undefined || (v === null && nullable)) continue;
    const ok = type === 'array' ? Array.isArray(v) : type === 'number' ? typeof v === 'number' && Number.isFinite(v) : typeof v === type;
    if (!ok) throw new InputError(file, `${where}: "meta.${field}" must be ${type === 'array' ? 'a list' : `a ${type}`}${nullable ? ' or null' : ''}, got ${JSON.stringify(v)}`);
  }
  return meta as unknown as RunMeta;
}

/** Check a run's thresholds read from JSON (absent is none). */
export function checkThresholds(list: unknown, file: string, where: string): SummaryThreshold[] {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new InputError(file, `${where}: "thresholds" must be a list`);
  list.forEach((t: unknown, i: number) => {
    if (!isObject(t) || typeof t.metric !== 'string' || typeof t.expression !== 'string' || typeof t.ok !== 'boolean') {
      throw new InputError(file, `${where}: thresholds[${i}] must hold metric, expression and ok, got ${JSON.stringify(t)}`);
    }
  });
  return list as SummaryThreshold[];
}

/** Parse a baseline file's JSON (already read); throws InputError naming `file`. */
export function parseBaseline(data: unknown, file: string): BaselineFile {
  if (!isObject(data) || data.agentloadBaseline !== 1) throw new InputError(file, 'not an agentload baseline file (no "agentloadBaseline": 1)');
  if (!Array.isArray(data.runs) || data.runs.length === 0) throw new InputError(file, 'a baseline must hold at least one run in "runs"');
  const runs = data.runs.map((r: unknown, i: number): RunRecord => {
    const where = `runs[${i}]`;
    if (!isObject(r)) throw new InputError(file, `${where} is not an object`);
    return { source: `${file}#${i + 1}`, meta: r.meta === null ? null : checkMeta(r.meta, file, where), metrics: checkMetrics(r.metrics, file, where), thresholds: checkThresholds(r.thresholds, file, where) };
  });
  return { agentloadBaseline: 1, name: typeof data.name === 'string' ? data.name : '', savedAt: typeof data.savedAt === 'string' ? data.savedAt : '', runs };
}

/** The path of a named baseline. */
export function baselinePath(dir: string, name: string): string {
  return join(dir, `${name}.json`);
}

/** A baseline as JSON with one line per metric, so that a diff shows which numbers moved. */
export function baselineJson(file: BaselineFile): string {
  const indent = (text: string, by: string): string => text.replace(/\n/g, `\n${by}`);
  const runs = file.runs.map((r) => {
    const metrics = Object.entries(r.metrics).map(([k, m]) => `        ${JSON.stringify(k)}: ${JSON.stringify(m)}`);
    return [
      '    {',
      `      "source": ${JSON.stringify(r.source)},`,
      `      "meta": ${indent(JSON.stringify(r.meta, null, 2), '      ')},`,
      `      "thresholds": ${JSON.stringify(r.thresholds)},`,
      `      "metrics": {${metrics.length === 0 ? '}' : `\n${metrics.join(',\n')}\n      }`}`,
      '    }',
    ].join('\n');
  });
  return `{\n  "agentloadBaseline": 1,\n  "name": ${JSON.stringify(file.name)},\n  "savedAt": ${JSON.stringify(file.savedAt)},\n  "runs": [\n${runs.join(',\n')}\n  ]\n}\n`;
}

/** Write a baseline file (atomically). */
export function writeBaseline(path: string, name: string, runs: readonly RunRecord[], at = new Date()): BaselineFile {
  const file: BaselineFile = {
    agentloadBaseline: 1,
    name,
    savedAt: at.toISOString(),
    runs: runs.map((r) => ({ source: r.source, meta: r.meta, metrics: r.metrics, thresholds: r.thresholds })),
  };
  writeFileAtomic(path, baselineJson(file));
  return file;
}

/** Names of the baselines in a folder. */
export function listBaselines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();
}
