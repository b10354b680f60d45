import type { Summary, SummaryThreshold } from './summary-json.ts';
import { formatNumber, formatPercent, formatValue } from './format.ts';

/** The aggregation a threshold expression tests: `p(95) < 500` → `p(95)`. */
export function thresholdStat(expression: string): string {
  return expression.replace(/\s*(===|==|!=|>=|<=|>|<).*$/, '').replace(/\s+/g, '');
}

/**
 * The measured value of a threshold as a person reads it, in the metric's unit:
 * `p(95)=212.40ms`, `rate=0.40%`, `count=1200`; `no data` when nothing was measured.
 */
export function thresholdMeasured(t: SummaryThreshold, summary: Summary): string {
  if (t.value === null) return 'no data';
  const stat = thresholdStat(t.expression);
  const m = summary.metrics[t.metric];
  if (m === undefined) return `${stat}=${formatNumber(t.value)}`;
  if (stat === 'rate' && m.type === 'rate') return `${stat}=${formatPercent(t.value)}`;
  return `${stat}=${formatValue(t.value, stat === 'count' || stat === 'rate' ? 'default' : m.contains)}`;
}
