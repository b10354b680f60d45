/** Property-based fuzzing of durations (src/util/duration.ts): k6's syntax, as scripts, flags and stages write it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationError, formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/util/duration.ts';
import { anyValue, check, fc, parsesOrFails, userText } from './fuzz-kit.ts';

const UNITS = ['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h', 'd'] as const;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const TOKENS = [...UNITS, '1', '30', '0', '.', '.5', '1.5', ' ', 'e', '-', '+', 'sec', 'min', 'hr'];

/** The grammar of the module comment, written again independently: what must be accepted. */
const GRAMMAR = /^\s*(?:\d+(?:\.\d+)?|(?:(?:\d+(?:\.\d+)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+)\s*$/;

function isDuration(ms: number): void {
  assert.equal(typeof ms, 'number');
  assert.ok(Number.isFinite(ms), `not finite: ${ms}`);
  assert.ok(ms >= 0 && ms <= MAX_DURATION_MS, `out of range: ${ms}`);
}

test('any string: a finite duration in [0, MAX_DURATION_MS] exactly when the grammar accepts it, else DurationError quoting it', () => {
  check('duration:any-string', [userText(TOKENS, 10)], (s) => {
    const v = parsesOrFails(() => parseDuration(s), DurationError, [`"${s}"`], isDuration);
    if (v !== undefined) assert.ok(GRAMMAR.test(s), `accepted outside the grammar: ${JSON.stringify(s)}`);
  });
});

test('well-formed durations: the value is the sum of the parts; past the maximum is a DurationError, never a silent Infinity', () => {
  const part = fc.tuple(
    fc.oneof(fc.nat({ max: 100_000 }).map(String), fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 99_999 })).map(([a, b]) => `${a}.${b}`), fc.integer({ min: 10, max: 400 }).map((n) => '9'.repeat(n))),
    fc.constantFrom(...UNITS),
  );
  check('duration:sum-of-parts', [fc.array(part, { minLength: 1, maxLength: 6 }), fc.constantFrom('', ' ', '\t', '\n', '\u00a0')], (parts, pad) => {
    const s = `${pad}${parts.map(([n, u]) => n + u).join('')}${pad}`;
    const expected = parts.reduce((sum, [n, u]) => sum + Number(n) * (UNIT_MS[u] as number), 0);
    if (expected > MAX_DURATION_MS) {
      assert.throws(() => parseDuration(s), (e: Error) => e instanceof DurationError && e.message.includes(`"${s}"`) && /longer than/.test(e.message));
    } else {
      const got = parseDuration(s);
      isDuration(got);
      assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, expected), `${JSON.stringify(s)}: ${got} != ${expected}`);
    }
  });
});

test('plain numbers (and numeric strings) are milliseconds; negative, NaN, Infinity and past the maximum are refused', () => {
  check('duration:numbers', [fc.oneof(fc.double(), fc.nat({ max: MAX_DURATION_MS }), fc.constantFrom(MAX_DURATION_MS, MAX_DURATION_MS + 1, -0, 5e-324))], (n) => {
    const ok = Number.isFinite(n) && n >= 0 && n <= MAX_DURATION_MS;
    if (ok) assert.equal(parseDuration(n), n);
    else assert.throws(() => parseDuration(n), DurationError);
    if (Number.isInteger(n) && n >= 0 && n <= MAX_DURATION_MS) assert.ok(parseDuration(String(n)) === n, String(n));
  });
});

test('formatDuration output parses back to the same duration (within its 0.1 s / 0.01 ms rounding)', () => {
  check('duration:format-round-trip', [fc.oneof(fc.double({ min: 0, max: MAX_DURATION_MS, noNaN: true }), fc.nat({ max: MAX_DURATION_MS }), fc.constantFrom(59_950, 59_999, 3_599_950, 999.996, MAX_DURATION_MS))], (ms) => {
    const text = formatDuration(ms);
    const back = parseDuration(text);
    assert.ok(Math.abs(back - ms) <= (ms < 1000 ? 0.005 : 50) + 1e-9, `${ms} → ${text} → ${back}`);
    assert.doesNotMatch(text, /(^|[^0-9.])60(\.0)?s$|m60/, `${ms} → ${text}: seconds or minutes not carried`);
  });
});

test('values of any type (a JavaScript script or config can pass anything) fail with DurationError, never a TypeError', () => {
  check('duration:any-type', [anyValue], (v) => {
    parsesOrFails(() => parseDuration(v as string), DurationError, [], isDuration);
  });
});
