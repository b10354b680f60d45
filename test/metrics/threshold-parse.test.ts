import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkAggregation, compare, parseExpression, parseKey } from '../../src/metrics/thresholds/parse.ts';

const valid: [string, string, string, number][] = [
  ['p(95)<500', 'p(95)', '<', 500],
  ['p(99.9) <= 1000', 'p(99.9)', '<=', 1000],
  [' avg>1.5 ', 'avg', '>', 1.5],
  ['med==3', 'med', '==', 3],
  ['max===4', 'max', '===', 4],
  ['min!=0', 'min', '!=', 0],
  ['count>=1000', 'count', '>=', 1000],
  ['rate<0.01', 'rate', '<', 0.01],
  ['value>-1', 'value', '>', -1],
  ['p(0)>=0', 'p(0)', '>=', 0],
  ['p(100)<1e3', 'p(100)', '<', 1000],
  ['p( 90 )<200', 'p(90)', '<', 200],
];

for (const [src, agg, op, value] of valid) {
  test(`parses "${src}"`, () => {
    const e = parseExpression(src);
    assert.equal(e.aggregation, agg);
    assert.equal(e.operator, op);
    assert.equal(e.value, value);
    assert.equal(e.source, src);
  });
}

const invalid: [string, RegExp][] = [
  ['p95<500', /threshold "p95<500": expected an aggregation/],
  ['p(101)<5', /threshold "p\(101\)<5": percentile in p\(101\) must be between 0 and 100/],
  ['avg<<5', /threshold "avg<<5": expected a number after "<", found "<5"/],
  ['avg 5', /threshold "avg 5": expected an operator/],
  ['rate<', /threshold "rate<": expected a number after "<"/],
  ['', /threshold "": expected an aggregation/],
  ['avg<5ms', /threshold "avg<5ms": expected a number/],
  ['mean<5', /threshold "mean<5": expected an aggregation/],
  // fuzz (test/fuzz/thresholds.fuzz.test.ts): read as Infinity, so "avg>1e400" could never pass and "avg<1e400" never fail
  ['avg>1e400', /threshold "avg>1e400": 1e400 is out of range \(a finite number is needed\)/],
  [`p(95)<${'9'.repeat(400)}`, /is out of range/],
];

for (const [src, re] of invalid) {
  test(`rejects "${src}" quoting it`, () => {
    assert.throws(() => parseExpression(src), re);
  });
}

test('parses keys with tag selectors', () => {
  assert.deepEqual(parseKey('http_req_duration'), { source: 'http_req_duration', metric: 'http_req_duration', selector: [] });
  assert.deepEqual(parseKey('http_req_duration{name:create_run}').selector, [['name', 'create_run']]);
  assert.deepEqual(parseKey('http_req_duration{ name : a , scenario:b }').selector, [
    ['name', 'a'],
    ['scenario', 'b'],
  ]);
  assert.deepEqual(parseKey('group_duration{group:::api::create}').selector, [['group', '::api::create']]);
  assert.deepEqual(parseKey('http_req_duration{url:http://x:8080/a}').selector, [['url', 'http://x:8080/a']]);
});

const badKeys: [string, RegExp][] = [
  ['http_req_duration{name:x', /missing closing "}"/],
  ['http_req_duration{}', /empty tag selector/],
  ['http_req_duration{name}', /selector "name" must be tag:value/],
  ['9metric', /invalid metric name "9metric"/],
  ['http-req', /invalid metric name/],
  // fuzz: no sample has both values, so the threshold watched nothing and passed
  ['http_req_duration{x y:create_run,x y:}', /tag "x y" given twice/],
  ['http_req_duration{name:a, name :b}', /tag "name" given twice/],
];
for (const [src, re] of badKeys) {
  test(`rejects key "${src}"`, () => {
    assert.throws(() => parseKey(src), (e: Error) => re.test(e.message) && e.message.includes(`"${src}"`));
  });
}

test('aggregations must fit the metric type', () => {
  const key = parseKey('http_reqs');
  assert.equal(checkAggregation(parseExpression('count>1'), key, 'counter'), undefined);
  assert.equal(checkAggregation(parseExpression('rate>1'), key, 'counter'), undefined);
  assert.match(checkAggregation(parseExpression('p(95)<1'), key, 'counter') ?? '', /"p\(95\)" does not apply to a counter metric/);
  assert.equal(checkAggregation(parseExpression('value<1'), key, 'gauge'), undefined);
  assert.match(checkAggregation(parseExpression('rate<1'), key, 'gauge') ?? '', /gauge/);
  assert.equal(checkAggregation(parseExpression('rate<1'), key, 'rate'), undefined);
  assert.match(checkAggregation(parseExpression('avg<1'), key, 'rate') ?? '', /rate metric/);
  for (const a of ['avg<1', 'min<1', 'max<1', 'med<1', 'p(99.9)<1']) assert.equal(checkAggregation(parseExpression(a), key, 'trend'), undefined);
  assert.match(checkAggregation(parseExpression('count<1'), key, 'trend') ?? '', /trend/);
});

test('operators compare as k6 does', () => {
  assert.equal(compare(1, '<', 2), true);
  assert.equal(compare(2, '<', 2), false);
  assert.equal(compare(2, '<=', 2), true);
  assert.equal(compare(3, '>', 2), true);
  assert.equal(compare(2, '>=', 2), true);
  assert.equal(compare(2, '==', 2), true);
  assert.equal(compare(2, '===', 2), true);
  assert.equal(compare(2, '!=', 2), false);
});
