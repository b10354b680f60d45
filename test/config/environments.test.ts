/** Environments (src/config/environments.ts): table tests, with the counterexamples test/fuzz/environments.fuzz.test.ts found. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EnvironmentError, resolveEnvironment, type AgentloadConfig } from '../../src/config/environments.ts';

function refuses(config: unknown, name: string | undefined, vars: Record<string, string>, re: RegExp): void {
  assert.throws(() => resolveEnvironment(config as AgentloadConfig, name, vars), (e: Error) => e instanceof EnvironmentError && re.test(e.message), re.source);
}

test('names and references', () => {
  const r = resolveEnvironment({ environments: { qa: { baseUrl: '$QA_URL|https://qa.example.com/', wsUrl: '$QA_WS|', env: { TENANT: 'acme', REGION: '$R|eu' }, secrets: ['AUTH_TOKEN', 'MISSING'] } } }, 'qa', { AUTH_TOKEN: 'tok-1234', R: '' });
  assert.deepEqual(r.env, { API_URL: 'https://qa.example.com', WS_URL: 'wss://qa.example.com', ENVIRONMENT: 'qa', TENANT: 'acme', REGION: 'eu', AUTH_TOKEN: 'tok-1234' });
  assert.deepEqual(r.secretValues, ['tok-1234']);
  assert.equal(resolveEnvironment({}, undefined, { API_URL: 'http://127.0.0.1:9' }).baseUrl, 'http://127.0.0.1:9');
  refuses({}, 'qa', {}, /^--env "qa": no such environment \(known: local, staging, production\)$/);
  refuses({}, 'production', {}, /^--env "production": its base URL comes from \$PRODUCTION_URL, which is not set$/);
  refuses({}, 'local', { API_URL: 'localhost:8088' }, /--env "local": base URL "localhost:8088" must start with http:\/\/ or https:\/\//);
});

test('counterexamples of the fuzz suite', () => {
  // "--env toString" / "--env __proto__" / defaultEnvironment "constructor" found Object.prototype's members: TypeError, exit 1
  for (const name of ['toString', '__proto__', 'constructor', 'hasOwnProperty']) refuses({}, name, {}, new RegExp(`^--env "${name}": no such environment`));
  refuses({ defaultEnvironment: 'constructor' }, undefined, {}, /^--env "constructor": no such environment/);
  // "$constructor" read Object from the variables: a function as the base URL
  refuses({ environments: { t: { baseUrl: '$constructor' } } }, 't', {}, /^--env "t": its base URL comes from \$constructor, which is not set$/);
  assert.equal(resolveEnvironment({ environments: { t: { baseUrl: '$constructor|http://lit.example' } } }, 't', {}).baseUrl, 'http://lit.example');
  // a secret named like a prototype member is not set
  assert.deepEqual(resolveEnvironment({ environments: { t: { baseUrl: 'http://x.example', secrets: ['toString'] } } }, 't', {}).secretValues, []);
  // definitions of the wrong shape (the config is JavaScript) were TypeErrors; a string of secrets was read letter by letter
  refuses({ environments: { t: null } }, 't', {}, /^environments\.t: expected \{ baseUrl, wsUrl, env, secrets \}, got null$/);
  refuses({ environments: { t: { baseUrl: 42 } } }, 't', {}, /^environments\.t\.baseUrl: expected a URL or "\$VAR"/);
  refuses({ environments: { t: { baseUrl: 'http://x.example', env: { A: 5 } } } }, 't', {}, /^environments\.t\.env: expected an object of strings/);
  refuses({ environments: { t: { baseUrl: 'http://x.example', secrets: 'AUTH_TOKEN' } } }, 't', {}, /^environments\.t\.secrets: expected a list of variable names/);
  refuses({ environments: { t: { baseUrl: 'http://x.example', wsUrl: true } } }, 't', {}, /^environments\.t\.wsUrl: expected a URL/);
  refuses({ environments: { '': '' }, defaultEnvironment: '' }, undefined, {}, /^environments\[""\]: expected \{ baseUrl/);
  refuses({ environments: 'qa' }, 'qa', {}, /^environments: expected \{ NAME: \{ baseUrl, … \} \}, got "qa"$/);
  refuses({ defaultEnvironment: 5 }, undefined, {}, /^defaultEnvironment: expected an environment name, got 5$/);
  // an env variable API_URL replaced the validated base URL (and the run's target) with anything
  refuses({ environments: { t: { baseUrl: 'http://x.example', env: { API_URL: '$|$' } } } }, 't', { '': 'sk-secret-123' }, /^environments\.t\.env\.API_URL: set by the environment itself/);
  // "$" names no variable (it read the variable named "")
  refuses({ environments: { t: { baseUrl: '$' } } }, 't', { '': 'http://x.example' }, /its base URL comes from \$, which is not set/);
  // "http://" passed the prefix check and became API_URL "http:/"
  refuses({ environments: { t: { baseUrl: 'http://' } } }, 't', {}, /^--env "t": base URL "http:\/\/" is not a URL$/);
  refuses({ environments: { t: { baseUrl: 'http://x.example', wsUrl: 'ftp://x' } } }, 't', {}, /WebSocket URL "ftp:\/\/x" must start with ws:\/\/ or wss:\/\/ or http:\/\/ or https:\/\//);
  // a variable named __proto__ in `env` was swallowed by the prototype setter
  const r = resolveEnvironment({ environments: { t: { baseUrl: 'http://x.example', env: JSON.parse('{"__proto__": "kept"}') as Record<string, string> } } }, 't', {});
  assert.ok(Object.hasOwn(r.env, '__proto__'));
});
