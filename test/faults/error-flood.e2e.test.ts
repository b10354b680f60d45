/**
 * Iteration errors with ever new messages: grouped by message template, a bounded number of WARN lines and a
 * bounded summary.json, and every error counted exactly (listed kinds plus what the list leaves out).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

test('thousands of distinct error messages: grouped by template, capped on the console and in summary.json, counted exactly', async () => {
  const r = await runCli(['run', fixture('error-flood.ts'), '--quiet', '--no-history'], { timeoutMs: 120_000 });
  // iteration errors are counted, not fatal: k6 exits 0 too
  assert.equal(r.code, 0, r.stderr);
  const out = `${r.stdout}\n${r.stderr}`;
  const shown = out.split('\n').filter((l) => l.includes('iteration error in scenario'));
  assert.equal(shown.length, 20, shown.join('\n'));
  assert.equal(out.split('\n').filter((l) => l.includes('more kinds of iteration errors')).length, 1);
  assert.equal(shown.filter((l) => l.includes('item 0.')).length, 1, 'the random item errors are one kind, warned about once');
  assert.equal(r.stdout.split('\n').filter((l) => l.includes('× item 0.')).length, 1, 'and listed once in the text summary');

  const s = readSummary(r.resultsDir);
  const total = 4 * 1500;
  assert.equal(s.metrics.iteration_errors?.values.count, total);
  const errors = s.agentload.errors;
  assert.equal(errors.length, 100);
  const item = errors[0];
  assert.equal(item?.template, 'item {n}');
  assert.equal(item?.count, 4 * 1200);
  assert.match(item?.message ?? '', /^item 0\.\d+$/);
  for (const e of errors.slice(1)) {
    assert.match(e.template ?? '', /^stage [A-Z]{2} failed$/);
    assert.equal(e.count, 8);
  }
  // 150 stage kinds, 99 listed: 51 kinds of 8 errors left out, and counted
  assert.deepEqual(s.agentload.errorsNotListed, { errors: 51 * 8, templates: 51 });
  assert.equal(errors.reduce((n, e) => n + e.count, 0) + (s.agentload.errorsNotListed?.errors ?? 0), total);
  // the text summary shows 10 kinds: 90 listed kinds and the 51 not listed are one line
  assert.match(r.stdout, /✗ 1128× in 141 more kinds not shown/);

  const dir = join(r.resultsDir, readdirSync(r.resultsDir)[0] as string);
  const size = statSync(join(dir, 'summary.json')).size;
  assert.ok(size < 100_000, `summary.json is ${size} bytes`);
});
