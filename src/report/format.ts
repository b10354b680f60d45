/** Number formatting shared by text reports. */

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  // round first, then pick the unit: 999.999ms prints as 1.00s, never 1000.00ms
  const us = Math.round(a * 100_000);
  if (us < 100_000) return `${sign}${(us / 100).toFixed(2)}µs`;
  const centiMs = Math.round(a * 100);
  if (centiMs < 100_000) return `${sign}${(centiMs / 100).toFixed(2)}ms`;
  const centiS = Math.round(a / 10);
  if (centiS < 6000) return `${sign}${(centiS / 100).toFixed(2)}s`;
  const tenths = Math.round(a / 100);
  return `${sign}${Math.floor(tenths / 600)}m${((tenths % 600) / 10).toFixed(1)}s`;
}

export function formatBytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = -1;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i] as string}`;
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return '-';
  if (Number.isInteger(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 100) return n.toFixed(0);
  if (a >= 1) return n.toFixed(2);
  // Below 1: four significant digits, so that a cost of $0.0000123 does not print as 0.
  return Number(n.toPrecision(4)).toString();
}

export function formatPercent(r: number): string {
  return `${(r * 100).toFixed(2)}%`;
}

/** Format a value of a metric that holds times, bytes or plain numbers. */
export function formatValue(v: number, contains: string): string {
  if (contains === 'time') return formatMs(v);
  if (contains === 'data') return formatBytes(v);
  return formatNumber(v);
}
