import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

let server: TestServer;
const TOKEN = 'sk-test-secret-4f8a2c';
before(async () => {
  server = await startTestServer();
});
after(() => server.close());

function allResultText(dir: string): string {
  const run = join(dir, readdirSync(dir)[0] as string);
  return readdirSync(run)
    .map((f) => readFileSync(join(run, f), 'utf8'))
    .join('\n');
}

test('--env local takes API_URL and AUTH_TOKEN from the environment; the token never reaches output or files', async () => {
  process.env.API_URL = server.url;
  process.env.AUTH_TOKEN = TOKEN;
  const out = mkdtempSync(join(tmpdir(), 'agentload-raw-'));
  try {
    const r = await runCli(['run', fixture('env-echo.ts'), '--env', 'local', '--quiet', '--out', `json=${join(out, 'samples.jsonl')}`, '--out', `csv=${join(out, 'samples.csv')}`]);
    assert.equal(r.code, 0, r.stderr);
    const s = readSummary(r.resultsDir);
    assert.equal(s.metrics.http_reqs?.values.count, 2);
    assert.equal(s.root_group.checks[0]?.name, `env local via ${server.url}`);
    assert.equal(s.agentload.meta.environment, 'local');
    assert.equal(s.agentload.meta.target, server.url);
    assert.ok(!r.stdout.includes(TOKEN) && !r.stderr.includes(TOKEN), 'token printed');
    assert.ok(!allResultText(r.resultsDir).includes(TOKEN), 'token written to a result file');
    assert.match(allResultText(r.resultsDir), /failing with \*\*\*/);
    // the raw sample stream (--out json and --out csv) is redacted too: the token was in the URL (name and url tags)
    const jsonl = readFileSync(join(out, 'samples.jsonl'), 'utf8');
    const csv = readFileSync(join(out, 'samples.csv'), 'utf8');
    assert.ok(!jsonl.includes(TOKEN), 'token written to --out json');
    assert.ok(!csv.includes(TOKEN), 'token written to --out csv');
    const reqs = jsonl.trim().split('\n').map((l) => JSON.parse(l) as { type: string; metric: string; data: { tags?: Record<string, string> } }).filter((l) => l.type === 'Point' && l.metric === 'http_reqs');
    assert.equal(reqs.length, 2);
    assert.equal(reqs[0]?.data.tags?.url, `${server.url}/fast?token=***`);
    assert.match(csv, /\/fast\?token=\*\*\*/);
  } finally {
    delete process.env.API_URL;
    delete process.env.AUTH_TOKEN;
  }
});

test('--base-url moves the environment: API_URL and the WS_URL derived from it', async () => {
  process.env.API_URL = 'http://127.0.0.1:9';
  try {
    const r = await runCli(['run', fixture('env-echo.ts'), '--env', 'local', '--base-url', server.url, '-e', 'SHOW_WS=1', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const s = readSummary(r.resultsDir);
    assert.deepEqual(
      s.root_group.checks.map((c) => c.name),
      [`env local via ${server.url}`, `ws ${server.url.replace('http://', 'ws://')}`],
    );
    assert.equal(s.agentload.meta.target, server.url);
  } finally {
    delete process.env.API_URL;
  }
});

test('--env staging without STAGING_URL: exit 104 naming the variables', async () => {
  const r = await runCli(['run', fixture('env-echo.ts'), '--env', 'staging', '--quiet']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--env "staging": its base URL comes from \$STAGING_URL or \$LOAD_TEST_URL or \$API_URL, which is not set/);
});

test('unknown environment: exit 104 listing the known ones', async () => {
  const r = await runCli(['run', fixture('env-echo.ts'), '--env', 'qa', '--quiet']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--env "qa": no such environment \(known: local, staging, production\)/);
});

test('environments from agentload.config.ts', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-config-'));
  const config = join(dir, 'agentload.config.ts');
  writeFileSync(config, `export default { environments: { ci: { baseUrl: '$CI_TARGET', env: { REGION: 'eu' }, secrets: ['AUTH_TOKEN'] } } };\n`);
  process.env.CI_TARGET = server.url;
  try {
    const r = await runCli(['run', fixture('env-echo.ts'), '--config', config, '--env', 'ci', '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readSummary(r.resultsDir).root_group.checks[0]?.name, `env ci via ${server.url}`);
  } finally {
    delete process.env.CI_TARGET;
  }
});

test('defaultEnvironment of the config file applies to a plain run (no --env, no --suite)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-config-'));
  const config = join(dir, 'agentload.config.ts');
  writeFileSync(config, `export default { defaultEnvironment: 'ci', environments: { ci: { baseUrl: '$CI_TARGET' } } };\n`);
  process.env.CI_TARGET = server.url;
  try {
    const r = await runCli(['run', fixture('env-echo.ts'), '--config', config, '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const s = readSummary(r.resultsDir);
    assert.equal(s.agentload.meta.environment, 'ci');
    assert.equal(s.root_group.checks[0]?.name, `env ci via ${server.url}`);
  } finally {
    delete process.env.CI_TARGET;
  }
});

test('a --config file that does not exist: exit 104 (invalid configuration) naming it', async () => {
  const r = await runCli(['run', fixture('env-echo.ts'), '--config', 'no/such/agentload.config.ts', '--quiet']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--config "no\/such\/agentload\.config\.ts": no such file/);
});

test('--suite with an unknown name: exit 104 listing suites', async () => {
  const r = await runCli(['run', '--suite', 'nosuch', '--quiet']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--suite "nosuch": no such suite/);
});
