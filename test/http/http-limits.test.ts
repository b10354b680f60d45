/**
 * ctx.http's response-size limit and whole-request timeout, on both transports: agentload's own pool
 * (http://) and undici (https://), against the fault server on loopback.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpClient, expectedTable, type HttpDefaults } from '../../src/protocols/http/client.ts';
import { HttpAgent } from '../../src/protocols/http/agent.ts';
import { startFaultServer, type FaultServer } from '../faults/fault-server.ts';
import { selfSignedCert } from '../helpers/tls.ts';
import { TestScope, until } from '../protocols/ws-test-scope.ts';

const LIMIT = { timeout: 30_000 };
const MAX = 100_000;

function defaults(over: Partial<HttpDefaults> = {}): HttpDefaults {
  return {
    baseUrl: '',
    timeoutMs: 5000,
    maxRedirects: 0,
    discardResponseBodies: false,
    expected: expectedTable(undefined),
    headers: { 'user-agent': 'agentload-test' },
    cookies: false,
    maxResponseBytes: MAX,
    ...over,
  };
}

const cert = selfSignedCert();

for (const transport of ['http', 'https'] as const) {
  describe(`${transport}: maxResponseBytes and the whole-request timeout`, { skip: transport === 'https' && cert === null ? 'openssl is not installed' : false }, () => {
    let server: FaultServer;
    let agent: HttpAgent;
    before(async () => {
      server = await startFaultServer(transport === 'https' && cert !== null ? { tls: cert } : {});
      agent = new HttpAgent({ insecureSkipTLSVerify: true });
    });
    after(async () => {
      await agent.close();
      await server.close();
    });
    const client = (scope: TestScope, over: Partial<HttpDefaults> = {}): HttpClient => new HttpClient(scope, agent, defaults({ baseUrl: server.url, ...over }));

    test('exactly the limit passes; one byte more is RESPONSE_TOO_LARGE, with or without Content-Length; the VU goes on', LIMIT, async () => {
      const scope = new TestScope();
      const http = client(scope);
      for (const framing of ['', '&chunked']) {
        const ok = await http.get(`/sized?n=${MAX}${framing}`, { name: 'at_limit' });
        assert.equal(ok.status, 200, ok.error);
        assert.equal(ok.bytes?.length, MAX);
        const big = await http.get(`/sized?n=${MAX + 1}${framing}`, { name: 'past_limit' });
        assert.equal(big.error_code, 'RESPONSE_TOO_LARGE', framing);
        assert.equal(big.status, 0);
        assert.equal(big.body, null, 'no part of a body past the limit is kept');
        assert.match(big.error, /maxResponseBytes/);
        const next = await http.get('/ok', { name: 'ok' });
        assert.equal(next.body, 'ok');
      }
      assert.equal(scope.count('http_reqs', { name: 'past_limit', error_code: 'RESPONSE_TOO_LARGE', status: '0' }), 2);
      assert.equal(scope.sum('http_req_failed', { name: 'past_limit' }), 2);
      assert.equal(scope.sum('http_req_failed', { name: 'at_limit' }), 0);
      assert.equal(scope.count('http_reqs', { name: 'ok', status: '200' }), 2);
    });

    test('an endless body and a 1 GB Content-Length fail with RESPONSE_TOO_LARGE, closing the connection; data_received counts what was read', LIMIT, async () => {
      const scope = new TestScope();
      const http = client(scope);
      const closed = server.closed;
      const endless = await http.get('/endless');
      assert.equal(endless.error_code, 'RESPONSE_TOO_LARGE');
      // the server writes until the client closes: its socket closing is the proof
      await until(() => server.closed > closed, 'the connection of the endless body to close');
      assert.ok(scope.sum('data_received') > MAX, `data_received ${scope.sum('data_received')}`);
      const before = scope.sum('data_received');
      const huge = await http.get('/huge');
      assert.equal(huge.error_code, 'RESPONSE_TOO_LARGE');
      assert.match(huge.error, /announces 1000000000 bytes/);
      assert.ok(scope.sum('data_received') - before < 1_000_000, 'the announced body was not read');
    });

    test('per request: maxResponseBytes raises or lowers the limit, 0 removes it; a wrong value throws, naming it', LIMIT, async () => {
      const http = client(new TestScope());
      assert.equal((await http.get(`/sized?n=${3 * MAX}`, { maxResponseBytes: 3 * MAX })).status, 200);
      assert.equal((await http.get(`/sized?n=${3 * MAX}`, { maxResponseBytes: 0 })).status, 200);
      assert.equal((await http.get('/sized?n=11', { maxResponseBytes: 10 })).error_code, 'RESPONSE_TOO_LARGE');
      await assert.rejects(http.get('/ok', { maxResponseBytes: -1 }), /maxResponseBytes must be a whole number of bytes >= 0 \(0 = no limit\), got -1/);
      const unlimited = client(new TestScope(), { maxResponseBytes: 0 });
      assert.equal((await unlimited.get(`/sized?n=${3 * MAX}&chunked`)).status, 200);
    });

    test('discarded bodies are counted, not kept, and not limited: a large download with responseType none passes', LIMIT, async () => {
      const scope = new TestScope();
      const http = client(scope);
      const r = await http.get(`/sized?n=${20 * MAX}&chunked`, { responseType: 'none' });
      assert.equal(r.status, 200, r.error);
      assert.equal(r.body, null);
      assert.ok(scope.sum('data_received') >= 20 * MAX);
      const all = client(new TestScope(), { discardResponseBodies: true });
      assert.equal((await all.get(`/sized?n=${20 * MAX}`)).status, 200);
    });

    test('timeout is a deadline for the whole request: a trickling body gives UND_ERR_BODY_TIMEOUT, no headers UND_ERR_HEADERS_TIMEOUT', LIMIT, async () => {
      const scope = new TestScope();
      const http = client(scope);
      const trickle = await http.get('/trickle?ms=5', { timeout: '400ms', name: 'trickle' });
      assert.equal(trickle.error_code, 'UND_ERR_BODY_TIMEOUT', trickle.error);
      assert.equal(trickle.status, 0);
      const hang = await http.get('/hang', { timeout: '200ms', name: 'hang' });
      assert.equal(hang.error_code, 'UND_ERR_HEADERS_TIMEOUT', hang.error);
      // a discarded body is bounded by the timeout alone
      const endless = await http.get('/endless', { timeout: '300ms', responseType: 'none' });
      assert.equal(endless.error_code, 'UND_ERR_BODY_TIMEOUT', endless.error);
      assert.equal(scope.count('http_reqs', { name: 'trickle', error_code: 'UND_ERR_BODY_TIMEOUT' }), 1);
      assert.equal(scope.count('http_reqs', { name: 'hang', error_code: 'UND_ERR_HEADERS_TIMEOUT' }), 1);
      assert.equal((await http.get('/ok')).status, 200, 'the VU goes on');
    });
  });
}
