import { shown } from './shown.ts';

/**
 * Durations as k6 writes them: "1h30m", "500ms", "1.5s", "2m30s", "1d"; a
 * plain number (or numeric string) is milliseconds.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART_RE = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h|d)/y;

export type DurationInput = string | number;

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

export function parseDuration(input: DurationInput, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new DurationError(`${what}: ${input} is not a valid duration`);
    return input;
  }
  if (typeof input !== 'string') throw new DurationError(`${what}: expected a duration like "30s" or a number of milliseconds, got ${shown(input)}`);
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s);
  if (s === '') throw new DurationError(`${what}: empty duration`);
  let total = 0;
  PART_RE.lastIndex = 0;
  let pos = 0;
  while (pos < s.length) {
    PART_RE.lastIndex = pos;
    const m = PART_RE.exec(s);
    if (m === null) throw new DurationError(`${what}: "${input}" is not a duration (examples: 30s, 1m30s, 500ms, 2h)`);
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART_RE.lastIndex;
  }
  return total;
}

/** "1m30s", "250ms", "2h0m0s" — the way k6 prints durations. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 100) / 100}ms`;
  const totalSec = ms / 1000;
  const h = Math.floor(totalSec / 3600);
  const m = Math.floor((totalSec % 3600) / 60);
  const s = Math.round((totalSec % 60) * 10) / 10;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
