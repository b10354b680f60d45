/**
 * Compare runs with a baseline, metric by metric, under regression rules.
 *
 * The verdict rule (docs/baselines.md):
 * - A side's value is its run's value, or with several runs their geometric
 *   mean (relative rules) or arithmetic mean (absolute rules).
 * - Single run on each side: a change past its rule is a regression. The
 *   result says it is single-run: there is no estimate of noise.
 * - Several runs on either side: a change past its rule is a regression only
 *   if a one-sided t-test on the per-run values (log scale for relative
 *   rules, arcsine-root for rates) finds it significant at α (default 0.05)
 *   after Holm's adjustment across the metrics; otherwise it is "within
 *   noise". So with identical distributions a comparison flags anything at
 *   most α of the time.
 */
import type { MetricType, ValueKind } from '../metrics/metric.ts';
import { parseKey } from '../metrics/thresholds/parse.ts';
import { InputError } from './baseline-file.ts';
import { DEFAULT_ALPHA, type ChangeKind, type RegressionRule } from './rules.ts';
import { testOf, valueOf, type RunRecord } from './run-record.ts';
import { mean, shiftTest } from './statistics.ts';

export type Verdict = 'regression' | 'ok' | 'improvement' | 'within noise' | 'missing';

export interface ComparisonRow {
  /** For display: `http_req_duration p(95)`. */
  readonly metric: string;
  readonly key: string;
  readonly stat: string;
  /** The rule as written: "+20%". */
  readonly rule: string;
  readonly kind: ChangeKind;
  readonly type: MetricType | null;
  readonly contains: ValueKind;
  readonly baseline: number | null;
  readonly current: number | null;
  /** relative: a fraction (0.25 is +25 %); points: a difference of rates (0.002 is +0.2 pp); absolute: metric units. */
  readonly change: number | null;
  readonly runs: { readonly baseline: number; readonly current: number };
  /** One-sided p-value of "no change" against "worse", Holm-adjusted across the rows; null for a single-run comparison. */
  readonly p: number | null;
  /** The row's own p-value, before the adjustment. */
  readonly rawP: number | null;
  /** 1 − p: confidence that the metric really got worse; null for a single-run comparison. */
  readonly confidence: number | null;
  /** Interval of the change (in the unit of `change`) at level 1 − 2α: its worse-side bound is the one-sided 1 − α bound. */
  readonly interval: readonly [number, number] | null;
  /** The change is past the rule (before the noise test). */
  readonly exceeds: boolean;
  readonly verdict: Verdict;
}

export interface ComparisonSide {
  readonly sources: readonly string[];
  readonly runs: number;
  readonly test: string | null;
  readonly environment: string | null;
  readonly profile: string | null;
}

export interface ComparisonResult {
  readonly baseline: ComparisonSide;
  readonly current: ComparisonSide;
  readonly mode: 'single-run' | 'multi-run';
  readonly alpha: number;
  readonly rows: readonly ComparisonRow[];
  readonly regressions: number;
  readonly regression: boolean;
  readonly verdict: 'regression' | 'no regression';
  readonly warnings: readonly string[];
  /** One line on how the verdict was reached (single-run or noise-aware). */
  readonly note: string;
}

export interface CompareOptions {
  readonly rules: readonly RegressionRule[];
  readonly alpha?: number;
  /** Compare runs of different tests, profiles or time scales anyway. */
  readonly allowMismatch?: boolean;
}

/** Runs that are not comparable (different tests, profiles or time scales); names the file. */
export class MismatchError extends InputError {}

function describe(r: RunRecord): string {
  const m = r.meta;
  if (m === null) return 'a k6 summary';
  return `test "${testOf(m)}" (profile ${m.profile ?? 'none'}, time-scale ${m.timeScale})`;
}

/** Check that all runs are of one test, profile and time scale; returns warnings for lesser differences. */
export function checkComparable(baseline: readonly RunRecord[], current: readonly RunRecord[], allowMismatch = false): string[] {
  const all = [...baseline, ...current];
  const ref = all.find((r) => r.meta !== null);
  const warnings: string[] = [];
  for (const r of all) {
    const m = r.meta;
    if (m === null) continue;
    if (!['passed', 'thresholds-failed'].includes(m.status)) warnings.push(`${r.source}: the run ended as ${m.status}; its numbers cover only part of the test`);
    if (ref === undefined || ref.meta === null || r === ref) continue;
    const rm = ref.meta;
    const same = testOf(m) === testOf(rm) && m.profile === rm.profile && m.timeScale === rm.timeScale;
    if (!same && !allowMismatch) {
      throw new MismatchError(r.source, `${describe(r)} does not match ${ref.source}: ${describe(ref)}; compare runs of one test, profile and time scale (or pass --allow-mismatch)`);
    }
    if (!same) warnings.push(`${r.source}: ${describe(r)} differs from ${ref.source}: ${describe(ref)}`);
    if (m.environment !== rm.environment) warnings.push(`${r.source}: environment ${m.environment ?? 'none'} differs from ${ref.source}: ${rm.environment ?? 'none'}`);
  }
  return [...new Set(warnings)];
}

/** Rule keys with `*` tag values, expanded to the concrete keys present in the runs. */
function expandKeys(rule: RegressionRule, runs: readonly RunRecord[]): string[] {
  if (!rule.key.includes('*')) return [rule.key];
  const pattern = parseKey(rule.key);
  const found = new Set<string>();
  for (const r of runs) {
    for (const key of Object.keys(r.metrics)) {
      if (!key.startsWith(`${pattern.metric}{`)) continue;
      let k: ReturnType<typeof parseKey>;
      try {
        k = parseKey(key);
      } catch {
        continue; // a tag value the selector grammar cannot hold: no rule can name it
      }
      if (k.selector.length !== pattern.selector.length) continue;
      const ok = pattern.selector.every(([t, v]) => k.selector.some(([t2, v2]) => t2 === t && (v === '*' || v2 === v)));
      if (ok) found.add(key);
    }
  }
  return [...found].sort();
}

function side(runs: readonly RunRecord[]): ComparisonSide {
  const meta = runs.find((r) => r.meta !== null)?.meta ?? null;
  return {
    sources: runs.map((r) => r.source),
    runs: runs.length,
    test: meta === null ? null : testOf(meta),
    environment: meta?.environment ?? null,
    profile: meta?.profile ?? null,
  };
}

function compareRow(rule: RegressionRule, key: string, baseline: readonly RunRecord[], current: readonly RunRecord[], alpha: number): ComparisonRow | undefined {
  const bv = baseline.map((r) => valueOf(r, key, rule.stat)).filter((v): v is number => v !== undefined);
  const cv = current.map((r) => valueOf(r, key, rule.stat)).filter((v): v is number => v !== undefined);
  if (bv.length === 0 && cv.length === 0) return undefined;
  const info = [...baseline, ...current].map((r) => r.metrics[key]).find((m) => m !== undefined);
  const base = {
    metric: `${key} ${rule.stat}`,
    key,
    stat: rule.stat,
    rule: rule.limit.source,
    kind: rule.limit.kind,
    type: info?.type ?? null,
    contains: info?.contains ?? 'default',
    runs: { baseline: bv.length, current: cv.length },
  };
  if (bv.length === 0 || cv.length === 0) {
    return { ...base, baseline: bv.length === 0 ? null : mean(bv), current: cv.length === 0 ? null : mean(cv), change: null, p: null, rawP: null, confidence: null, interval: null, exceeds: false, verdict: 'missing' };
  }
  const { worse, amount, kind } = rule.limit;
  // the test's scale: log for relative rules (ratios), arcsine-root for rates (stabilizes the variance of proportions)
  const logScale = kind === 'relative' && [...bv, ...cv].every((v) => v > 0);
  const rateScale = !logScale && info?.type === 'rate' && [...bv, ...cv].every((v) => v >= 0 && v <= 1);
  const transform = logScale ? Math.log : rateScale ? (v: number): number => Math.asin(Math.sqrt(v)) : (v: number): number => v;
  const tb = bv.map(transform);
  const tc = cv.map(transform);
  const sideValue = (raw: readonly number[], t: readonly number[]): number => (raw.length === 1 ? (raw[0] as number) : logScale ? Math.exp(mean(t)) : mean(raw));
  const b = sideValue(bv, tb);
  const c = sideValue(cv, tc);
  /** A difference on the test's scale, as a change in the rule's unit. */
  const toChange = (d: number): number => {
    if (logScale) return Math.exp(d) - 1;
    if (rateScale) {
      const at = mean(tb);
      const back = (x: number): number => Math.sin(Math.min(Math.PI / 2, Math.max(0, x))) ** 2;
      const raw = back(at + d) - back(at);
      return kind === 'relative' ? (b === 0 ? (raw === 0 ? 0 : raw > 0 ? Infinity : -Infinity) : raw / b) : raw;
    }
    if (kind !== 'relative') return d;
    return b === 0 ? (d === 0 ? 0 : d > 0 ? Infinity : -Infinity) : d / b;
  };
  const change = kind === 'relative' ? (b === 0 ? (c === 0 ? 0 : c > 0 ? Infinity : -Infinity) : c / b - 1) : c - b;
  // the seed's own form: worse when current > baseline × 1.2 (or + 0.001), with a hair of tolerance for rounding
  const past = (sign: 1 | -1): boolean => {
    const limit = kind === 'relative' ? b * (1 + sign * amount) : b + sign * amount;
    const eps = 1e-9 * Math.max(Math.abs(limit), 1e-12);
    return sign === 1 ? c > limit + eps : c < limit - eps;
  };
  const bigEnough = Math.abs(c - b) >= rule.minDelta && c !== b;
  const exceeds = bigEnough && past(worse === 'up' ? 1 : -1);
  const better = bigEnough && past(worse === 'up' ? -1 : 1);
  const test = Math.max(bv.length, cv.length) >= 2 ? shiftTest(tb, tc, worse, alpha) : undefined;
  if (test === undefined) {
    return { ...base, baseline: b, current: c, change, p: null, rawP: null, confidence: null, interval: null, exceeds, verdict: exceeds ? 'regression' : better ? 'improvement' : 'ok' };
  }
  // the verdict is set once every row's p-value is known (Holm's adjustment across rows)
  return {
    ...base,
    baseline: b,
    current: c,
    change,
    p: test.p,
    rawP: test.p,
    confidence: 1 - test.p,
    interval: [toChange(test.interval[0]), toChange(test.interval[1])],
    exceeds,
    verdict: better && 1 - test.p < alpha ? 'improvement' : 'ok',
  };
}

/**
 * Holm's step-down adjustment of the rows' p-values: with m tested rows,
 * the chance that any row of identical distributions is called significant
 * stays at most α (family-wise), where testing each at α would give up to m·α.
 */
export function holmAdjust(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(ps.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    out[i] = running;
  });
  return out;
}

/** Final verdicts of tested rows: past the rule and significant after adjustment is a regression, past the rule otherwise is within noise. */
function judge(rows: ComparisonRow[], alpha: number): ComparisonRow[] {
  const tested = rows.map((r, i) => [r, i] as const).filter(([r]) => r.rawP !== null);
  const adjusted = holmAdjust(tested.map(([r]) => r.rawP as number));
  const out = [...rows];
  tested.forEach(([r, i], k) => {
    const p = adjusted[k] as number;
    out[i] = { ...r, p, confidence: 1 - p, verdict: r.exceeds ? (p < alpha ? 'regression' : 'within noise') : r.verdict };
  });
  return out;
}

/** Compare current runs with baseline runs; throws MismatchError (an InputError) for runs that are not comparable. */
export function compareRuns(baseline: readonly RunRecord[], current: readonly RunRecord[], options: CompareOptions): ComparisonResult {
  if (baseline.length === 0) throw new InputError('baseline', 'no runs to compare with');
  if (current.length === 0) throw new InputError('current', 'no runs to compare');
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const warnings = checkComparable(baseline, current, options.allowMismatch);
  const all = [...baseline, ...current];
  const draft: ComparisonRow[] = [];
  for (const rule of options.rules) {
    for (const key of expandKeys(rule, all)) {
      const row = compareRow(rule, key, baseline, current, alpha);
      if (row !== undefined) draft.push(row);
    }
  }
  const rows = judge(draft, alpha);
  if (!rows.some((r) => r.verdict !== 'missing')) {
    const wanted = [...new Set(options.rules.map((r) => r.key))].join(', ');
    throw new InputError(current[0]?.source ?? 'current', `nothing to compare with ${baseline[0]?.source ?? 'the baseline'}: none of the rule metrics (${wanted}) is in both`);
  }
  const regressions = rows.filter((r) => r.verdict === 'regression').length;
  const multi = baseline.length > 1 || current.length > 1;
  const note = multi
    ? `noise-aware: ${baseline.length} baseline run${baseline.length === 1 ? '' : 's'} vs ${current.length} current run${current.length === 1 ? '' : 's'}; a change past its rule is a regression only when a one-sided t-test on per-run values finds it significant at α = ${alpha}, Holm-adjusted across the ${rows.filter((r) => r.rawP !== null).length} metrics tested (confidence = 1 − p)`
    : 'single run on each side: the rules are applied to the numbers as measured, with no estimate of run-to-run noise (save a baseline from several runs for a noise-aware verdict)';
  return {
    baseline: side(baseline),
    current: side(current),
    mode: multi ? 'multi-run' : 'single-run',
    alpha,
    rows,
    regressions,
    regression: regressions > 0,
    verdict: regressions > 0 ? 'regression' : 'no regression',
    warnings,
    note,
  };
}
