/**
 * Option validation, table-driven: unknown keys and wrong types anywhere in a test definition are errors
 * naming the key path, with the closest valid key; each executor takes only its own fields.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolvePlan } from '../../src/config/resolve.ts';
import type { TestDefinition } from '../../src/config/definition.ts';
import { EXECUTORS } from '../../src/engine/executors/index.ts';
import { closest, editDistance } from '../../src/util/closest.ts';

const exec = (): void => undefined;
const errorsOf = (def: unknown, cli = {}): readonly string[] => resolvePlan(def as TestDefinition, cli, 't').errors;

test('edit distance counts a transposition as one edit; closest suggests only what is close', () => {
  assert.equal(editDistance('duraton', 'duration'), 1);
  assert.equal(editDistance('tiemout', 'timeout'), 1);
  assert.equal(editDistance('abc', 'abc'), 0);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(closest('duraton', ['vus', 'duration', 'iterations']), 'duration');
  assert.equal(closest('baseURL', ['baseUrl', 'timeout']), 'baseUrl');
  assert.equal(closest('bogusKey', ['vus', 'duration', 'iterations']), undefined);
  assert.equal(closest('x', ['vus']), undefined);
});

test('top-level keys: a typo names the key and the option it resembles', () => {
  const table: [Record<string, unknown>, (string | RegExp)[]][] = [
    [{ exec, vus: 1, duraton: '1m' }, ['duraton: unknown option (did you mean "duration"?)']],
    [{ exec, vus: 1, iterations: 1, treshold: {} }, ['treshold: unknown option (did you mean "thresholds"?)']],
    [{ exec, vus: 1, iterations: 1, bogusKey: 1 }, [/^bogusKey: unknown option; known: name, scenarios, exec, vus, duration, iterations, stages, thresholds, profiles, .*, setup, teardown$/]],
    [{ exec, vus: 1, iterations: 1, name: 5, setup: 'x', env: { PORT: 8080, A: 'ok' }, tags: { team: null } }, [
      'name: must be a string, got 5',
      'setup: must be a function, got "x"',
      'env.PORT: must be a string, got 8080',
      'tags.team: must be a string, got null',
    ]],
    // the implicit scenario's fields are the top-level keys, named as written
    [{ exec, vus: 0, duration: 'soon' }, ['duration: "soon" is not a duration (examples: 30s, 1m30s, 500ms, 2h)', 'vus: must be an integer >= 1, got 0']],
    [{ exec: 'main', vus: 1, iterations: 1 }, ['exec: must be a function']],
    // with iterations, the top-level duration is the scenario's maxDuration: named as written
    [{ exec, vus: 1, iterations: 2, duration: 'soon' }, ['duration: "soon" is not a duration (examples: 30s, 1m30s, 500ms, 2h)']],
    [{ exec, vus: '10', iterations: 1 }, ['vus: must be a number, got "10"']],
    // with scenarios, the top-level shortcuts are only type-checked
    [{ vus: 'x', scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '1s', exec } } }, ['vus: must be a number, got "x"']],
  ];
  for (const [def, want] of table) {
    const got = errorsOf(def);
    assert.equal(got.length, want.length, got.join('\n'));
    want.forEach((w, i) => (w instanceof RegExp ? assert.match(got[i] ?? '', w) : assert.equal(got[i], w)));
  }
});

test('each executor takes its own fields and the common ones, and refuses the others, naming who takes them', () => {
  const valid: Record<string, Record<string, unknown>> = {
    'shared-iterations': { vus: 1, iterations: 2, maxDuration: '1m' },
    'per-vu-iterations': { vus: 1, iterations: 2, maxDuration: '1m' },
    'constant-vus': { vus: 1, duration: '1s' },
    'ramping-vus': { startVUs: 0, stages: [{ duration: '1s', target: 1 }], gracefulRampDown: '1s' },
    'constant-arrival-rate': { rate: 1, timeUnit: '1s', duration: '1s', preAllocatedVUs: 1, maxVUs: 2 },
    'ramping-arrival-rate': { startRate: 0, timeUnit: '1s', stages: [{ duration: '1s', target: 1 }], preAllocatedVUs: 1, maxVUs: 2 },
  };
  const common = { exec, startTime: '0s', gracefulStop: '1s', env: { A: 'a' }, tags: { t: 'x' }, weight: 1, waitTime: [0, 1] };
  for (const [executor, fields] of Object.entries(valid)) {
    assert.deepEqual(Object.keys(fields).sort(), [...(EXECUTORS[executor as keyof typeof EXECUTORS].options)].sort(), executor);
    assert.deepEqual(errorsOf({ scenarios: { s: { executor, ...common, ...fields } } }), [], executor);
  }
  assert.deepEqual(errorsOf({ scenarios: { api: { executor: 'constant-vus', vus: 1, duration: '1s', exec, bogusKey: 1 } } }), [
    'scenarios.api.bogusKey: unknown option of the constant-vus executor; known: executor, exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight, vus, duration',
  ]);
  assert.deepEqual(errorsOf({ scenarios: { api: { executor: 'constant-vus', vus: 1, duration: '1s', exec, iterations: 10, gracefulStp: '1s', maxVU: 2 } } }), [
    'scenarios.api.iterations: not an option of the constant-vus executor (only of shared-iterations, per-vu-iterations)',
    'scenarios.api.gracefulStp: unknown option of the constant-vus executor (did you mean "gracefulStop"?)',
    'scenarios.api.maxVU: unknown option of the constant-vus executor (did you mean "maxVUs"? only constant-arrival-rate, ramping-arrival-rate take it)',
  ]);
  // stages entries, weights, tasks and an executor that is not one
  assert.deepEqual(
    errorsOf({
      scenarios: {
        r: { executor: 'ramping-vus', stages: [{ duration: '1s', target: 1, tagret: 2 }], exec, weight: 'big' },
        t: { executor: 'per-vu-iterations', tasks: { a: { weight: 1, fn: exec, wieght: 2 } } },
        x: { executor: 'constant-vu', vus: 1, duraton: '1s', exec },
      },
    }),
    [
      'scenarios.r.stages[0].tagret: unknown option (did you mean "target"?)',
      'scenarios.r.weight: must be a number, got "big"',
      'scenarios.x.duraton: unknown scenario option; known: executor, exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight',
      'scenarios.t.tasks.a.wieght: unknown option of a task (did you mean "weight"?)',
      'scenarios.x.executor: unknown executor "constant-vu" (known: shared-iterations, per-vu-iterations, constant-vus, ramping-vus, constant-arrival-rate, ramping-arrival-rate)',
    ],
  );
});

test('thresholds in the long form: known keys with their types', () => {
  assert.deepEqual(
    errorsOf({
      exec,
      vus: 1,
      iterations: 1,
      thresholds: {
        http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: 'yes' }, { threshold: 'rate<0.2', abortOnFial: true }, 5],
        checks: 'rate>0.9',
      },
    }),
    [
      'thresholds.http_req_failed[0].abortOnFail: must be true or false, got "yes"',
      'thresholds.http_req_failed[1].abortOnFial: unknown option (did you mean "abortOnFail"?)',
      "thresholds.http_req_failed[2]: must be a string like 'p(95)<500' or { threshold, abortOnFail, delayAbortEval }, got 5",
      "thresholds.checks: must be a list, like ['p(95)<500']",
    ],
  );
  assert.deepEqual(errorsOf({ exec, vus: 1, iterations: 1, thresholds: { checks: [{ threshold: 'rate>0.9', delayAbortEval: 'later' }] } }), [
    'thresholds.checks[0].delayAbortEval: "later" is not a duration (examples: 30s, 1m30s, 500ms, 2h)',
  ]);
});

test('profiles: keys, stages and thresholds checked whether or not the profile is chosen, reported once', () => {
  const def = {
    exec,
    vus: 1,
    profiles: {
      mine: { stages: [{ duraton: '1m', target: 2 }], startVU: 1, thresholds: { checks: [{ threshold: 'rate>0.9', abortOnFail: 1 }, 7] } },
    },
  };
  const want = [
    'profiles.mine.stages[0].duraton: unknown option (did you mean "duration"?)',
    'profiles.mine.startVU: unknown option (did you mean "startVUs"?)',
    'profiles.mine.thresholds.checks[0].abortOnFail: must be true or false, got 1',
    "profiles.mine.thresholds.checks[1]: must be a string like 'p(95)<500' or { threshold, abortOnFail, delayAbortEval }, got 7",
  ];
  assert.deepEqual(errorsOf(def), want);
  const chosen = errorsOf(def, { profile: 'mine' });
  assert.deepEqual(chosen.slice(0, want.length), want);
  assert.equal(new Set(chosen).size, chosen.length, chosen.join('\n'));
  assert.deepEqual(errorsOf({ exec, vus: 1, profiles: { p: { description: 'no stages' } } }, { profile: 'p' }), [
    "profiles.p.stages: is required, like [{ duration: '1m', target: 10 }]",
  ]);
  // a rate the profile replaces is still the script's, and still checked
  assert.deepEqual(errorsOf({ scenarios: { s: { executor: 'constant-arrival-rate', rate: 'x', duration: '1s', preAllocatedVUs: 1, exec } } }, { profile: 'load' }), [
    'scenarios.s.rate: must be a number >= 0, got "x"',
  ]);
});

test('http, llm and a2a options: unknown keys and types; http.maxResponseBytes is a known option', () => {
  assert.deepEqual(
    errorsOf({
      exec,
      vus: 1,
      iterations: 1,
      http: { baseURL: 'http://x', timeout: true, cookies: 'no', headers: { a: 1 }, expectedStatuses: [200, { min: 1, mx: 2 }, 'ok'], maxResponseBytes: 1_000_000 },
    }),
    [
      'http.baseURL: unknown option (did you mean "baseUrl"?)',
      'http.timeout: must be a duration like "30s" or a number of milliseconds, got true',
      'http.cookies: must be true or false, got "no"',
      'http.headers.a: must be a string, got 1',
      'http.expectedStatuses[1].mx: unknown option (did you mean "max"?)',
      'http.expectedStatuses[1]: a range needs both min and max, like { min: 200, max: 299 }',
      'http.expectedStatuses[2]: must be a status or { min, max }, got "ok"',
    ],
  );
  assert.deepEqual(
    errorsOf({ exec, vus: 1, iterations: 1, llm: { modle: 'x', includeUsage: 'yes', slo: { ttft: '1s', tfft: 2 }, prices: { '*': { input: 1, output: 2, currency: 'EUR' } }, apiKey: 'k' } }),
    [
      'llm.modle: unknown option (did you mean "model"?)',
      'llm.includeUsage: must be true or false, got "yes"',
      'llm.slo.tfft: unknown option (did you mean "ttft"?)',
      'llm.prices["*"].currency: unknown option; known: input, output',
      'llm.apiKey: keep keys out of scripts; put the key in an environment variable and name it with llm.apiKeyEnv (default LLM_API_KEY)',
    ],
  );
  assert.deepEqual(errorsOf({ exec, vus: 1, iterations: 1, a2a: { url: 5, verison: '1.0', rest: { taskPth: '/t' }, token: 't' } }), [
    'a2a.url: must be a string, got 5',
    'a2a.verison: unknown option (did you mean "version"?)',
    'a2a.rest.taskPth: unknown option (did you mean "taskPath"?)',
    'a2a.token: keep tokens out of scripts; put it in an environment variable and name it with a2a.tokenEnv (default A2A_TOKEN)',
  ]);
});

test('every error at once, across the definition', () => {
  const errors = errorsOf({
    duraton: '1m',
    scenarios: { api: { executor: 'constant-vus', vus: 1, duration: '1s', exec, bogusKey: true } },
    thresholds: { http_req_failed: [{ threshold: 'rate<0.1', abortOnFail: 'yes' }] },
  });
  assert.deepEqual(errors.map((e) => e.split(':')[0]), ['duraton', 'scenarios.api.bogusKey', 'thresholds.http_req_failed[0].abortOnFail']);
});
