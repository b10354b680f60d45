import type { MetricType } from '../metrics/metric.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { IntervalStats, TimePoint } from '../metrics/timeseries.ts';
import { ThresholdEvaluator, type ThresholdSpec } from '../metrics/thresholds/evaluate.ts';
import { parseExpression, parseKey } from '../metrics/thresholds/parse.ts';
import { EXIT_CODES, type RunOutcome, type IterationError, type RunStatus } from '../types/run-outcome.ts';
import { registry } from '../metrics/builtin.ts';
import type { Summary } from './summary-json.ts';
import { errorTemplate, listErrors } from '../util/error-template.ts';

export interface MergePart {
  /** Where the part comes from (its folder), for error messages. */
  readonly source: string;
  readonly summary: Summary;
  readonly timeseries: readonly TimePoint[];
}

/**
 * Per-second points of runs that ran side by side (segments on several
 * machines), aligned on elapsed seconds: counts add up, rates and averages are
 * weighted by count, gauges add up (VUs of all machines); per-second
 * percentiles take the highest part's (an upper bound: exact percentiles live
 * in the merged series, not in the per-second points).
 */
export function mergeTimeseries(parts: readonly (readonly TimePoint[])[], typeOf: (metric: string) => MetricType | undefined): TimePoint[] {
  const bySecond = new Map<number, TimePoint>();
  for (const points of parts) {
    for (const p of points) {
      const sec = Math.round(p.elapsed);
      let m = bySecond.get(sec);
      if (m === undefined) {
        m = { t: p.t, elapsed: sec, metrics: {} };
        bySecond.set(sec, m);
      }
      m.t = Math.max(m.t, p.t);
      for (const [name, s] of Object.entries(p.metrics)) {
        const prev = m.metrics[name];
        if (prev === undefined) {
          m.metrics[name] = { ...s };
          continue;
        }
        const count = prev.count + s.count;
        const type = typeOf(name);
        const additive = type === 'counter' || type === 'gauge';
        const merged: IntervalStats = {
          count,
          value: additive ? prev.value + s.value : count === 0 ? 0 : (prev.value * prev.count + s.value * s.count) / count,
        };
        for (const k of ['p50', 'p95', 'p99', 'max'] as const) {
          const a = prev[k];
          const b = s[k];
          if (a !== undefined || b !== undefined) merged[k] = Math.max(a ?? -Infinity, b ?? -Infinity);
        }
        m.metrics[name] = merged;
      }
    }
  }
  return [...bySecond.values()].sort((a, b) => a.elapsed - b.elapsed);
}

/** Folders that cannot be merged (duplicate or missing segments): `agentload merge` exits 2. */
export class MergeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MergeError';
  }
}

/**
 * The parts must be the segments 1/n … n/n of one split, each exactly once;
 * every problem is reported at once.
 */
export function checkSegments(parts: readonly MergePart[]): void {
  const problems: string[] = [];
  const byIndex = new Map<number, string>();
  let count: number | undefined;
  for (const p of parts) {
    const seg = p.summary.agentload.meta.segment;
    const m = /^(\d+)\/(\d+)$/.exec(seg);
    if (m === null) {
      problems.push(`${p.source}: segment "${seg}" is not i/n (a merged folder is not merged again: merge the segment folders themselves)`);
      continue;
    }
    const i = Number(m[1]);
    const n = Number(m[2]);
    if (count === undefined) count = n;
    else if (n !== count) {
      problems.push(`${p.source}: segment ${seg} belongs to a split in ${n}, the others to a split in ${count}`);
      continue;
    }
    const first = byIndex.get(i);
    if (first !== undefined) problems.push(`segment ${i}/${n} given twice: ${first} and ${p.source}`);
    else byIndex.set(i, p.source);
  }
  if (count !== undefined && problems.length === 0) {
    const missing: string[] = [];
    for (let i = 1; i <= count; i++) if (!byIndex.has(i)) missing.push(`${i}/${count}`);
    if (missing.length > 0) problems.push(`missing segment${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: merge all ${count} segments of the run (given: ${[...byIndex.keys()].sort((a, b) => a - b).map((i) => `${i}/${count}`).join(', ')})`);
  }
  if (problems.length > 0) throw new MergeError(problems.join('\n'));
}

/**
 * The thresholds of the merged run: the union of every part's (the same
 * script gives every segment the same ones; a segment run with
 * --no-thresholds does not drop them for the whole). A threshold given by
 * several parts is evaluated once; abortOnFail if any part had it.
 */
export function unionThresholds(parts: readonly MergePart[]): ThresholdSpec[] {
  const byKey = new Map<string, ThresholdSpec>();
  for (const p of parts) {
    for (const t of p.summary.agentload.thresholds) {
      const id = `${t.metric}\u0000${t.expression}`;
      const known = byKey.get(id);
      if (known === undefined) byKey.set(id, { key: parseKey(t.metric), expr: parseExpression(t.expression), abortOnFail: t.abortOnFail, delayAbortEvalMs: 0 });
      else if (t.abortOnFail && !known.abortOnFail) byKey.set(id, { ...known, abortOnFail: true });
    }
  }
  return [...byKey.values()];
}

/**
 * One outcome from the segments of a run: metrics merged exactly, thresholds
 * (the union of the parts') evaluated on the whole. Metrics a part knew but
 * that have no samples anywhere (iteration_errors in a clean run) are
 * declared, so that a threshold on them is evaluated on 0, as in a normal run
 * and in k6. Throws MergeError on duplicate or missing segments.
 */
export function mergedOutcome(parts: readonly MergePart[], metrics: RunMetrics): RunOutcome {
  const first = parts[0]?.summary;
  if (first === undefined) throw new MergeError('nothing to merge');
  checkSegments(parts);
  for (const p of parts) {
    for (const [name, m] of Object.entries(p.summary.metrics)) {
      if (!name.includes('{') && metrics.get(name) === undefined) metrics.declare({ name, type: m.type, contains: m.contains });
    }
  }
  const typeOf = (name: string): MetricType | undefined => metrics.get(name)?.info.type ?? registry.get(name)?.type;
  const durationMs = Math.max(...parts.map((p) => p.summary.agentload.meta.durationMs));
  const evaluator = new ThresholdEvaluator(unionThresholds(parts), typeOf);
  const thresholds = evaluator.evaluate(metrics, durationMs / 1000);
  const statuses = parts.map((p) => p.summary.agentload.meta.status);
  const failed = thresholds.some((t) => !t.ok);
  // a segment that was interrupted or aborted keeps its status; threshold results come from the whole
  const status: RunStatus = statuses.find((s) => s !== 'passed' && s !== 'thresholds-failed') ?? (failed ? 'thresholds-failed' : 'passed');
  const exitCode = EXIT_CODES[status];
  // kinds of error merged by template (parts written before templates existed: by the template of their message)
  const errors = new Map<string, IterationError>();
  let moreTemplates = 0;
  for (const p of parts) {
    moreTemplates += p.summary.agentload.errorsNotListed?.templates ?? 0;
    for (const e of p.summary.agentload.errors) {
      const template = e.template ?? errorTemplate(e.message);
      const known = errors.get(template);
      errors.set(template, known === undefined ? { ...e, template } : { ...known, count: known.count + e.count });
    }
  }
  const { listed, notListed } = listErrors([...errors.values()], metrics.get('iteration_errors')?.total.sum ?? 0, moreTemplates);
  const starts = parts.map((p) => Date.parse(p.summary.agentload.meta.startedAt));
  const ends = parts.map((p) => Date.parse(p.summary.agentload.meta.endedAt));
  return {
    meta: {
      ...first.agentload.meta,
      startedAt: new Date(Math.min(...starts)).toISOString(),
      endedAt: new Date(Math.max(...ends)).toISOString(),
      durationMs,
      workers: parts.reduce((a, p) => a + p.summary.agentload.meta.workers, 0),
      segment: `merged from ${parts.map((p) => p.summary.agentload.meta.segment).sort((a, b) => parseInt(a, 10) - parseInt(b, 10)).join(', ')}`,
      status,
      exitCode,
      stopReason: parts.map((p) => p.summary.agentload.meta.stopReason).find((r) => r !== null) ?? null,
    },
    metrics,
    thresholds,
    errors: listed,
    errorsNotListed: notListed,
    timeseries: mergeTimeseries(parts.map((p) => p.timeseries), (name) => metrics.get(name)?.info.type),
    summaryTrendStats: first.options.summaryTrendStats,
  };
}
