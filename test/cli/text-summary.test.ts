/** The end-of-test text summary and the number formats it prints (exact outputs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatMs } from '../../src/report/format.ts';
import { textSummary } from '../../src/report/text-summary.ts';
import type { Summary } from '../../src/report/summary-json.ts';
import type { RunMeta } from '../../src/types/run-outcome.ts';

test('formatMs picks the unit after rounding: never 1000.00ms or 1000.00µs', () => {
  const cases: [number, string][] = [
    [0, '0s'],
    [0.00042, '0.42µs'],
    [0.999994, '999.99µs'],
    [0.999996, '1.00ms'],
    [12.344, '12.34ms'],
    [999.994, '999.99ms'],
    [999.996, '1.00s'],
    [999.9999, '1.00s'],
    [1500, '1.50s'],
    [59_994, '59.99s'],
    [59_996, '1m0.0s'],
    [61_234, '1m1.2s'],
    [-2.5, '-2.50ms'],
    [Number.NaN, '-'],
  ];
  for (const [ms, want] of cases) assert.equal(formatMs(ms), want, `formatMs(${ms})`);
});

function summary(trendStats: string[]): Summary {
  const meta = { name: 't', status: 'passed', exitCode: 0, stopReason: null } as unknown as RunMeta;
  return {
    root_group: { name: '', path: '', id: '0', groups: [], checks: [] },
    options: { summaryTrendStats: trendStats, summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: {
      http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12.5, min: 1, med: 10, max: 999.999, 'p(95)': 40, count: 3 } },
      llm_output_tokens: { type: 'trend', contains: 'default', values: { avg: 120, count: 3 } },
    },
    agentload: { meta, thresholds: [], errors: [], endpoints: [] },
  };
}

test('the text summary prints a trend count as a number of samples, not as a duration', () => {
  const text = textSummary(summary(['avg', 'min', 'med', 'max', 'p(95)', 'count']));
  assert.match(text, /http_req_duration\.+: avg=12\.50ms min=1\.00ms med=10\.00ms max=1\.00s p\(95\)=40\.00ms count=3$/m);
  assert.match(text, /llm_output_tokens\.+: avg=120 count=3$/m);
  assert.doesNotMatch(text, /count=3\.00ms/);
});
