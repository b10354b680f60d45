/** res.json(selector): the GJSON paths agentload supports, table-driven, and the ones it refuses, by name. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectJson } from '../../src/protocols/json-path.ts';
import { HttpResponse } from '../../src/protocols/http/response.ts';

// GJSON's own example document (SYNTAX.md), plus a few edges
const DOC = {
  name: { first: 'Tom', last: 'Anderson' },
  age: 37,
  children: ['Sara', 'Alex', 'Jack'],
  'fav.movie': 'Deer Hunter',
  friends: [
    { first: 'Dale', last: 'Murphy', age: 44, nets: ['ig', 'fb', 'tw'] },
    { first: 'Roger', last: 'Craig', age: 68, nets: ['fb', 'tw'] },
    { first: 'Jane', last: 'Murphy', age: 47, nets: ['ig', 'tw'] },
  ],
  items: [{ id: 'r1' }, { id: 'r2', extra: null }, { other: 1 }],
  '0': 'key zero',
  'a*b': 'star',
  'x#y': 'hash inside',
  '#tag': 'hash first',
  '@at': 'at first',
  'a[0]': 'brackets',
  nothing: null,
  flag: false,
  empty: [],
};

test('supported selectors: the value at the path, undefined when it finds nothing (as k6)', () => {
  const table: [string, unknown][] = [
    ['name.last', 'Anderson'],
    ['name.first', 'Tom'],
    ['age', 37],
    ['children', ['Sara', 'Alex', 'Jack']],
    ['children.0', 'Sara'],
    ['children.2', 'Jack'],
    ['children.#', 3],
    ['friends.1.first', 'Roger'],
    ['friends.#', 3],
    ['friends.#.first', ['Dale', 'Roger', 'Jane']],
    ['friends.#.nets.#', [3, 2, 2]],
    ['friends.#.nets.0', ['ig', 'fb', 'ig']],
    ['items.#.id', ['r1', 'r2']],
    ['items.1.extra', null],
    ['nothing', null],
    ['flag', false],
    ['empty.#', 0],
    ['children.#.x', []],
    ['fav\\.movie', 'Deer Hunter'],
    ['0', 'key zero'],
    ['a\\*b', 'star'],
    ['x#y', 'hash inside'],
    ['\\#tag', 'hash first'],
    ['\\@at', 'at first'],
    ['a\\[0\\]', 'brackets'],
    // finds nothing
    ['missing', undefined],
    ['name.middle', undefined],
    ['children.3', undefined],
    ['children.-1', undefined],
    ['children.01', undefined],
    ['children.first', undefined],
    ['age.#', undefined],
    ['name.#', undefined],
    ['age.value', undefined],
    ['nothing.x', undefined],
    ['fav.movie', undefined],
    ['toString', undefined],
    ['__proto__', undefined],
  ];
  for (const [selector, want] of table) assert.deepEqual(selectJson(DOC, selector), want, selector);
});

test('selectors outside the subset are refused with an error naming the selector and what is supported', () => {
  const table: [string, RegExp][] = [
    ['', /empty selector/],
    ['items[0].id', /brackets are not GJSON: write items\.0\.id for items\[0\]\.id/],
    ['$.items', /no "\$"/],
    ['child*.2', /wildcards/],
    ['c?ildren', /wildcards/],
    ['friends.#(last=="Murphy").first', /queries #\(…\)/],
    ['friends.#(age>45)#.last', /queries #\(…\)/],
    ['children|@reverse', /pipes/],
    ['children.@reverse', /modifiers \(@reverse\)/],
    ['@this', /modifiers/],
    ['[name.first,age]', /multipaths/],
    ['{name.first,age}', /multipaths/],
    ['a.{b}', /multipaths/],
    ['!true', /literals/],
    ['a..b', /empty key/],
    ['a.', /empty key/],
    ['.a', /empty key/],
    ['friends.#x', /"#x": "#" stands alone/],
    ['a\\', /escapes nothing/],
  ];
  for (const [selector, why] of table) {
    assert.throws(
      () => selectJson(DOC, selector),
      (e: Error) => {
        assert.ok(e.message.startsWith(`res.json(${JSON.stringify(selector)}): `), e.message);
        assert.match(e.message, why);
        assert.match(e.message, /supported: keys \(a\.b\), array indexes \(items\.0\.id\), items\.# \(length\)/);
        return true;
      },
      selector,
    );
  }
  assert.throws(() => selectJson(DOC, 5 as unknown as string), /selector must be a string/);
});

function response(body: string | null): HttpResponse {
  const timings = { blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
  return new HttpResponse({ method: 'GET', url: 'http://127.0.0.1/x' }, 'http://127.0.0.1/x', 200, 'OK', null, body === null ? null : [Buffer.from(body)], timings, '', '', true);
}

test('res.json(selector): the value, undefined when absent, the whole body without one; refused before the body is read', () => {
  const res = response(JSON.stringify({ id: 'run-1', steps: [{ id: 's1' }, { id: 's2' }] }));
  assert.equal(res.json('id'), 'run-1');
  assert.equal(res.json('steps.#'), 2);
  assert.deepEqual(res.json('steps.#.id'), ['s1', 's2']);
  assert.equal(res.json('missing'), undefined);
  assert.deepEqual(res.json(), { id: 'run-1', steps: [{ id: 's1' }, { id: 's2' }] });
  assert.throws(() => res.json('steps[0]'), /^Error: res\.json\("steps\[0\]"\): brackets/);
  // the selector is checked even when the body is not JSON, or discarded
  assert.throws(() => response('not json').json('a*'), /wildcards/);
  assert.throws(() => response(null).json('a*'), /wildcards/);
  assert.throws(() => response('not json').json('id'), /is not JSON/);
});
