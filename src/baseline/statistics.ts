/**
 * The statistics behind noise-aware regression verdicts: Student's t
 * distribution (through the regularized incomplete beta function) and a
 * one-sided two-sample t-test on per-run values.
 *
 * Why runs, not seconds: the seconds of one run share its machine, its warm-up
 * and its neighbours, and are autocorrelated; treating them as independent
 * samples turns a 2 % run-to-run wobble into p < 1e-10. Runs are the
 * independent replicates, so the test compares per-run values, on the log scale
 * for relative rules (a latency ratio is symmetric there and skew shrinks).
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905, -0.13857109526572012,
  9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos, g = 7). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (LANCZOS[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaFraction(a: number, b: number, x: number): number {
  const TINY = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-14) break;
  }
  return h;
}

/** The regularized incomplete beta function I_x(a, b). */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2) ? (front * betaFraction(a, b, x)) / a : 1 - (front * betaFraction(b, a, 1 - x)) / b;
}

/** P(T <= t) for Student's t with `df` degrees of freedom (df may be fractional, as Welch's is). */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`degrees of freedom must be positive, got ${df}`);
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The t with P(T <= t) = p (bisection on the CDF; exact to ~1e-10). */
export function studentTQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  if (p === 0.5) return 0;
  let lo = -1;
  let hi = 1;
  while (studentTCdf(lo, df) > p) lo *= 2;
  while (studentTCdf(hi, df) < p) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * Math.max(1, Math.abs(hi)); i++) {
    const mid = (lo + hi) / 2;
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length === 0 ? NaN : s / xs.length;
}

/** Sample variance (n − 1); 0 for a single value. */
export function variance(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - m) * (x - m);
  return s / (xs.length - 1);
}

export interface ShiftTest {
  /** 'welch' (both sides have 2+ values) or 'prediction' (one side has a single value; the spread comes from the other). */
  readonly method: 'welch' | 'prediction';
  /** Mean of current − mean of baseline. */
  readonly difference: number;
  readonly standardError: number;
  readonly df: number;
  /** One-sided p-value of the hypothesis "no shift" against a shift in the worse direction. */
  readonly p: number;
  /** Two-sided interval of the difference at level 1 − 2α: its bound on the worse side is the one-sided 1 − α bound. */
  readonly interval: readonly [number, number];
}

/**
 * One-sided two-sample t-test of `current` against `baseline`, worse being
 * `up` (latencies, error rates) or `down` (throughput). Needs at least three
 * values in all, with at least two on one side: with a single value on a side,
 * that side's spread is taken to equal the other's (a prediction interval for
 * a new run). Returns undefined when there is no spread to estimate.
 */
export function shiftTest(baseline: readonly number[], current: readonly number[], worse: 'up' | 'down', alpha: number): ShiftTest | undefined {
  const nb = baseline.length;
  const nc = current.length;
  if (nb === 0 || nc === 0 || nb + nc < 3) return undefined;
  const difference = mean(current) - mean(baseline);
  let se: number;
  let df: number;
  let method: ShiftTest['method'];
  if (nb >= 2 && nc >= 2) {
    const vb = variance(baseline) / nb;
    const vc = variance(current) / nc;
    se = Math.sqrt(vb + vc);
    const denom = (vb * vb) / (nb - 1) + (vc * vc) / (nc - 1);
    df = denom > 0 ? ((vb + vc) * (vb + vc)) / denom : nb + nc - 2;
    method = 'welch';
  } else {
    const s2 = nb >= 2 ? variance(baseline) : variance(current);
    se = Math.sqrt(s2 * (1 / nb + 1 / nc));
    df = Math.max(nb, nc) - 1;
    method = 'prediction';
  }
  const toward = worse === 'up' ? difference : -difference;
  let p: number;
  if (se === 0 || !Number.isFinite(se)) p = toward > 0 ? 0 : toward < 0 ? 1 : 0.5;
  else p = 1 - studentTCdf(toward / se, df);
  const half = se === 0 ? 0 : studentTQuantile(1 - alpha, df) * se;
  return { method, difference, standardError: se, df, p, interval: [difference - half, difference + half] };
}
