/** Property-based fuzzing of environment references and agentload.config environments (src/config/environments.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_ENVIRONMENTS, EnvironmentError, resolveEnvironment, type AgentloadConfig, type ResolvedEnvironment } from '../../src/config/environments.ts';
import { anyValue, check, fc, glue, mostly, parsesOrFails, userText } from './fuzz-kit.ts';

const VAR_NAMES = ['API_URL', 'WS_URL', 'STAGING_URL', 'QA_URL', 'AUTH_TOKEN', 'A2A_TOKEN', 'EMPTY', '__proto__', 'toString', 'constructor', 'hasOwnProperty', ''];
const URLS = ['http://127.0.0.1:8088', 'https://qa.example.com/', 'http://', 'https://', 'ftp://x', 'ws://x', 'wss://x:443/p', 'http://[::1]:80', 'http://a b', 'http://ok.example/p?q=1', 'not a url', ''];
const pipe = fc.constantFrom('|', '|', '||', '');
const ref = fc.oneof(fc.constantFrom(...VAR_NAMES).map((v) => `$${v}`), fc.constantFrom(...URLS), fc.constantFrom('$', '$$', 'literal'));
/** `$A|$B|literal` built from variables and URLs, valid or not. */
const expr = mostly(glue(ref, pipe, ref, pipe, ref), userText(['$', '|', 'API_URL', 'http://x', ':', '/'], 5));

const definition = fc.oneof(
  { weight: 8, arbitrary: fc.record({ baseUrl: fc.oneof({ weight: 6, arbitrary: expr }, { weight: 1, arbitrary: anyValue }), wsUrl: fc.oneof(expr, anyValue), env: fc.oneof(fc.dictionary(fc.constantFrom('TENANT', 'REGION', '__proto__', 'API_URL', 'x y'), expr, { maxKeys: 3 }), anyValue), secrets: fc.oneof(fc.array(fc.constantFrom(...VAR_NAMES), { maxLength: 3 }), anyValue), description: fc.string({ maxLength: 5 }) }, { requiredKeys: ['baseUrl'] }) },
  { weight: 1, arbitrary: anyValue },
);
const ENV_NAMES = ['local', 'staging', 'production', 'qa', 'ci', '__proto__', 'toString', 'constructor', 'hasOwnProperty', '', ' local', 'a.b'];
const config = fc.oneof(
  { weight: 8, arbitrary: fc.record({ environments: fc.oneof({ weight: 6, arbitrary: fc.dictionary(fc.constantFrom(...ENV_NAMES), definition, { maxKeys: 3 }) }, { weight: 1, arbitrary: anyValue }), defaultEnvironment: fc.oneof(fc.constantFrom(...ENV_NAMES), anyValue) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: fc.constant({}) },
);
const vars = fc.dictionary(fc.constantFrom(...VAR_NAMES), fc.oneof(fc.constantFrom(...URLS), fc.constantFrom('', 'sk-secret-123', 'x')), { maxKeys: 6 });
const envName = fc.oneof(fc.constant(undefined), fc.constantFrom(...ENV_NAMES), fc.string({ maxLength: 6 }));

function isResolved(r: ResolvedEnvironment, name: string, vars: Record<string, string>): void {
  for (const [label, url, protocols] of [
    ['base URL', r.baseUrl, ['http:', 'https:']],
    ['WebSocket URL', r.wsUrl, ['ws:', 'wss:', 'http:', 'https:']],
  ] as const) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      assert.fail(`${label} ${JSON.stringify(url)} is not a URL`);
    }
    assert.ok((protocols as readonly string[]).includes(u.protocol), `${label} ${url}`);
    assert.ok(!url.endsWith('/'), `${label} ${url} ends with /`);
  }
  assert.equal(r.name, name);
  assert.equal(r.env.API_URL, r.baseUrl);
  assert.equal(r.env.WS_URL, r.wsUrl);
  assert.equal(r.env.ENVIRONMENT, name);
  for (const [k, v] of Object.entries(r.env)) assert.equal(typeof v, 'string', `ctx.env.${k} is ${typeof v}`);
  const values = new Set(Object.values(vars));
  for (const s of r.secretValues) {
    assert.ok(typeof s === 'string' && s !== '' && values.has(s), `secret ${String(s)}`);
    assert.ok(Object.values(r.env).includes(s), 'a secret reaches ctx.env');
  }
}

test('environments: a resolved environment with http(s) and ws(s) URLs and string variables, or an EnvironmentError naming what is wrong', () => {
  check('environments:resolve', [config, envName, vars], (c, name, v) => {
    const r = parsesOrFails(() => resolveEnvironment(c as AgentloadConfig, name, v), EnvironmentError, [], (res) => isResolved(res, res.name, v));
    if (r !== undefined) return;
    try {
      resolveEnvironment(c as AgentloadConfig, name, v);
    } catch (e) {
      const msg = (e as Error).message;
      // names the environment (quoted), or the config field that is wrong
      assert.ok(/^(--env "[^]*"|environments(\.[\w-]+|\[".*"\])?(\.\w+)*|defaultEnvironment): /.test(msg), msg);
      if (name !== undefined && msg.startsWith('--env')) assert.ok(msg.startsWith(`--env "${name}"`), msg);
    }
  });
});

test('$A|$B|literal: the first variable set (own, non-empty; "$" names none), else the literal', () => {
  check('environments:expand', [fc.array(fc.oneof(fc.constantFrom(...VAR_NAMES).map((n) => `$${n}`), fc.constantFrom('http://lit.example', 'https://x.example')), { minLength: 1, maxLength: 4 }), vars], (alts, v) => {
    const c: AgentloadConfig = { environments: { t: { baseUrl: alts.join('|') } } };
    let expected: string | undefined;
    for (const a of alts) {
      if (!a.startsWith('$')) {
        expected = a;
        break;
      }
      const name = a.slice(1);
      if (name !== '' && Object.hasOwn(v, name) && v[name] !== '') {
        expected = v[name];
        break;
      }
    }
    const r = parsesOrFails(() => resolveEnvironment(c, 't', v), EnvironmentError, ['--env "t"'], (res) => isResolved(res, 't', v));
    if (r !== undefined) assert.equal(r.baseUrl, (expected as string).replace(/\/$/, ''));
    else if (expected !== undefined && /^https?:\/\/[^/\s]+\.example|^http:\/\/127/.test(expected)) assert.fail(`${expected} was refused`);
  });
});

test('the built-in environments resolve with their documented variables', () => {
  const r = resolveEnvironment({}, 'staging', { STAGING_URL: 'https://staging.example.com/', AUTH_TOKEN: 'tok-1234' });
  assert.deepEqual([r.baseUrl, r.wsUrl, r.secretValues], ['https://staging.example.com', 'wss://staging.example.com', ['tok-1234']]);
  assert.equal(Object.keys(DEFAULT_ENVIRONMENTS).join(), 'local,staging,production');
});
