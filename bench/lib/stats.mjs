// Summaries of repeated measurements and number formatting for the tables.

/** Median (mean of the two middle values for an even count). */
export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** { median, min, max, runs } of the finite values. */
export function summarize(xs) {
  const v = xs.filter((x) => Number.isFinite(x));
  return { median: median(v), min: Math.min(...v), max: Math.max(...v), runs: v.length };
}

/** 12345.6 → "12,346" */
export function int(x) {
  return Number.isFinite(x) ? Math.round(x).toLocaleString('en-US') : '–';
}

/** Fixed decimals, or "–". */
export function fixed(x, d = 2) {
  return Number.isFinite(x) ? x.toFixed(d) : '–';
}

/** "median (min–max)" with a formatter. */
export function spread(s, fmt = int) {
  if (s.runs === 0) return '–';
  if (s.runs === 1) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)})`;
}

/** Milliseconds as µs or ms text. */
export function ms(x) {
  if (!Number.isFinite(x)) return '–';
  if (x < 1) return `${Math.round(x * 1000)} µs`;
  if (x < 100) return `${x.toFixed(2)} ms`;
  return `${Math.round(x)} ms`;
}

/** a / b as "0.57x", or "–". */
export function ratio(a, b) {
  return Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : '–';
}
