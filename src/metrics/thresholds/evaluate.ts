import type { RunMetrics } from '../run-metrics.ts';
import { statOf } from '../values.ts';
import { checkAggregation, compare, type ParsedExpression, type ParsedKey } from './parse.ts';
import type { MetricType } from '../metric.ts';

export interface ThresholdSpec {
  readonly key: ParsedKey;
  readonly expr: ParsedExpression;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
}

export interface ThresholdResult {
  readonly key: string;
  readonly expression: string;
  readonly ok: boolean;
  /** The measured value the expression was compared with (null when the metric has no data). */
  readonly value: number | null;
  readonly abortOnFail: boolean;
}

/** Validate every threshold against the known metric types; returns all errors at once. */
export function validateThresholds(specs: readonly ThresholdSpec[], typeOf: (metric: string) => MetricType | undefined): string[] {
  const errors: string[] = [];
  for (const t of specs) {
    const type = typeOf(t.key.metric);
    if (type === undefined) {
      errors.push(`threshold "${t.expr.source}" on ${t.key.source}: no metric named "${t.key.metric}" is defined`);
      continue;
    }
    const msg = checkAggregation(t.expr, t.key, type);
    if (msg !== undefined) errors.push(msg);
  }
  return errors;
}

/**
 * Evaluates thresholds over everything measured so far (k6's window: the
 * whole test). A metric with no samples is evaluated on zeros, as k6 does.
 */
export class ThresholdEvaluator {
  constructor(
    readonly specs: readonly ThresholdSpec[],
    private readonly typeOf: (metric: string) => MetricType | undefined,
  ) {}

  evaluate(metrics: RunMetrics, durationSec: number): ThresholdResult[] {
    return this.specs.map((t) => {
      const type = metrics.get(t.key.metric)?.info.type ?? this.typeOf(t.key.metric);
      const acc = metrics.query(t.key.metric, t.key.selector);
      let value: number | null = null;
      if (type !== undefined) {
        value = acc === undefined ? 0 : (statOf(acc, type, t.expr.aggregation, durationSec) ?? null);
      }
      const ok = value !== null && Number.isFinite(value) && compare(value, t.expr.operator, t.expr.value);
      return { key: t.key.source, expression: t.expr.source, ok, value, abortOnFail: t.abortOnFail };
    });
  }

  /** The first threshold that asks to abort the run now, if any. */
  shouldAbort(results: readonly ThresholdResult[], elapsedMs: number): ThresholdResult | undefined {
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as ThresholdResult;
      const spec = this.specs[i] as ThresholdSpec;
      if (!r.ok && spec.abortOnFail && elapsedMs >= spec.delayAbortEvalMs) return r;
    }
    return undefined;
  }
}
