/** Flag parsers (src/cli/parse-flags.ts): table tests, with the counterexamples test/fuzz/flags.fuzz.test.ts found. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlagError, parseDurationFlag, parseKeyValues, parseOutputs, parsePositiveInt, parsePositiveNumber, parseSegment, parseStage } from '../../src/cli/parse-flags.ts';

function refuses(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: Error) => e instanceof FlagError && re.test(e.message), re.source);
}

test('--stage', () => {
  assert.deepEqual(parseStage('30s:100'), { duration: '30s', target: 100 });
  assert.deepEqual(parseStage(' 1m30s:0 '), { duration: '1m30s', target: 0 });
  // the duration is trimmed (fuzz: "30s :5" kept "30s ")
  assert.deepEqual(parseStage('30s :5'), { duration: '30s', target: 5 });
  refuses(() => parseStage('30s'), /^--stage "30s": expected DURATION:TARGET, like 30s:100$/);
  refuses(() => parseStage('30s:-1'), /--stage "30s:-1": expected DURATION:TARGET/);
  refuses(() => parseStage('30x:5'), /--stage "30x:5": "30x" is not a duration/);
  refuses(() => parseStage('30d:5'), /--stage "30d:5": "30d" is longer than/);
  // fuzz: a 16-digit target was rounded (9999999999999999 → 1e16) and the run hung creating VUs
  refuses(() => parseStage('30s:9999999999999999'), /--stage "30s:9999999999999999": target 9999999999999999 is too large/);
  refuses(() => parseStage(`1s:${'9'.repeat(23)}`), /too large/);
});

test('integers: --vus, --iterations, --workers, --dashboard-port', () => {
  assert.equal(parsePositiveInt('10', '--vus'), 10);
  assert.equal(parsePositiveInt('007', '--vus'), 7);
  assert.equal(parsePositiveInt('0', '--dashboard-port', 0), 0);
  assert.equal(parsePositiveInt(String(Number.MAX_SAFE_INTEGER), '--vus'), Number.MAX_SAFE_INTEGER);
  refuses(() => parsePositiveInt('ten', '--vus'), /^--vus "ten": expected an integer >= 1$/);
  refuses(() => parsePositiveInt('0', '--vus'), /--vus "0": expected an integer >= 1/);
  refuses(() => parsePositiveInt('1.5', '--vus'), /--vus "1.5"/);
  refuses(() => parsePositiveInt(' 5', '--vus'), /--vus " 5"/);
  refuses(() => parsePositiveInt('1e3', '--vus'), /--vus "1e3"/);
  // fuzz: 2^53 and past were rounded; a 23-digit --vus ran out of memory (exit 134) creating VUs
  refuses(() => parsePositiveInt('9007199254740992', '--vus'), /--vus "9007199254740992": too large \(at most 9007199254740991\)/);
  refuses(() => parsePositiveInt('99999999999999999999999', '--vus'), /too large/);
});

test('numbers: --time-scale', () => {
  assert.equal(parsePositiveNumber('20', '--time-scale'), 20);
  assert.equal(parsePositiveNumber('0.5', '--time-scale'), 0.5);
  assert.equal(parsePositiveNumber('.5', '--time-scale'), 0.5);
  assert.equal(parsePositiveNumber('1e3', '--time-scale'), 1000);
  assert.equal(parsePositiveNumber('0.001', '--time-scale', 0.001), 0.001);
  refuses(() => parsePositiveNumber('0', '--time-scale'), /^--time-scale "0": expected a number > 0$/);
  refuses(() => parsePositiveNumber('-2', '--time-scale'), /--time-scale "-2"/);
  refuses(() => parsePositiveNumber('', '--time-scale'), /--time-scale "": expected a number > 0/);
  refuses(() => parsePositiveNumber('Infinity', '--time-scale'), /--time-scale "Infinity"/);
  refuses(() => parsePositiveNumber('1e400', '--time-scale'), /--time-scale "1e400"/);
  // fuzz: Number() took hex and binary ("0b1" was a time scale of 1)
  refuses(() => parsePositiveNumber('0b1', '--time-scale'), /--time-scale "0b1"/);
  refuses(() => parsePositiveNumber('0x10', '--time-scale'), /--time-scale "0x10"/);
  // 1e-320 divided every duration of the schedule into Infinity
  refuses(() => parsePositiveNumber('1e-320', '--time-scale', 0.001), /--time-scale "1e-320": expected a number >= 0.001/);
});

test('--segment', () => {
  assert.deepEqual(parseSegment('1/1'), { index: 0, count: 1 });
  assert.deepEqual(parseSegment('2/4'), { index: 1, count: 4 });
  refuses(() => parseSegment('4/3'), /^--segment "4\/3": need 1 <= i <= n$/);
  refuses(() => parseSegment('0/3'), /need 1 <= i <= n/);
  refuses(() => parseSegment('1/3 '), /--segment "1\/3 ": expected i\/n, like 1\/3/);
  refuses(() => parseSegment('a/b'), /expected i\/n/);
  // fuzz: n past 2^53 was rounded ("9/9999999999999999" took a segment of 1e16)
  refuses(() => parseSegment('9/9999999999999999'), /--segment "9\/9999999999999999": n is too large/);
  refuses(() => parseSegment(`${'9'.repeat(23)}/${'9'.repeat(23)}`), /n is too large/);
});

test('--duration', () => {
  assert.equal(parseDurationFlag('30s', '--duration'), '30s');
  refuses(() => parseDurationFlag('30x', '--duration'), /^--duration "30x": not a duration \(examples: 30s, 1m30s, 500ms, 2h\)$/);
  refuses(() => parseDurationFlag('', '--duration'), /^--duration "": empty/);
  refuses(() => parseDurationFlag('30d', '--duration'), /^--duration "30d": longer than 596h31m23\.6s/);
});

test('-e / --tag KEY=VALUE', () => {
  assert.deepEqual(parseKeyValues(['A=1', 'B=x=y', 'C=', 'A=2'], '-e'), { A: '2', B: 'x=y', C: '' });
  assert.deepEqual(parseKeyValues(undefined, '-e'), {});
  refuses(() => parseKeyValues(['=x'], '-e'), /^-e "=x": expected KEY=VALUE$/);
  refuses(() => parseKeyValues(['A'], '--tag'), /^--tag "A": expected KEY=VALUE$/);
  // fuzz: `__proto__=` went to the prototype setter and was silently lost
  const kv = parseKeyValues(['__proto__=x', 'constructor=y'], '--tag');
  assert.ok(Object.hasOwn(kv, '__proto__'));
  assert.equal(kv['__proto__'], 'x');
  assert.equal(kv.constructor, 'y');
});

test('--out', () => {
  assert.deepEqual(parseOutputs(['json=a.jsonl', 'csv=b.csv']), { json: 'a.jsonl', csv: 'b.csv' });
  refuses(() => parseOutputs(['xml=x.xml']), /^--out "xml=x.xml": unknown output "xml"/);
  refuses(() => parseOutputs(['json']), /^--out "json": expected json=FILE$/);
  refuses(() => parseOutputs(['json=']), /--out "json=": expected json=FILE/);
  // fuzz: a second json= silently replaced the first
  refuses(() => parseOutputs(['csv= ', 'csv=!']), /^--out "csv=!": csv output given twice \(already --out "csv= "\)$/);
});
