/** Property-based fuzzing of the command-line flag parsers (src/cli/parse-flags.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FlagError,
  parseDurationFlag,
  parseKeyValues,
  parseOutputs,
  parsePositiveInt,
  parsePositiveNumber,
  parseSegment,
  parseStage,
} from '../../src/cli/parse-flags.ts';
import { MAX_DURATION_MS, parseDuration } from '../../src/util/duration.ts';
import { check, fc, glue, mostly, numberText, oddChar, parsesOrFails, userText } from './fuzz-kit.ts';

const DURATION_TOKENS = ['30s', '1m', '500ms', '1h30m', '0', '1.5s', 's', 'ms', 'd', '24d', '25d'];
const pad = fc.constantFrom('', '', ' ', '\t', '\u00a0');
const durationish = mostly(fc.constantFrom(...DURATION_TOKENS), userText(DURATION_TOKENS, 3));
const sep = fc.constantFrom(':', ':', ':', '::', ' : ', '', '/', '=');

test('--stage: DURATION:TARGET with a duration that parses and a safe integer target >= 0, else FlagError quoting it', () => {
  const stage = mostly(glue(pad, durationish, sep, numberText, pad), userText([...DURATION_TOKENS, ':', '::', '100', '0', '-1', '1e3']));
  check('flags:stage', [stage], (s) => {
    parsesOrFails(() => parseStage(s), FlagError, [`--stage "${s}"`], (st) => {
      assert.ok(Number.isSafeInteger(st.target) && st.target >= 0, `target ${st.target}`);
      assert.equal(typeof st.duration, 'string');
      const ms = parseDuration(st.duration);
      assert.ok(Number.isFinite(ms) && ms >= 0 && ms <= MAX_DURATION_MS);
      assert.equal(st.duration, String(st.duration).trim());
    });
  });
});

test('--stage: every DURATION:TARGET built from valid parts parses to those parts', () => {
  check('flags:stage-valid', [fc.constantFrom('30s', '1m30s', '500ms', '2h', '0s', '1.5s', '24d'), fc.nat({ max: 1_000_000 }), fc.constantFrom('', ' ', '\t')], (d, target, pad) => {
    assert.deepEqual(parseStage(`${pad}${d}:${target}${pad}`), { duration: d, target });
  });
});

const intText = fc.oneof(numberText, userText(['1', '0', '10', ' ', '-', '+', 'e', '.']));

test('--vus / --iterations / --workers / --dashboard-port: a safe integer >= min exactly for digit strings, else FlagError quoting it', () => {
  check('flags:int', [intText, fc.constantFrom(0, 1)], (v, min) => {
    const n = parsesOrFails(() => parsePositiveInt(v, '--vus', min), FlagError, [`--vus "${v}"`], (x) => {
      assert.ok(x !== undefined && Number.isSafeInteger(x) && x >= min, `got ${x}`);
      assert.equal(x, Number(v));
    });
    const oracle = /^\d+$/.test(v) && Number.isSafeInteger(Number(v)) && Number(v) >= min;
    assert.equal(n !== undefined, oracle, `accepted ${JSON.stringify(v)}: ${n !== undefined}, should be ${oracle}`);
  });
  assert.equal(parsePositiveInt(undefined, '--vus'), undefined);
});

test('--time-scale: a finite decimal number > 0 (>= min), else FlagError quoting it', () => {
  check('flags:number', [fc.oneof(numberText, userText(['1', '0', '.', '5', 'e', '-', '+', ' ', 'x'])), fc.constantFrom(0, 0.001)], (v, min) => {
    parsesOrFails(() => parsePositiveNumber(v, '--time-scale', min), FlagError, [`--time-scale "${v}"`], (x) => {
      assert.ok(x !== undefined && Number.isFinite(x) && x > 0 && x >= min, `got ${x}`);
      assert.match(v.trim(), /^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, 'only decimal numbers');
    });
  });
});

test('--segment: 1 <= i <= n (safe integers), index = i - 1, else FlagError quoting it', () => {
  const segment = mostly(glue(pad, numberText, fc.constantFrom('/', '/', ':', '//', ' / '), numberText, pad), userText(['1', '2', '3', '/', '0', '//', ' ', '-1']));
  check('flags:segment', [segment], (v) => {
    parsesOrFails(() => parseSegment(v), FlagError, [`--segment "${v}"`], (seg) => {
      assert.ok(seg !== undefined);
      assert.ok(Number.isSafeInteger(seg.count) && seg.count >= 1, `count ${seg.count}`);
      assert.ok(Number.isSafeInteger(seg.index) && seg.index >= 0 && seg.index < seg.count, `index ${seg.index}`);
      assert.equal(`${seg.index + 1}/${seg.count}`, v.replace(/(^|\/)0+(?=\d)/g, '$1'));
    });
  });
});

test('--duration: the value parses as a duration or the FlagError names the flag and quotes the value', () => {
  check('flags:duration', [userText(DURATION_TOKENS)], (v) => {
    parsesOrFails(() => parseDurationFlag(v, '--duration'), FlagError, [`--duration "${v}"`], (x) => {
      assert.equal(x, v);
      parseDuration(v);
    });
  });
});

const keyValue = mostly(
  glue(fc.constantFrom('A', 'KEY', '__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ', 'a b', 'é'), fc.constantFrom('=', '=', '', '=='), fc.string({ maxLength: 6 })),
  userText(['A', 'KEY', '=', '==', '__proto__', 'x', ' ']),
);

test('-e / --tag KEY=VALUE: every pair lands as an own property (the last wins), else FlagError quoting the item', () => {
  check('flags:key-values', [fc.array(keyValue, { maxLength: 6 })], (items) => {
    const out = parsesOrFails(() => parseKeyValues(items, '-e'), FlagError, [], (kv) => {
      const expected = new Map<string, string>();
      for (const item of items) expected.set(item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1));
      assert.deepEqual(Object.keys(kv).sort(), [...expected.keys()].sort());
      for (const [k, v] of expected) {
        assert.ok(Object.hasOwn(kv, k), `key ${JSON.stringify(k)} lost`);
        assert.equal(kv[k], v);
      }
    });
    if (out === undefined) {
      const bad = items.find((i) => i.indexOf('=') <= 0) as string;
      assert.throws(() => parseKeyValues(items, '-e'), (e: Error) => e instanceof FlagError && e.message.includes(`-e "${bad}"`));
    }
  });
});

const outItem = fc.oneof(
  userText(['json', 'csv', 'xml', '=', 'out.jsonl', 'a.csv', '', ' ', 'JSON']),
  fc.tuple(fc.constantFrom('json', 'csv'), fc.string({ minLength: 1, maxLength: 8 })).map(([k, f]) => `${k}=${f}`),
);

test('--out kind=FILE: json and csv at most once each with a file, else FlagError quoting the item', () => {
  check('flags:out', [fc.array(outItem, { maxLength: 4 })], (items) => {
    const out = parsesOrFails(() => parseOutputs(items), FlagError, [], (o) => {
      assert.deepEqual(Object.keys(o).sort(), [...new Set(items.map((i) => i.slice(0, i.indexOf('='))))].sort(), 'every output asked for, none dropped');
      for (const item of items) assert.equal(o[item.slice(0, item.indexOf('='))], item.slice(item.indexOf('=') + 1), `${item} dropped`);
      for (const [kind, file] of Object.entries(o)) {
        assert.ok(kind === 'json' || kind === 'csv');
        assert.ok(file.length > 0);
      }
    });
    if (out === undefined) assert.throws(() => parseOutputs(items), (e: Error) => e instanceof FlagError && items.some((i) => e.message.includes(`--out "${i}"`)));
  });
});

test('odd characters around valid values never throw anything but FlagError', () => {
  check('flags:odd-around', [oddChar, fc.constantFrom('1', '2/3', '30s:5', '0.5', 'json=a'), oddChar], (a, v, b) => {
    const s = `${a}${v}${b}`;
    const parsers: (() => unknown)[] = [() => parsePositiveInt(s, '--x'), () => parseSegment(s), () => parseStage(s), () => parsePositiveNumber(s, '--x'), () => parseOutputs([s]), () => parseKeyValues([s], '--tag')];
    for (const parse of parsers) {
      parsesOrFails(parse, FlagError, [`"${s}"`], () => undefined);
    }
  });
});
