/** Property-based fuzzing of regression rules as agentload.config writes them (src/baseline/rules.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalKey, canonicalStat, parseChange, resolveRules, RuleError, type RegressionConfig, type RegressionRule } from '../../src/baseline/rules.ts';
import { ThresholdSyntaxError } from '../../src/metrics/thresholds/parse.ts';
import { percentileOf } from '../../src/metrics/values.ts';
import { parseMetricSpec } from '../../src/baseline/history-text.ts';
import { anyValue, check, fc, glue, mostly, numberText, parsesOrFails, userText } from './fuzz-kit.ts';

const ws = fc.constantFrom('', '', ' ', '\t');
const change = mostly(glue(ws, fc.constantFrom('+', '-', '', '±', '++'), ws, numberText, ws, fc.constantFrom('%', 'pp', 'ms', '', 's', '%%'), ws), userText(['+', '-', '%', 'pp', 'ms', '20', '0.1', '.5', ' ']));

test('change limits: a finite amount >= 0 with its direction and kind, else RuleError quoting the input', () => {
  check('rules:change', [change], (s) => {
    parsesOrFails(() => parseChange(s), RuleError, [`"${s}"`], (c) => {
      assert.ok(Number.isFinite(c.amount) && c.amount >= 0, `amount ${c.amount}`);
      assert.ok(c.worse === 'up' || c.worse === 'down');
      assert.ok(['relative', 'points', 'absolute'].includes(c.kind));
      assert.equal(c.source, s.trim());
      // the source parses to the same limit
      assert.deepEqual(parseChange(c.source), c);
    });
  });
});

const stat = mostly(glue(fc.constantFrom('p', 'p(', 'p( ', 'P'), numberText, fc.constantFrom(')', '', ' )', '))')), userText(['avg', 'min', 'med', 'max', 'rate', 'count', 'value', 'median', 'mean', 'p50', 'p95', 'p(', ')', '(', ' ', 'toString', 'constructor', '__proto__'], 4));

test('statistics: canonical (idempotent) and one a summary holds, else undefined; p95, p(95) and p(095) are one statistic', () => {
  check('rules:stat', [stat], (s) => {
    const c = canonicalStat(s);
    if (c === undefined) return;
    assert.equal(canonicalStat(c), c, `${s} → ${c} → ${canonicalStat(c)}`);
    assert.ok(['avg', 'min', 'med', 'max', 'rate', 'count', 'value', 'passes', 'fails'].includes(c) || percentileOf(c) !== undefined, `${s} → ${c}`);
    const m = /^p\(?\s*(\d+(?:\.\d+)?)\s*\)?$/.exec(s.trim());
    if (m !== null) {
      assert.equal(c, `p(${Number(m[1])})`, `${s}: every spelling of a percentile is the same statistic`);
      assert.match(s.trim(), /^p(\(\s*[\d.]+\s*\)|[\d.]+)$/, `unbalanced parentheses accepted: ${s}`);
    }
  });
});

const key = mostly(
  glue(ws, fc.constantFrom('http_req_duration', 'ws_msg_rtt', 'bad-name', ''), fc.constantFrom('', '{name:a}', '{ name : a , method:POST}', '{method:POST,name:a}', '{name:*}', '{', '{}', '{a:1,a:2}')),
  userText(['http_req_duration', '{', '}', ':', ',', 'name', '*', ' ']),
);

test('metric keys: canonical keys are idempotent; bad keys fail with ThresholdSyntaxError quoting them', () => {
  check('rules:key', [key], (s) => {
    parsesOrFails(() => canonicalKey(s), ThresholdSyntaxError, [`"${s}"`], (k) => {
      assert.equal(canonicalKey(k), k);
    });
  });
});

const ruleInput = fc.oneof(
  { weight: 4, arbitrary: change },
  { weight: 2, arbitrary: fc.record({ change: fc.oneof(change, anyValue), minDelta: fc.oneof(fc.double(), anyValue) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: anyValue },
);
const statRules = fc.oneof({ weight: 4, arbitrary: fc.dictionary(stat, ruleInput, { maxKeys: 3 }) }, { weight: 1, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: anyValue });
const config = fc.oneof(
  { weight: 6, arbitrary: fc.record({ alpha: fc.oneof(fc.double(), anyValue), defaults: fc.oneof(fc.boolean(), anyValue), rules: fc.oneof(fc.dictionary(key, statRules, { maxKeys: 3 }), anyValue) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anyValue },
);

function isRule(r: RegressionRule): void {
  assert.equal(canonicalKey(r.key), r.key);
  assert.equal(canonicalStat(r.stat), r.stat);
  assert.ok(Number.isFinite(r.limit.amount) && r.limit.amount >= 0);
  assert.ok(Number.isFinite(r.minDelta) && r.minDelta >= 0, `minDelta ${r.minDelta}`);
}

test('regression config of any shape: rules with finite limits, or one RuleError listing every problem', () => {
  check('rules:config', [config], (c) => {
    parsesOrFails(() => resolveRules(c as RegressionConfig), RuleError, [], (rules) => {
      for (const r of rules) isRule(r);
      const seen = new Set(rules.map((r) => `${r.key} ${r.stat}`));
      assert.equal(seen.size, rules.length, 'one rule per key and statistic');
    });
  });
});

const metricSpec = mostly(glue(key, fc.constantFrom(':', ':', '', '::'), stat), userText(['http_req_duration', '{', '}', ':', 'p95', 'name', 'a']));

test('history metric specs (--trend, --column): a canonical key and statistic, else an Error quoting the spec', () => {
  check('rules:metric-spec', [metricSpec], (s) => {
    parsesOrFails(() => parseMetricSpec(s), Error, [`"${s}"`], (spec) => {
      assert.equal(canonicalKey(spec.key), spec.key);
      if (spec.stat !== undefined) assert.equal(canonicalStat(spec.stat), spec.stat);
    });
  });
});
