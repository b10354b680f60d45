/**
 * The fault suite, HTTP: the CLI against the fault server, one run per fault. Each run must end by itself
 * with exit 0 (its thresholds count the expected error_code exactly), write summary.json, and show that the
 * VU went on after the fault (a request to /ok after each one).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSummary, runCli } from '../helpers/cli.ts';
import { selfSignedCert } from '../helpers/tls.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'http-fault.ts');
const LIMIT = { timeout: 90_000 };

let plain: FaultServer;
let secure: FaultServer | null = null;
before(async () => {
  plain = await startFaultServer();
  const cert = selfSignedCert();
  if (cert !== null) secure = await startFaultServer({ tls: cert });
});
after(async () => {
  await plain.close();
  await secure?.close();
});

interface Case {
  route: string;
  code: string;
  timeout?: string;
  discard?: boolean;
  server?: FaultServer;
}

/** Run the fixture on one fault; returns the summary after the common assertions. */
async function runFault(c: Case): Promise<ReturnType<typeof readSummary>> {
  const server = c.server ?? plain;
  const env = { AL_FAULT_URL: server.url, AL_FAULT_ROUTE: c.route, AL_FAULT_CODE: c.code, AL_FAULT_TIMEOUT: c.timeout ?? '2s', AL_FAULT_DISCARD: c.discard === true ? '1' : '' };
  Object.assign(process.env, env);
  try {
    const r = await runCli(['run', FIXTURE, '--quiet'], { timeoutMs: 60_000 });
    const runs = readdirSync(r.resultsDir);
    assert.equal(runs.length, 1, r.stderr);
    assert.ok(existsSync(join(r.resultsDir, runs[0] as string, 'summary.json')), 'summary.json is written');
    const s = readSummary(r.resultsDir);
    const failed = s.agentload.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression}: ${String(t.value)}`);
    assert.equal(r.code, 0, `exit ${String(r.code)}; failed thresholds: ${failed.join('; ')}\n${r.stderr}`);
    assert.equal(s.metrics.iterations?.values.count, 2);
    assert.equal(s.metrics.http_reqs?.values.count, 4, 'two faults and two requests after them');
    assert.equal(s.metrics.checks?.values.fails, 0, JSON.stringify(s.root_group.checks));
    assert.equal(s.metrics.checks?.values.passes, 6);
    const fault = s.agentload.endpoints.find((e) => e.name === 'fault');
    assert.equal(fault?.count, 2);
    assert.equal(fault?.failed, c.code === '' ? 0 : 2);
    return s;
  } finally {
    for (const k of Object.keys(env)) delete process.env[k];
  }
}

test('endless chunked body: RESPONSE_TOO_LARGE at the 1 MB limit, the VU goes on', LIMIT, async () => {
  const s = await runFault({ route: '/endless', code: 'RESPONSE_TOO_LARGE' });
  const received = s.metrics.data_received?.values.count ?? 0;
  assert.ok(received > 2 * 1_000_000 && received < 2 * 1_200_000, `each fault read just past the limit: ${received}`);
});

test('1 GB Content-Length: RESPONSE_TOO_LARGE at the headers, the body is not read', LIMIT, async () => {
  const s = await runFault({ route: '/huge', code: 'RESPONSE_TOO_LARGE' });
  assert.ok((s.metrics.data_received?.values.count ?? 0) < 1_000_000, 'far less than the limit was read');
});

test('a body that trickles forever: UND_ERR_BODY_TIMEOUT when the whole-request timeout runs out', LIMIT, async () => {
  await runFault({ route: '/trickle?ms=5', code: 'UND_ERR_BODY_TIMEOUT', timeout: '1s' });
});

test('a reset in the middle of the body: ECONNRESET, or UND_ERR_SOCKET when the OS reports the reset as an end of stream', LIMIT, async () => {
  // Linux hands a reader that has taken every byte before the RST an end of stream, not the reset
  await runFault({ route: '/reset', code: 'ECONNRESET|UND_ERR_SOCKET' });
});

test('a server that never answers: UND_ERR_HEADERS_TIMEOUT', LIMIT, async () => {
  await runFault({ route: '/hang', code: 'UND_ERR_HEADERS_TIMEOUT', timeout: '1s' });
});

test('a garbage status line: HPE_INVALID_RESPONSE', LIMIT, async () => {
  await runFault({ route: '/garbage-status', code: 'HPE_INVALID_RESPONSE' });
});

test('a discarded body past the limit (responseType none) is a deliberate download: 200, counted in data_received', LIMIT, async () => {
  const s = await runFault({ route: '/sized?n=3000000&chunked', code: '', discard: true });
  assert.ok((s.metrics.data_received?.values.count ?? 0) >= 2 * 3_000_000);
});

test('HTTPS (undici): an endless body, a 1 GB Content-Length and a trickle are bounded as over plain HTTP', LIMIT, async (t) => {
  if (secure === null) return t.skip('openssl is not installed');
  await runFault({ server: secure, route: '/endless', code: 'RESPONSE_TOO_LARGE' });
  const huge = await runFault({ server: secure, route: '/huge', code: 'RESPONSE_TOO_LARGE' });
  assert.ok((huge.metrics.data_received?.values.count ?? 0) < 1_000_000);
  await runFault({ server: secure, route: '/trickle?ms=5', code: 'UND_ERR_BODY_TIMEOUT', timeout: '1s' });
});

test('http.maxResponseBytes that is not a whole number >= 0: exit 104 before any load, naming the option and the value', LIMIT, async () => {
  const bad = join(import.meta.dirname, 'fixtures', 'bad-max-response-bytes.ts');
  const before = plain.hits('/ok');
  const r = await runCli(['run', bad, '--quiet'], { timeoutMs: 60_000 });
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /http\.maxResponseBytes must be a whole number of bytes >= 0 \(0 = no limit\), got -1/);
  assert.equal(plain.hits('/ok'), before);
});
