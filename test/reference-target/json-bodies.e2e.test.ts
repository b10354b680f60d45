/**
 * Bodies the target refuses, on every route that takes a body: JSON nested
 * deeper than MAX_JSON_DEPTH is a 400 naming the limit (it was a 500: the
 * store's recursion overflowed the stack), and a body that is not JSON
 * (text/plain included) is a 415, each in the route's own error shape.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTargetServer, type TargetServer } from '../../src/reference-target/server.ts';
import { resolveTargetOptions } from '../../src/reference-target/options.ts';
import { jsonDepth, MAX_JSON_DEPTH } from '../../src/reference-target/http/json-body.ts';
import { FAST_LLM } from './target-fixture.ts';

let server: TargetServer;
before(async () => {
  server = await createTargetServer(resolveTargetOptions({ db: ':memory:', redisUrl: null, amqpUrl: null, token: null, port: 0, host: '127.0.0.1', llm: { ...FAST_LLM } }));
});
after(() => server.close());

/** Every route of a method, from Fastify's route tree (one level = 4 characters of indent). */
function routesOf(method: string): string[] {
  const tree = server.app.printRoutes({ commonPrefix: false, method });
  const stack: string[] = [];
  const out: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^((?:[│ ] {3})*)[├└]── (\S+) \(/.exec(line);
    if (m === null) continue;
    const level = (m[1] as string).length / 4;
    stack.length = level;
    stack.push(m[2] as string);
    out.push(stack.join(''));
  }
  return out;
}

const bodyRoutes = (): [string, string][] =>
  ['POST', 'PUT', 'PATCH', 'DELETE'].flatMap((method) => routesOf(method).map((path) => [method, path.replace(/:[A-Za-z]+/g, 'no-such-id')] as [string, string]));

const nested = (levels: number): string => `{"goal":"deep","input":${'['.repeat(levels - 1)}${']'.repeat(levels - 1)}}`;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function send(method: string, path: string, body: string, contentType: string): Promise<Answer> {
  const res = await fetch(server.url + path, { method, headers: { 'content-type': contentType }, body });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** The error message in any of the target's three shapes: its own, OpenAI's, JSON-RPC's. */
function messageOf(a: Answer): string {
  const e = a.body.error;
  if (typeof e === 'string') return a.body.message as string;
  return (e as { message: string }).message;
}

test('the route tree is read: every route that takes a body is checked', () => {
  const routes = bodyRoutes().map(([m, p]) => `${m} ${p}`);
  for (const r of ['POST /api/runs', 'PATCH /api/runs/no-such-id', 'POST /api/records/batch', 'POST /v1/chat/completions', 'POST /a2a/jsonrpc', 'POST /api/proposals/no-such-id/votes']) {
    assert.ok(routes.includes(r), `${r} in ${routes.join(', ')}`);
  }
  assert.ok(routes.length >= 20, `${routes.length} routes`);
});

test(`JSON nested deeper than ${MAX_JSON_DEPTH} levels is a 400 naming the limit, on every route`, async () => {
  for (const levels of [MAX_JSON_DEPTH + 1, 4_500, 100_000]) {
    for (const [method, path] of bodyRoutes()) {
      const a = await send(method, path, nested(levels), 'application/json');
      const where = `${method} ${path} (${levels} levels): ${JSON.stringify(a.body)}`;
      assert.ok(messageOf(a).includes(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`), where);
      if (path === '/a2a/jsonrpc') {
        assert.equal(a.status, 200, where);
        assert.equal((a.body.error as { code: number }).code, -32700, where);
      } else {
        assert.equal(a.status, 400, where);
        if (!path.startsWith('/v1/')) assert.deepEqual([a.body.error, a.body.field], ['bad_request', 'body'], where);
      }
    }
  }
});

test(`JSON nested exactly ${MAX_JSON_DEPTH} levels is accepted`, async () => {
  const a = await send('POST', '/api/runs', nested(MAX_JSON_DEPTH), 'application/json');
  assert.equal(a.status, 201, JSON.stringify(a.body));
});

test('a body that is not JSON is a 415 naming its content type, on every route; an empty one is no body', async () => {
  for (const type of ['text/plain', 'text/plain; charset=utf-8', 'application/xml', 'application/x-www-form-urlencoded']) {
    for (const [method, path] of bodyRoutes()) {
      const a = await send(method, path, '{"goal":"not this way"}', type);
      const where = `${method} ${path} (${type}): ${JSON.stringify(a.body)}`;
      if (path === '/a2a/jsonrpc') {
        assert.equal((a.body.error as { code: number }).code, -32005, where);
        continue;
      }
      assert.equal(a.status, 415, where);
      if (path.startsWith('/v1/')) continue;
      assert.equal(a.body.error, 'unsupported_media_type', where);
      assert.equal(a.body.message, `unsupported content-type "${type.split(';')[0] as string}": send the body as JSON with content-type: application/json`, where);
    }
  }
  const run = await send('POST', '/api/a2a/tasks', '{"input":"x"}', 'application/json');
  assert.equal(run.status, 202);
  const empty = await fetch(`${server.url}/api/a2a/tasks/${run.body.id as string}/cancel`, { method: 'POST', headers: { 'content-type': 'text/plain' } });
  assert.notEqual(empty.status, 415, 'an empty text/plain body is no body');
  assert.ok(empty.status < 500, String(empty.status));
});

test('jsonDepth counts nesting outside strings only', () => {
  const table: [string, number][] = [
    ['1', 0],
    ['{}', 1],
    ['[[1],[2,[3]]]', 3],
    ['{"a":"[[[[{"}', 1],
    ['{"a":"\\"[[[","b":[[]]}', 3],
    ['["\\\\",[]]', 2],
  ];
  for (const [text, depth] of table) assert.equal(jsonDepth(text), depth, text);
  assert.equal(jsonDepth('['.repeat(1000), 10), 11, 'stops counting past the limit');
});
