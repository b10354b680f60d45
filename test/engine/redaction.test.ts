/**
 * The redaction set and how it is applied: which secrets a plan names (the
 * LLM key, A2A tokens, credential headers) and the stream redaction of the
 * script's output, which must catch a secret however the output is cut.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { resolvePlan } from '../../src/config/resolve.ts';
import type { TestDefinition } from '../../src/config/definition.ts';
import { credentialParts, isCredentialHeader, planSecrets, preloadSecrets } from '../../src/engine/plan-secrets.ts';
import { Redactor } from '../../src/engine/redaction.ts';
import { redact } from '../../src/util/redact.ts';

const exec = (): void => undefined;
const plan = (def: TestDefinition, env: Record<string, string> = {}) => resolvePlan(def, { env }, 'case').plan;

test('the LLM key and A2A token are secrets wherever they are set: process env, -e, the script env, a scenario env', () => {
  const def: TestDefinition = {
    env: { LLM_API_KEY: 'from-script-env' },
    scenarios: { a: { executor: 'per-vu-iterations', exec, env: { A2A_TOKEN: 'from-scenario-env' } } },
  };
  const secrets = planSecrets(plan(def, { AUTH_TOKEN: 'from-dash-e' }), { OPENAI_API_KEY: 'from-process-env', HOME: '/home/someone' });
  assert.deepEqual(new Set(secrets), new Set(['from-process-env', 'from-script-env', 'from-dash-e', 'from-scenario-env']));
});

test('the variables llm.apiKeyEnv and a2a.tokenEnv name are secrets too', () => {
  const def: TestDefinition = { exec, llm: { apiKeyEnv: 'MY_LLM_KEY' }, a2a: { tokenEnv: 'MY_AGENT_TOKEN' } };
  const secrets = planSecrets(plan(def, { MY_AGENT_TOKEN: 'agent-token-1' }), { MY_LLM_KEY: 'llm-key-1', OTHER: 'not-a-secret' });
  assert.deepEqual(secrets.sort(), ['agent-token-1', 'llm-key-1']);
});

test('credential headers declared test-wide (http, llm, a2a) are secrets; other headers are not', () => {
  const def: TestDefinition = {
    exec,
    http: { headers: { Authorization: 'Bearer http-bearer-1', 'X-Api-Key': 'api-key-1', 'Accept-Language': 'en-GB', 'X-Tenant': 'acme-corp' } },
    llm: { headers: { 'x-auth-token': 'llm-header-1' } },
    a2a: { headers: { cookie: 'session=cookie-1' } },
  };
  const secrets = planSecrets(plan(def), {});
  for (const s of ['Bearer http-bearer-1', 'http-bearer-1', 'api-key-1', 'llm-header-1', 'session=cookie-1']) assert.ok(secrets.includes(s), s);
  for (const s of ['en-GB', 'acme-corp']) assert.ok(!secrets.includes(s), s);
});

test('isCredentialHeader: by the words of the name', () => {
  const yes = ['authorization', 'Proxy-Authorization', 'x-api-key', 'api_key', 'apikey', 'X-Auth-Token', 'x-csrf-token', 'cookie', 'x-session-id', 'ocp-apim-subscription-key', 'x-client-secret'];
  const no = ['accept', 'content-type', 'keep-alive', 'x-tenant', 'user-agent', 'x-request-id', 'author'];
  for (const h of yes) assert.ok(isCredentialHeader(h), h);
  for (const h of no) assert.ok(!isCredentialHeader(h), h);
});

test('credentialParts: the value, the credentials after the scheme, and a Basic user:password and password', () => {
  assert.deepEqual(credentialParts('Bearer abc.def'), ['Bearer abc.def', 'abc.def']);
  const basic = Buffer.from('admin:s3cret-pw').toString('base64');
  assert.deepEqual(credentialParts(`Basic ${basic}`), [`Basic ${basic}`, basic, 'admin:s3cret-pw', 's3cret-pw']);
  assert.deepEqual(credentialParts('plain-key-value'), ['plain-key-value']);
});

test('preloadSecrets: the secret variables known before the script is loaded (-e wins nothing: both are secrets)', () => {
  assert.deepEqual(preloadSecrets({ LLM_API_KEY: 'cli-key-1', TENANT: 'acme' }, { A2A_TOKEN: 'proc-token-1', LLM_API_KEY: 'proc-key-1' }).sort(), ['cli-key-1', 'proc-key-1', 'proc-token-1']);
});

test('redact replaces a secret as written, JSON-escaped and URL-encoded; short values are left alone', () => {
  const s = 'p"a ss/wd';
  assert.equal(redact(`raw ${s} json ${JSON.stringify(s)} url ${encodeURIComponent(s)}`, [s]), 'raw *** json "***" url ***');
  assert.equal(redact('ok abc', ['abc']), 'ok abc');
});

test('Redactor.add: secrets found later apply from then on', () => {
  const r = new Redactor(['first-secret']);
  assert.equal(r.text('first-secret second-secret'), '*** second-secret');
  r.add(['second-secret', 'first-secret']);
  assert.deepEqual(r.secrets, ['first-secret', 'second-secret']);
  assert.equal(r.text('first-secret second-secret'), '*** ***');
});

test('stream redaction: however the output is cut into writes, the result is the redacted whole', () => {
  const secrets = ['sk-live-abcdef', 'abcd-efgh', 'tok%/"en'];
  const redactor = new Redactor(secrets);
  const piece = fc.constantFrom('sk-live-', 'abcdef', 'abcd', '-efgh', 'tok%/"en', 'sk-', 'x', '\n', 'abc', 'sk-live-abcdef', 'tok');
  fc.assert(
    fc.property(fc.array(piece, { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 6 }), (pieces, cuts) => {
      const whole = pieces.join('');
      const points = [...new Set(cuts.map((c) => (whole.length === 0 ? 0 : c % (whole.length + 1))))].sort((a, b) => a - b);
      const stream = redactor.stream();
      let out = '';
      let from = 0;
      for (const p of [...points, whole.length]) {
        out += stream.push(whole.slice(from, p));
        from = p;
      }
      out += stream.end();
      for (const s of secrets) assert.ok(!out.includes(s), `${JSON.stringify(out)} holds ${s}`);
      assert.equal(out.replaceAll('***', ''), redactor.text(whole).replaceAll('***', ''));
    }),
    { numRuns: 2000 },
  );
});

test('stream redaction holds only what could begin a secret: a finished line goes out at once', () => {
  const stream = new Redactor(['sk-live-abcdef']).stream();
  assert.equal(stream.push('line one\n'), 'line one\n');
  assert.equal(stream.push('key sk-li'), 'key ');
  assert.equal(stream.push('ve-abcdef done\n'), '*** done\n');
  assert.equal(stream.push('tail sk'), 'tail ');
  assert.equal(stream.end(), 'sk');
});

test('the main thread: what the script writes while it is imported is held, then written redacted; an exit writes it too', () => {
  // a child process: capture() patches its process.stdout/stderr
  const program = `
    const { Redactor } = await import(${JSON.stringify(new URL('../../src/engine/redaction.ts', import.meta.url).href)});
    const { ScriptOutput } = await import(${JSON.stringify(new URL('../../src/engine/script-output.ts', import.meta.url).href)});
    const redactor = new Redactor(['known-secret-1']);
    const out = new ScriptOutput(redactor);
    out.capture();
    console.log('held known-secret-1 and later-secret-2');
    process.stdout.write('split later-');
    process.stdout.write('secret-2\\n');
    console.error('to stderr later-secret-2');
    if (process.argv[1] === 'exit') process.exit(3);
    redactor.add(['later-secret-2']);
    out.release();
    console.log('after known-secret-1 later-secret-2');
    out.restore();
    console.log('restored later-secret-2');
  `;
  const run = (mode: string) => spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program, mode], { encoding: 'utf8' });
  const released = run('release');
  assert.equal(released.status, 0, released.stderr);
  assert.equal(released.stdout, 'held *** and ***\nsplit ***\nafter *** ***\nrestored later-secret-2\n');
  assert.equal(released.stderr, 'to stderr ***\n');
  // exit before release: written with the secrets known then
  const exited = run('exit');
  assert.equal(exited.status, 3, exited.stderr);
  assert.equal(exited.stdout, 'held *** and later-secret-2\nsplit later-secret-2\n');
  assert.equal(exited.stderr, 'to stderr later-secret-2\n');
});
