/**
 * Durations as k6 writes them: "1h30m", "500ms", "1.5s", "2m30s", "1d"; a
 * plain number (or numeric string) is milliseconds.
 *
 *   duration := ws* ( number | ( decimal unit )+ ) ws*
 *   number   := digit+ [ "." digit+ ]                    milliseconds
 *   decimal  := digit+ [ "." digit+ ] | "." digit+
 *   unit     := "ns" | "us" | "µs" | "μs" | "ms" | "s" | "m" | "h" | "d"
 *
 * A parsed duration is a finite number of milliseconds from 0 to
 * MAX_DURATION_MS. Every error quotes the input.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
// µ is U+00B5 (micro sign), μ U+03BC (Greek mu): Go and k6 take both
const PART_RE = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/y;

/**
 * The longest duration agentload takes: 2^31 − 1 ms (about 24.8 days), the
 * longest a Node.js timer waits (a longer one fires at once, which would end a
 * 30-day soak after its first iteration and report it as passed).
 */
export const MAX_DURATION_MS = 2_147_483_647;

export type DurationInput = string | number;

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

// the message is built only on failure: request options parse their timeout on the hot path
function withinMax(ms: number, input: DurationInput, what: string): number {
  if (ms > MAX_DURATION_MS) throw new DurationError(`${what}: ${quote(input)} is longer than ${formatDuration(MAX_DURATION_MS)} (about 24 days), the longest duration agentload can wait`);
  return ms;
}

function quote(input: DurationInput): string {
  return typeof input === 'string' ? `"${input}"` : String(input);
}

/**
 * A duration of the schedule divided by --time-scale: a scale below 1 stretches it, and the result must still fit
 * a timer (MAX_DURATION_MS). The error quotes the input and the scale.
 */
export function parseScaledDuration(input: DurationInput, timeScale: number, what = 'duration'): number {
  const ms = parseDuration(input, what) / timeScale;
  if (ms > MAX_DURATION_MS) {
    throw new DurationError(`${what}: ${quote(input)} at --time-scale ${timeScale} lasts ${formatDuration(ms)}, longer than ${formatDuration(MAX_DURATION_MS)} (about 24 days), the longest duration agentload can wait`);
  }
  return ms;
}

export function parseDuration(input: DurationInput, what = 'duration'): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input < 0) throw new DurationError(`${what}: ${input} is not a valid duration (milliseconds must be a finite number >= 0)`);
    return withinMax(input, input, what);
  }
  // a script or config written in JavaScript can hand in anything
  if (typeof input !== 'string') {
    const got = input === null ? 'null' : Array.isArray(input) ? 'a list' : typeof input;
    throw new DurationError(`${what}: expected a duration like "30s" or a number of milliseconds, got ${got}`);
  }
  const s = input.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return withinMax(Number(s), input, what);
  if (s === '') throw new DurationError(`${what}: "${input}" is empty (examples: 30s, 1m30s, 500ms, 2h)`);
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    PART_RE.lastIndex = pos;
    const m = PART_RE.exec(s);
    if (m === null) throw new DurationError(`${what}: "${input}" is not a duration (examples: 30s, 1m30s, 500ms, 2h)`);
    total += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
    pos = PART_RE.lastIndex;
  }
  return withinMax(total, input, what);
}

/** "1m30s", "250ms", "2h0m0s" — the way k6 prints durations. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms * 100) / 100}ms`;
  // rounded to 0.1 s first, so that 59.95 s carries into "1m0s" instead of printing "60s"
  const tenths = Math.round(ms / 100);
  const h = Math.floor(tenths / 36_000);
  const m = Math.floor((tenths % 36_000) / 600);
  const s = (tenths % 600) / 10;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}
