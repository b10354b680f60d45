/**
 * A password in a URL's user part (http://admin:s3cretpw@host/): sent as basic auth, as k6 does, and masked
 * as k6 masks it (****:****@) in tags, names and error messages, so that no results file, no --out json line,
 * no history entry and nothing printed holds it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

const PASSWORD = 's3cretpw';
const EXPECTED = `Basic ${Buffer.from(`admin:${PASSWORD}`).toString('base64')}`;
let server: http.Server;
let port = 0;
let unauthorized = 0;

before(async () => {
  server = http.createServer((req, res) => {
    if (req.headers.authorization !== EXPECTED) {
      unauthorized++;
      res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' });
      return res.end();
    }
    if (req.url === '/redirect') {
      res.writeHead(302, { location: '/private/7' });
      return res.end();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  process.env.AL_CRED_URL = `http://admin:${PASSWORD}@127.0.0.1:${port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

test('a password in a URL is sent as basic auth and appears in no file, output line or history', async () => {
  const work = mkdtempSync(join(tmpdir(), 'agentload-cred-'));
  const out = join(work, 'points.json');
  const history = join(work, 'history.db');
  const exported = join(work, 'export.json');
  const r = await runCli(['run', fixture('url-credentials.ts'), '--out', `json=${out}`, '--history', history, '--summary-export', exported]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(unauthorized, 0, 'every request carried the credentials of its URL');

  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.http_reqs?.values.count, 30, '10 requests, 10 redirects and the 10 hops they lead to');
  assert.equal(s.metrics.http_req_failed?.values.rate, 0);
  assert.equal(s.metrics.checks?.values.passes, 20);
  const masked = `http://****:****@127.0.0.1:${port}`;
  assert.deepEqual(s.agentload.endpoints.map((e) => e.name).sort(), [`${masked}/private/{id}`, `${masked}/redirect`]);
  assert.equal(s.agentload.errors.length, 1);
  assert.match(s.agentload.errors[0]?.message ?? '', new RegExp(`^request to http://\\*\\*\\*\\*:\\*\\*\\*\\*@127\\.0\\.0\\.1:${port}/private/100\\?x=0 was too slow$`));

  // the history database with any journal beside it
  const files = [...filesUnder(r.resultsDir), ...filesUnder(work)];
  for (const f of [out, history, exported]) assert.ok(files.includes(f), f);
  assert.ok(files.length >= 8, files.join(', '));
  for (const f of files) {
    const bytes = readFileSync(f);
    assert.equal(bytes.includes(PASSWORD), false, `${f} holds the password`);
    assert.equal(bytes.includes('admin:'), false, `${f} holds the user`);
  }
  assert.ok(readFileSync(out, 'utf8').includes(`"url":"${masked}/private/`), '--out json has the masked url tag');
  assert.equal(r.stdout.includes(PASSWORD) || r.stderr.includes(PASSWORD), false);
  assert.match(r.stderr, /WARN iteration error .*http:\/\/\*\*\*\*:\*\*\*\*@127\.0\.0\.1/);
});
