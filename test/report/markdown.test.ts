/**
 * The Markdown summary for pull-request comments: exact output for stable
 * input (snapshots under test/report/snapshots/, reviewed by hand; rewrite
 * them with UPDATE_SNAPSHOTS=1 after an intended change), escaping, and the
 * baseline comparison section another command fills in.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeMarkdown, renderMarkdown, type ComparisonLike } from '../../src/report/markdown.ts';
import { EVIL, sampleRun } from './sample-run.ts';

function matchesSnapshot(name: string, actual: string): void {
  const file = join(import.meta.dirname, 'snapshots', name);
  if (process.env.UPDATE_SNAPSHOTS === '1' || !existsSync(file)) {
    if (process.env.UPDATE_SNAPSHOTS !== '1') assert.fail(`snapshot ${file} is missing: run with UPDATE_SNAPSHOTS=1 and review it`);
    writeFileSync(file, actual);
  }
  assert.equal(actual, readFileSync(file, 'utf8'));
}

const comparison: ComparisonLike = {
  baseline: 'api.staging',
  verdict: 'regression',
  note: 'single run on each side: no confidence estimate',
  rows: [
    { metric: 'http_req_duration p95', baseline: 80.5, current: 101.25, change: 0.2578, verdict: 'regression' },
    { metric: 'http_req_failed rate', baseline: '0.10%', current: '0.12%', change: '+0.02 pp', verdict: 'ok' },
    { metric: 'http_reqs rate', baseline: 36, current: null, change: null, verdict: 'improvement' },
  ],
};

test('snapshot: verdict, thresholds with measured values, key percentiles, endpoints, failures', () => {
  matchesSnapshot('markdown-protocols.md', renderMarkdown(sampleRun({ protocols: true }).summary));
});

test('snapshot: hostile strings escaped, and the baseline comparison section', () => {
  matchesSnapshot('markdown-comparison.md', renderMarkdown(sampleRun({ evil: true }).summary, { comparison }));
});

test('the same input gives the same text; no comparison section without a comparison', () => {
  const a = renderMarkdown(sampleRun().summary);
  assert.equal(a, renderMarkdown(sampleRun().summary));
  assert.doesNotMatch(a, /Comparison to baseline/);
  assert.match(renderMarkdown(sampleRun().summary, { comparison: { rows: [] } }), /### Comparison to baseline\n\nNo metric in common with the baseline\.\n$/);
});

test('a passing run without thresholds says so; endpoints are capped', () => {
  const run = sampleRun({ status: 'passed' });
  const md = renderMarkdown({ ...run.summary, agentload: { ...run.summary.agentload, thresholds: [] } }, { maxEndpoints: 2 });
  assert.match(md, /^## agentload: api — ✅ PASSED\n/);
  assert.match(md, /### Thresholds\n\nNo thresholds were set\./);
  assert.match(md, /### Endpoints \(top 2 of 3 by requests\)/);
  assert.doesNotMatch(md, /get\\_run/);
});

test('escapeMarkdown leaves no markup, link, table break or HTML', () => {
  assert.equal(escapeMarkdown('a|b'), 'a\\|b');
  assert.equal(escapeMarkdown('[x](http://e) *b* _i_ `c`'), '\\[x\\](http://e) \\*b\\* \\_i\\_ \\`c\\`');
  assert.equal(escapeMarkdown('line1\nline2'), 'line1 line2');
  const e = escapeMarkdown(EVIL);
  assert.ok(!e.includes('<') && !e.includes('>'), e);
});
