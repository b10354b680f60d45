/** HTTP samples' url tag (bounded), redirect limits and what `error` means, through the real engine. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runScript, total } from '../helpers/run-script.ts';

let server: http.Server;
let url = '';
before(async () => {
  server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/loop') {
      res.writeHead(302, { location: '/loop' });
      return res.end();
    }
    if (path === '/status/500') {
      res.writeHead(500);
      return res.end('boom');
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function tagValues(o: Awaited<ReturnType<typeof runScript>>, metric: string, tag: string): string[] {
  return o.metrics.tagValues(metric, tag);
}

test('HTTP samples carry a url tag (the URL requested) next to name', async () => {
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({
  http: { baseUrl: ${JSON.stringify(url)} },
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 2,
    exec: async (ctx) => { await ctx.http.get('/items/' + ctx.iteration, { name: 'item' }); await ctx.http.get('/plain', { query: { q: 1 } }); } } },
});`,
    { workers: 1 },
  );
  assert.deepEqual(tagValues(o, 'http_reqs', 'url'), [`${url}/items/0`, `${url}/items/1`, `${url}/plain?q=1`]);
  assert.equal(total(o, 'http_req_duration', [['name', 'item'], ['url', `${url}/items/1`]]), 1);
  // without a name, name defaults to the URL (as in k6)
  assert.equal(total(o, 'http_reqs', [['name', `${url}/plain`]]), 2);
});

test('past 1000 distinct URLs the url tag falls back to the name tag, with one warning', async () => {
  const logs: string[] = [];
  const o = await runScript(
    `import { defineTest } from 'agentload';
export default defineTest({
  http: { baseUrl: ${JSON.stringify(url)}, discardResponseBodies: true },
  scenarios: { s: { executor: 'shared-iterations', vus: 8, iterations: 1010,
    exec: async (ctx) => { await ctx.http.get('/runs/' + (ctx.vu * 100000 + ctx.iteration), { name: 'get_run' }); } } },
});`,
    { workers: 1, onLog: (l) => logs.push(l) },
  );
  assert.equal(total(o, 'http_reqs'), 1010);
  const urls = tagValues(o, 'http_reqs', 'url');
  assert.equal(urls.length, 1001, 'the first 1000 URLs and the name');
  assert.ok(urls.includes('get_run'));
  assert.equal(total(o, 'http_reqs', [['url', 'get_run']]), 10);
  assert.equal(logs.filter((l) => /more than 1000 distinct URLs/.test(l)).length, 1);
});

test('a redirect past http.maxRedirects is a failed request with error_code TOO_MANY_REDIRECTS; a per-request limit is not', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const seen = new Counter('seen');
export default defineTest({
  http: { baseUrl: ${JSON.stringify(url)}, maxRedirects: 3 },
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1,
    exec: async (ctx) => {
      const loop = await ctx.http.get('/loop', { name: 'loop' });
      ctx.record(seen, 1, { which: 'loop', status: String(loop.status), code: loop.error_code, error: loop.error === '' ? 'none' : 'set', expected: String(loop.expected) });
      const asked = await ctx.http.get('/loop', { name: 'asked', redirects: 2 });
      ctx.record(seen, 1, { which: 'asked', status: String(asked.status), code: asked.error_code, error: asked.error === '' ? 'none' : 'set' });
      const none = await ctx.http.get('/loop', { name: 'none', redirects: 0 });
      ctx.record(seen, 1, { which: 'none', status: String(none.status), code: none.error_code });
    } } },
});`,
    { workers: 1 },
  );
  // the limit of 3: the request and 3 redirects followed, the last one failed
  assert.equal(total(o, 'http_reqs', [['name', 'loop']]), 4);
  assert.equal(total(o, 'http_reqs', [['name', 'loop'], ['error_code', 'TOO_MANY_REDIRECTS']]), 1);
  assert.equal(o.metrics.query('http_req_failed', [['name', 'loop']])?.nonZero, 1);
  assert.equal(total(o, 'seen', [['which', 'loop'], ['status', '302'], ['code', 'TOO_MANY_REDIRECTS'], ['error', 'set'], ['expected', 'false']]), 1);
  // redirects: 2 asks for 2 hops: 3 requests, the last 302 returned as it is
  assert.equal(total(o, 'http_reqs', [['name', 'asked']]), 3);
  assert.equal(o.metrics.query('http_req_failed', [['name', 'asked']])?.nonZero, 0);
  assert.equal(total(o, 'seen', [['which', 'asked'], ['status', '302'], ['code', ''], ['error', 'none']]), 1);
  assert.equal(total(o, 'http_reqs', [['name', 'none']]), 1);
  assert.equal(total(o, 'seen', [['which', 'none'], ['status', '302'], ['code', '']]), 1);
});

test('a 500 has no error (status is judged by expected_response); a refused connection has one', async () => {
  const o = await runScript(
    `import { defineTest, Counter } from 'agentload';
const seen = new Counter('seen');
export default defineTest({
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 1,
    exec: async (ctx) => {
      const a = await ctx.http.get(${JSON.stringify(`${url}/status/500`)});
      ctx.record(seen, 1, { which: '500', error: a.error, code: a.error_code, expected: String(a.expected) });
      const b = await ctx.http.get('http://127.0.0.1:1/');
      ctx.record(seen, 1, { which: 'refused', error: b.error === '' ? 'none' : 'set', code: b.error_code });
    } } },
});`,
    { workers: 1 },
  );
  assert.equal(total(o, 'seen', [['which', '500'], ['error', ''], ['code', ''], ['expected', 'false']]), 1);
  assert.equal(total(o, 'seen', [['which', 'refused'], ['error', 'set'], ['code', 'ECONNREFUSED']]), 1);
  assert.equal(total(o, 'http_req_failed'), 2);
});
