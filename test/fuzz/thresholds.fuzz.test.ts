/** Property-based fuzzing of threshold expressions and keys (src/metrics/thresholds/parse.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAggregation, compare, parseExpression, parseKey, ThresholdSyntaxError, type ParsedExpression, type ParsedKey } from '../../src/metrics/thresholds/parse.ts';
import { isValidMetricName } from '../../src/metrics/metric.ts';
import { percentileOf } from '../../src/metrics/values.ts';
import { check, fc, glue, mostly, numberText, oddChar, parsesOrFails, userText } from './fuzz-kit.ts';

const AGGS = ['avg', 'min', 'max', 'med', 'count', 'rate', 'value', 'p(95)', 'p(99.9)', 'p(0)', 'p(100)', 'p( 90 )', 'p(101)', 'p(', 'p()', 'p95', 'mean'];
const OPS = ['>', '>=', '<', '<=', '==', '===', '!=', '=', '=>', '<<', '!', ''];
const ws = fc.constantFrom('', '', ' ', '  ', '\t', '\u00a0', '\n');

function isExpression(e: ParsedExpression): void {
  assert.ok(Number.isFinite(e.value), `value ${e.value} accepted`);
  assert.ok(['>', '>=', '<', '<=', '==', '===', '!='].includes(e.operator));
  assert.ok(['avg', 'min', 'max', 'med', 'count', 'rate', 'value'].includes(e.aggregation) || percentileOf(e.aggregation) !== undefined, e.aggregation);
  assert.doesNotMatch(e.aggregation, /\s/);
  // round trip: the canonical form parses to the same threshold
  const again = parseExpression(`${e.aggregation}${e.operator}${e.value}`);
  assert.deepEqual([again.aggregation, again.operator], [e.aggregation, e.operator]);
  assert.ok(again.value === e.value, `${e.value} → ${again.value}`);
}

const expression = mostly(
  glue(ws, mostly(fc.constantFrom(...AGGS), glue(fc.constantFrom('p(', 'p( '), numberText, fc.constantFrom(')', ' )', ''))), ws, fc.constantFrom(...OPS), ws, numberText, ws),
  userText([...AGGS, ...OPS, '1', '0.5', '-', 'e5', ' ']),
);

test('threshold expressions: a finite, round-tripping threshold, else ThresholdSyntaxError quoting the expression', () => {
  check('thresholds:expression', [expression], (s) => {
    parsesOrFails(() => parseExpression(s), ThresholdSyntaxError, [`threshold "${s}"`], isExpression);
  });
});

test('threshold expressions built from valid parts parse to those parts, whatever the spacing', () => {
  const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -1e9, max: 1e9 }));
  const agg = fc.oneof(fc.constantFrom('avg', 'min', 'max', 'med', 'count', 'rate', 'value'), fc.double({ min: 0, max: 100, noNaN: true }).map((p) => `p(${p})`));
  check('thresholds:expression-valid', [agg, fc.constantFrom('>', '>=', '<', '<=', '==', '===', '!='), value, ws, ws], (a, op, v, w1, w2) => {
    const text = `${w1}${a}${w2}${op}${w2}${v}${w1}`;
    if (a.startsWith('p(') && /e/.test(a)) {
      assert.throws(() => parseExpression(text), ThresholdSyntaxError);
      return;
    }
    const e = parseExpression(text);
    assert.deepEqual([e.aggregation, e.operator], [a, op]);
    assert.ok(e.value === v || (Object.is(v, -0) && e.value === 0), `${text}: ${e.value}`);
    assert.equal(e.source, text);
  });
});

const tagName = fc.constantFrom('name', 'method', 'status', 'scenario', 'group', 'url', 'a', 'é', ' name ', '', 'x y');
const tagValue = fc.oneof(fc.constantFrom('create_run', '200', '::api::create', 'http://x:8080/a', '*', '', ' v ', '{', '}', 'a}b'), fc.string({ maxLength: 6 }));
const selector = glue(tagName, fc.constantFrom(':', ':', ' : ', '', '::'), tagValue);
const selectors = fc.array(selector, { maxLength: 4 }).map((parts) => parts.join(','));
const metricName = fc.oneof(fc.constantFrom('http_req_duration', 'checks', '_x', 'a'.repeat(128), 'a'.repeat(129), '1abc', 'bad-name', 'ws_msg_rtt', ''), fc.string({ maxLength: 8 }));

const key = mostly(glue(ws, metricName, ws, fc.constantFrom('{', '{', '', '{{'), selectors, fc.constantFrom('}', '}', '', '}}'), ws), userText(['http_req_duration', '{', '}', ':', ',', 'name', 'x', ' ']));

function formatKey(k: ParsedKey): string {
  return k.selector.length === 0 ? k.metric : `${k.metric}{${k.selector.map(([t, v]) => `${t}:${v}`).join(',')}}`;
}

function isKey(k: ParsedKey): void {
  assert.ok(isValidMetricName(k.metric), k.metric);
  const tags = k.selector.map(([t]) => t);
  for (const [t, v] of k.selector) {
    assert.ok(t !== '' && t === t.trim() && !t.includes(':') && !t.includes(','), `tag ${JSON.stringify(t)}`);
    assert.equal(v, v.trim());
    assert.ok(!v.includes(','));
  }
  assert.equal(new Set(tags).size, tags.length, `a tag given twice: ${tags.join(', ')} (no series has both values)`);
  // round trip
  const again = parseKey(formatKey(k));
  assert.equal(again.metric, k.metric);
  assert.deepEqual(again.selector, k.selector);
}

test('threshold keys: a valid metric name and distinct, round-tripping tag selectors, else ThresholdSyntaxError quoting the key', () => {
  check('thresholds:key', [key], (s) => {
    parsesOrFails(() => parseKey(s), ThresholdSyntaxError, [`threshold key "${s}"`], isKey);
  });
});

test('checkAggregation and compare never throw, for any parsed pair and metric type', () => {
  check('thresholds:aggregation', [expression, fc.constantFrom('counter', 'gauge', 'rate', 'trend'), fc.double()], (s, type, actual) => {
    let e: ParsedExpression;
    try {
      e = parseExpression(s);
    } catch {
      return;
    }
    const msg = checkAggregation(e, parseKey('m'), type as 'counter');
    if (msg !== undefined) assert.ok(msg.includes(`threshold "${s}"`));
    assert.equal(typeof compare(actual, e.operator, e.value), 'boolean');
  });
});

test('odd characters around a valid threshold or key fail only with ThresholdSyntaxError', () => {
  check('thresholds:odd-around', [oddChar, fc.constantFrom('p(95)<500', 'rate<0.01', 'http_req_duration{name:a}', 'checks'), oddChar], (a, v, b) => {
    const s = `${a}${v}${b}`;
    parsesOrFails(() => parseExpression(s), ThresholdSyntaxError, [`"${s}"`], isExpression);
    parsesOrFails(() => parseKey(s), ThresholdSyntaxError, [`"${s}"`], isKey);
  });
});
