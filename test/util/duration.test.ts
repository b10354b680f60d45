/** Durations (src/util/duration.ts): table tests, with the counterexamples test/fuzz/duration.fuzz.test.ts found. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DurationError, formatDuration, MAX_DURATION_MS, parseDuration } from '../../src/util/duration.ts';

const valid: [string | number, number][] = [
  ['30s', 30_000],
  ['1m30s', 90_000],
  ['1h30m', 5_400_000],
  ['500ms', 500],
  ['1.5s', 1500],
  ['.5s', 500],
  ['2m30s', 150_000],
  ['1d', 86_400_000],
  ['250', 250],
  ['1.25', 1.25],
  [' 10s\n', 10_000],
  ['1000us', 1],
  ['1000µs', 1], // U+00B5 micro sign
  ['1000μs', 1], // U+03BC Greek mu (fuzz: refused before; Go and k6 take it)
  ['1000000ns', 1],
  ['24d20h31m23.647s', MAX_DURATION_MS],
  [0, 0],
  [1500, 1500],
  [MAX_DURATION_MS, MAX_DURATION_MS],
];

for (const [input, ms] of valid) {
  test(`parses ${JSON.stringify(input)} as ${ms} ms`, () => {
    assert.ok(Math.abs(parseDuration(input) - ms) < 1e-9);
  });
}

const invalid: [unknown, RegExp][] = [
  ['', /duration: "" is empty/],
  ['   ', /duration: " {3}" is empty/],
  ['10 s', /duration: "10 s" is not a duration/],
  ['1m 30s', /"1m 30s" is not a duration/],
  ['-1s', /"-1s" is not a duration/],
  ['1e3s', /"1e3s" is not a duration/],
  ['5sec', /"5sec" is not a duration/],
  ['１s', /"１s" is not a duration/],
  [-1, /duration: -1 is not a valid duration/],
  [Number.NaN, /NaN is not a valid duration/],
  [Infinity, /Infinity is not a valid duration/],
  // fuzz: a 400-digit number parsed to Infinity, silently accepted
  [`${'9'.repeat(400)}s`, /is longer than 596h31m23\.6s/],
  [`${'9'.repeat(400)}`, /is longer than/],
  // fuzz: past 2^31 − 1 ms a Node timer fires at once: "-d 30d" ran one iteration and reported PASSED
  ['30d', /duration: "30d" is longer than 596h31m23\.6s \(about 24 days\)/],
  ['9999999999d', /is longer than/],
  [MAX_DURATION_MS + 1, /2147483648 is longer than/],
  // fuzz: a script or config can pass anything; null and true threw a TypeError (input.trim is not a function)
  [null, /expected a duration like "30s" or a number of milliseconds, got null/],
  [true, /got boolean/],
  [['30s'], /got a list/],
  [{ s: 30 }, /got object/],
];

for (const [input, re] of invalid) {
  test(`refuses ${JSON.stringify(input) ?? String(input)} with a DurationError quoting it`, () => {
    assert.throws(() => parseDuration(input as string), (e: Error) => e instanceof DurationError && re.test(e.message));
  });
}

test('the name of what is parsed leads the message', () => {
  assert.throws(() => parseDuration('soon', 'http.timeout'), /^DurationError: http\.timeout: "soon" is not a duration/);
});

test('formatDuration prints k6 style and carries rounded seconds (fuzz: 59950 ms printed "60s")', () => {
  const cases: [number, string][] = [
    [250, '250ms'],
    [999.994, '999.99ms'],
    [1000, '1s'],
    [59_950, '1m0s'],
    [90_000, '1m30s'],
    [3_599_950, '1h0m0s'],
    [7_200_000, '2h0m0s'],
    [MAX_DURATION_MS, '596h31m23.6s'],
  ];
  for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
});
