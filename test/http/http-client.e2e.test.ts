/** HTTP client features through the CLI: batch, bodies, query, expected statuses, discarded bodies, TLS. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { AddressInfo } from 'node:net';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

test('batch, form and text bodies, query params, per-request expected statuses', async () => {
  process.env.AL_URL = server.url;
  const r = await runCli(['run', fixture('http-features.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.checks?.values.fails, 0, JSON.stringify(s.root_group.checks));
  assert.equal(s.metrics.checks?.values.passes, 2 * 6);
  assert.equal(s.metrics.http_reqs?.values.count, 8);
  assert.equal(s.metrics.http_req_failed?.values.rate, 0, 'the expected 404 is not a failure');
  const names = s.agentload.endpoints.map((e) => e.name).sort();
  assert.deepEqual(names, ['batch_a', 'batch_b', 'expected_404', 'put']);
});

test('discardResponseBodies: bodies are null but still counted in data_received', async () => {
  process.env.AL_URL = server.url;
  process.env.AL_DISCARD = '1';
  try {
    const r = await runCli(['run', fixture('http-features.ts'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const s = readSummary(r.resultsDir);
    assert.equal(s.metrics.checks?.values.fails, 0);
    assert.ok((s.metrics.data_received?.values.count ?? 0) > 8 * 20);
  } finally {
    delete process.env.AL_DISCARD;
  }
});

test('TLS: handshake time is measured; a self-signed certificate fails unless insecureSkipTLSVerify', async (t) => {
  let openssl = true;
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    openssl = false;
  }
  if (!openssl) return t.skip('openssl is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'agentload-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
  assert.ok(existsSync(join(dir, 'cert.pem')));
  const tls = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => tls.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;
  try {
    process.env.AL_URL = url;
    process.env.AL_INSECURE = '1';
    const ok = await runCli(['run', fixture('http-basic.ts'), '--quiet']);
    assert.equal(ok.code, 0, ok.stderr);
    const s = readSummary(ok.resultsDir);
    assert.equal(s.metrics.http_req_failed?.values.rate, 0);
    assert.ok((s.metrics.http_req_tls_handshaking?.values.max ?? 0) > 0, 'TLS handshake measured');
    assert.ok((s.metrics.http_req_connecting?.values.max ?? 0) > 0, 'TCP connect measured');

    delete process.env.AL_INSECURE;
    const bad = await runCli(['run', fixture('http-basic.ts'), '--no-thresholds', '--quiet']);
    assert.equal(bad.code, 0, bad.stderr);
    assert.equal(readSummary(bad.resultsDir).metrics.http_req_failed?.values.rate, 1);
    const series = readFileSync(join(bad.resultsDir, readdirSync(bad.resultsDir)[0] as string, 'series.json'), 'utf8');
    assert.match(series, /"error_code","(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_TLS_CERT_ALTNAME_INVALID)"/);
  } finally {
    delete process.env.AL_INSECURE;
    await new Promise<void>((r) => tls.close(() => r()));
  }
});

test('http.maxConnectionsPerHost caps the connections of a worker; requests past it wait, none fails', async () => {
  const sockets = new Set<unknown>();
  // a 20 ms answer keeps the 10 VUs' requests in flight together, so that they queue for the 2 connections
  const srv = (await import('node:http')).createServer((_req, res) => setTimeout(() => res.end('{"ok":true}'), 20));
  srv.on('connection', (s) => sockets.add(s));
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  process.env.AL_CAP_URL = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  try {
    const r = await runCli(['run', fixture('connection-cap.ts'), '--workers', '1', '--quiet', '--no-history']);
    assert.equal(r.code, 0, r.stderr);
    const m = readSummary(r.resultsDir).metrics;
    assert.equal(m.http_reqs?.values.count, 40);
    assert.equal(m.http_req_failed?.values.rate, 0);
    assert.equal(sockets.size, 2, '10 VUs in parallel over at most 2 connections');
  } finally {
    delete process.env.AL_CAP_URL;
    srv.closeAllConnections();
    await new Promise((r) => srv.close(r));
  }
});
