/**
 * Table tests of the text rules behind bounded cardinality and safe output: the default `name` of a URL
 * (its path template), URL credentials masked as k6 masks them, and iteration errors grouped by template.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { errorTemplate, exampleMessage, listErrors, MAX_ERROR_MESSAGE, MAX_LISTED_ERRORS } from '../../src/util/error-template.ts';
import { withoutCredentials } from '../../src/util/url-credentials.ts';
import { cachedUrlTemplate, isId, urlTemplate } from '../../src/util/url-template.ts';

test('the default name of a URL is its path template: ids as {id}, no query, user part masked', () => {
  const cases: [string, string][] = [
    ['http://host/api/runs/42?x=1', 'http://host/api/runs/{id}'],
    ['http://127.0.0.1:8088/ok?id=8412', 'http://127.0.0.1:8088/ok'],
    ['https://Api.Example:443/u/0b7e9a4c-5d1f-4c2a-9e3b-7f6a1d2c8e90/files/a1b2c3d4e5#top', 'https://api.example/u/{id}/files/{id}'],
    ['http://h/v2/customers/cus_9s6XKzkNRiz8i3/orders', 'http://h/v2/customers/{id}/orders'],
    ['http://h/objects/507f1f77bcf86cd799439011', 'http://h/objects/{id}'],
    ['http://h/tasks/01ARZ3NDEKTSV4RRFFQ69G5FAV/status', 'http://h/tasks/{id}/status'],
    ['http://h/exports/8412.csv', 'http://h/exports/{id}.csv'],
    ['http://h/2024-01-01/report', 'http://h/2024-01-01/report'],
    ['http://h/api/v1/agents/planner', 'http://h/api/v1/agents/planner'],
    ['http://h/decade/facade/deadbeef', 'http://h/decade/facade/deadbeef'],
    ['http://h/', 'http://h/'],
    ['http://admin:s3cret@host:8080/ok', 'http://****:****@host:8080/ok'],
    ['http://admin@host/ok', 'http://****@host/ok'],
    ['ws://h:9/ws/rooms/77', 'ws://h:9/ws/rooms/{id}'],
    ['not a url?token=x', 'not a url'],
    ['http://a:b@[not', 'http://****:****@[not'],
  ];
  for (const [url, name] of cases) assert.equal(urlTemplate(url), name, url);
  assert.equal(cachedUrlTemplate('http://host/api/runs/42?x=1'), 'http://host/api/runs/{id}');
  assert.equal(cachedUrlTemplate('http://host/api/runs/42?x=1'), 'http://host/api/runs/{id}');
});

test('what counts as an id', () => {
  for (const id of ['42', '0', '0b7e9a4c-5d1f-4c2a-9e3b-7f6a1d2c8e90', 'a1b2c3d4', 'DEADBEEF00', 'eyJhbGciOiJIUzI1NiJ9', 'run_2kq9x8z7w6v5u4t3']) assert.equal(isId(id), true, id);
  for (const word of ['v2', 'api', 'deadbeef', 'a1b2c3d', 'planner', 'utf8', 'get_all_running_agents', '2024-01-01']) assert.equal(isId(word), false, word);
});

test('URL credentials are masked as k6 masks them, in URLs and in any text', () => {
  const cases: [string, string][] = [
    ['http://admin:pw@host/', 'http://****:****@host/'],
    ['https://user@host/x?y=1', 'https://****@host/x?y=1'],
    ['http://a:b@c@host/path', 'http://****:****@host/path'],
    ['GET http://admin:s3cretpw@127.0.0.1:80/x failed; retry at https://u:p@h2/', 'GET http://****:****@127.0.0.1:80/x failed; retry at https://****:****@h2/'],
    ['mail me at someone@example.com', 'mail me at someone@example.com'],
    ['http://host/path?email=a@b.c', 'http://host/path?email=a@b.c'],
    ['no url here', 'no url here'],
  ];
  for (const [text, masked] of cases) assert.equal(withoutCredentials(text), masked, text);
});

test('errors are grouped by message template', () => {
  const cases: [string, string][] = [
    ['item 0.5488135039273248', 'item {n}'],
    ['item 42 not found', 'item {n} not found'],
    ['run 0b7e9a4c-5d1f-4c2a-9e3b-7f6a1d2c8e90 missing', 'run {id} missing'],
    ["Cannot read properties of undefined (reading 'id')", 'Cannot read properties of undefined (reading "…")'],
    [`Unexpected token '<', "<html>…" is not valid JSON`, 'Unexpected token "…", "…" is not valid JSON'],
    ["can't parse `x` at 12", 'can\'t parse "…" at {n}'],
    ['GET http://admin:pw@127.0.0.1:8080/api/runs/42?x=1 failed.', 'GET http://****:****@127.0.0.1:8080/api/runs/{id} failed.'],
    ['token eyJhbGciOiJIUzI1NiJ9 rejected by v2', 'token {id} rejected by v2'],
    ['expected 3 items, got 1e+21', 'expected {n} items, got {n}'],
    ['TypeError: x is not a function', 'TypeError: x is not a function'],
  ];
  for (const [message, template] of cases) assert.equal(errorTemplate(message), template, message);
  assert.equal(errorTemplate('item 1'), errorTemplate('item 999999'));
  assert.notEqual(errorTemplate('stage AB failed'), errorTemplate('stage BA failed'));
});

test('an example message is masked and cut; the listed kinds are the most frequent, the rest counted', () => {
  assert.equal(exampleMessage('to http://a:b@h/ failed'), 'to http://****:****@h/ failed');
  const long = exampleMessage('x'.repeat(5000));
  assert.equal(long.length, MAX_ERROR_MESSAGE);
  assert.ok(long.endsWith('…'));

  const groups = Array.from({ length: 150 }, (_, i) => ({ id: i, count: i === 120 ? 1000 : 1 + (i % 3) }));
  const total = groups.reduce((n, g) => n + g.count, 0) + 17;
  const { listed, notListed } = listErrors(groups, total, 4);
  assert.equal(listed.length, MAX_LISTED_ERRORS);
  assert.equal(listed[0]?.id, 120, 'most frequent first');
  assert.deepEqual(
    listed.slice(1, 4).map((g) => g.id),
    [2, 5, 8],
    'ties in the order first seen',
  );
  assert.equal(notListed.templates, 50 + 4);
  assert.equal(listed.reduce((n, g) => n + g.count, 0) + notListed.errors, total);
});
