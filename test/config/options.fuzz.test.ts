/**
 * Property-based fuzzing of a test definition's options through resolvePlan: right keys with wrong types,
 * near-miss keys, and junk anywhere. Every input yields a plan with no errors or errors that name the
 * offending key; none throws. Seeded and bounded: the same inputs on every run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { resolvePlan, type CliOverrides } from '../../src/config/resolve.ts';
import type { TestDefinition } from '../../src/config/definition.ts';
import { keyPath } from '../../src/config/option-checks.ts';
import { EXECUTORS } from '../../src/engine/executors/index.ts';
import { COMMON_OPTIONS } from '../../src/engine/executors/fields.ts';

const SEED = 20261204;
const exec = async (): Promise<void> => undefined;

/** Valid definitions that between them use every option (each must resolve with no error). */
const BASES: Record<string, () => Record<string, unknown>> = {
  everything: () => ({
    name: 'fuzz',
    exec,
    vus: 2,
    duration: '10s',
    env: { A: 'a' },
    tags: { team: 'x' },
    thresholds: { http_req_failed: ['rate<0.1', { threshold: 'rate<0.5', abortOnFail: true, delayAbortEval: '5s' }] },
    http: {
      baseUrl: 'http://127.0.0.1:1',
      timeout: '5s',
      maxRedirects: 3,
      discardResponseBodies: false,
      insecureSkipTLSVerify: false,
      expectedStatuses: [200, { min: 300, max: 399 }],
      headers: { 'x-a': 'b' },
      userAgent: 'ua',
      cookies: true,
      maxConnectionsPerHost: 10,
    },
    llm: {
      baseUrl: 'http://127.0.0.1:1/v1',
      model: 'm',
      apiKeyEnv: 'KEY',
      timeout: '10s',
      headers: { a: 'b' },
      prices: { '*': { input: 1, output: 2 } },
      slo: { ttft: 500, tpot: '50ms', e2e: '5s' },
      includeUsage: true,
    },
    a2a: {
      url: 'http://127.0.0.1:1',
      rpcUrl: 'http://127.0.0.1:1/rpc',
      version: '1.0',
      cardPath: '/card',
      tokenEnv: 'TOK',
      timeout: '10s',
      headers: { a: 'b' },
      pollInterval: '100ms',
      pollTimeout: '5s',
      rest: { baseUrl: 'http://127.0.0.1:1', tasksPath: '/t', taskPath: '/t/{id}', cancelPath: '/t/{id}/c', cancelMethod: 'DELETE' },
    },
    profiles: {
      mine: {
        description: 'd',
        startVUs: 1,
        stages: [{ duration: '1m', target: 5 }],
        rateStages: [{ duration: '1m', target: 10 }],
        thresholds: { checks: ['rate>0.9', { threshold: 'rate>0.5', abortOnFail: false }] },
      },
    },
    summaryTrendStats: ['avg', 'p(95)'],
    setup: async () => 1,
    teardown: async () => undefined,
  }),
  closed: () => ({
    scenarios: {
      shared: { executor: 'shared-iterations', vus: 2, iterations: 10, maxDuration: '1m', exec, startTime: '0s', gracefulStop: '5s', env: { A: 'b' }, tags: { t: 'x' }, weight: 2, waitTime: [0, 1] },
      pervu: { executor: 'per-vu-iterations', vus: 1, iterations: 2, maxDuration: '1m', tasks: { heavy: { weight: 2, fn: exec }, light: exec } },
      constant: { executor: 'constant-vus', vus: 1, duration: '5s', exec, waitTime: 1 },
      ramping: { executor: 'ramping-vus', startVUs: 0, stages: [{ duration: '5s', target: 2 }], gracefulRampDown: '1s', exec },
    },
  }),
  open: () => ({
    scenarios: {
      car: { executor: 'constant-arrival-rate', rate: 10, timeUnit: '1s', duration: '5s', preAllocatedVUs: 2, maxVUs: 4, exec },
      rar: { executor: 'ramping-arrival-rate', startRate: 1, timeUnit: '1s', stages: [{ duration: '5s', target: 10 }], preAllocatedVUs: 2, maxVUs: 4, exec },
    },
  }),
  stages: () => ({ exec, vus: 1, stages: [{ duration: '10s', target: 2 }, { duration: '5s', target: 0 }] }),
  iterations: () => ({ exec, vus: 1, iterations: 5 }),
};

const DURATION_KEYS = new Set(['duration', 'timeout', 'gracefulStop', 'startTime', 'maxDuration', 'timeUnit', 'gracefulRampDown', 'delayAbortEval', 'pollInterval', 'pollTimeout', 'ttft', 'tpot', 'e2e']);
/** Objects whose keys are the user's (any key is fine): no near-miss key there. */
const RECORD_KEYS = new Set(['env', 'tags', 'headers', 'scenarios', 'thresholds', 'profiles', 'prices', 'tasks']);
/** Every option name anywhere: a near-miss key that is one of them may be valid where it is put. */
const ALL_KEYS = new Set<string>([
  ...Object.keys(BASES.everything?.() ?? {}),
  ...['iterations', 'stages', 'scenarios', 'fixedLoad', 'exec', 'vus', 'duration'],
  ...COMMON_OPTIONS,
  ...Object.values(EXECUTORS).flatMap((e) => e.options),
  ...['duration', 'target', 'threshold', 'abortOnFail', 'delayAbortEval', 'min', 'max', 'input', 'output', 'ttft', 'tpot', 'e2e', 'weight', 'fn'],
  ...['baseUrl', 'timeout', 'maxRedirects', 'discardResponseBodies', 'insecureSkipTLSVerify', 'expectedStatuses', 'headers', 'userAgent', 'cookies', 'maxConnectionsPerHost', 'maxResponseBytes'],
  ...['model', 'apiKeyEnv', 'apiKey', 'prices', 'slo', 'includeUsage', 'url', 'rpcUrl', 'version', 'cardPath', 'tokenEnv', 'token', 'pollInterval', 'pollTimeout', 'rest'],
  ...['tasksPath', 'taskPath', 'cancelPath', 'cancelMethod', 'description', 'startVUs', 'rateStages'],
]);

type Kind = 'number' | 'string' | 'boolean' | 'function' | 'duration';
interface Leaf {
  readonly steps: readonly (string | number)[];
  readonly path: string;
  readonly parent: string;
  readonly kind: Kind;
}
interface Obj {
  readonly steps: readonly (string | number)[];
  readonly path: string;
  readonly keys: readonly string[];
}

function pathOf(steps: readonly (string | number)[]): string {
  let p = '';
  for (const s of steps) p = typeof s === 'number' ? `${p}[${s}]` : keyPath(p, s);
  return p;
}

/** Every leaf (a value that is not an object or list) and every option object of a definition. */
function walk(v: unknown, steps: (string | number)[], leaves: Leaf[], objects: Obj[]): void {
  const last = steps[steps.length - 1];
  const key = typeof last === 'string' ? last : typeof steps[steps.length - 2] === 'string' ? (steps[steps.length - 2] as string) : '';
  if (Array.isArray(v)) {
    v.forEach((x, i) => walk(x, [...steps, i], leaves, objects));
    return;
  }
  if (typeof v === 'object' && v !== null) {
    const isRecord = typeof last === 'string' && RECORD_KEYS.has(last);
    if (!isRecord) objects.push({ steps, path: pathOf(steps), keys: Object.keys(v) });
    for (const [k, x] of Object.entries(v)) walk(x, [...steps, k], leaves, objects);
    return;
  }
  const kind: Kind =
    typeof v === 'function' ? 'function' : typeof v === 'boolean' ? 'boolean' : DURATION_KEYS.has(key) ? 'duration' : typeof v === 'number' ? 'number' : 'string';
  leaves.push({ steps, path: pathOf(steps), parent: pathOf(steps.slice(0, -1)), kind });
}

function shape(def: Record<string, unknown>): { leaves: Leaf[]; objects: Obj[] } {
  const leaves: Leaf[] = [];
  const objects: Obj[] = [];
  walk(def, [], leaves, objects);
  return { leaves, objects };
}

function setAt(root: Record<string, unknown>, steps: readonly (string | number)[], value: unknown): void {
  let o = root as Record<string | number, unknown>;
  for (const s of steps.slice(0, -1)) o = o[s] as Record<string | number, unknown>;
  o[steps[steps.length - 1] as string | number] = value;
}

function getAt(root: Record<string, unknown>, steps: readonly (string | number)[]): Record<string, unknown> {
  let o: unknown = root;
  for (const s of steps) o = (o as Record<string | number, unknown>)[s];
  return o as Record<string, unknown>;
}

/** Values of any type but `kind`'s. */
const WRONG: Record<Kind, readonly unknown[]> = {
  number: ['5', true, null, {}, [], exec, Number.NaN, Number.POSITIVE_INFINITY],
  string: [5, true, null, {}, [], exec],
  boolean: ['yes', 1, null, {}, []],
  function: ['f', 1, null, {}, []],
  duration: [true, null, {}, [], exec],
};

function resolve(def: unknown, cli: CliOverrides = {}): readonly string[] {
  return resolvePlan(def as TestDefinition, cli, 'fuzz').errors;
}

/** An error names `path` when it starts with it, followed by what comes after a key. */
function names(errors: readonly string[], path: string): boolean {
  return errors.some((e) => e.startsWith(path) && /^[:.[ ]/.test(e.slice(path.length)));
}

test('every base definition resolves without an error', () => {
  for (const [name, make] of Object.entries(BASES)) assert.deepEqual(resolve(make()), [], name);
  assert.deepEqual(resolve(BASES.everything?.(), { profile: 'mine' }), [], 'with its own profile chosen');
});

test('a known option with a value of the wrong type: an error names it (or its list/object), and nothing throws', () => {
  const cases = Object.entries(BASES).flatMap(([name, make]) => shape(make()).leaves.map((leaf) => ({ name, leaf })));
  fc.assert(
    fc.property(
      fc.constantFrom(...cases),
      fc.nat(),
      fc.boolean(),
      ({ name, leaf }, pick, withProfile) => {
        const def = (BASES[name] as () => Record<string, unknown>)();
        const wrong = WRONG[leaf.kind];
        setAt(def, leaf.steps, wrong[pick % wrong.length]);
        // a profile's thresholds are checked with the test's when it is chosen: both ways must report it once
        const errors = resolve(def, withProfile && name === 'everything' ? { profile: 'mine' } : {});
        assert.ok(errors.length > 0, `${name}: ${leaf.path} = ${String(wrong[pick % wrong.length])} was accepted`);
        assert.ok(names(errors, leaf.path) || names(errors, leaf.parent), `${name}: no error names ${leaf.path}:\n${errors.join('\n')}`);
        assert.equal(new Set(errors).size, errors.length, `an error is reported twice:\n${errors.join('\n')}`);
      },
    ),
    { seed: SEED, numRuns: 400 },
  );
});

/** A near miss of `key`: one letter dropped, doubled, swapped with the next or changed. */
const nearMiss = (key: string): fc.Arbitrary<string> =>
  fc.tuple(fc.nat({ max: key.length - 1 }), fc.constantFrom('drop', 'double', 'swap', 'change'), fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz')).map(([i, op, c]) => {
    if (op === 'drop') return key.slice(0, i) + key.slice(i + 1);
    if (op === 'double') return key.slice(0, i + 1) + key.slice(i);
    if (op === 'swap' && i + 1 < key.length) return key.slice(0, i) + key.charAt(i + 1) + key.charAt(i) + key.slice(i + 2);
    return key.slice(0, i) + c + key.slice(i + 1);
  });

test('a near-miss key anywhere: an error names its path, suggesting the key it resembles', () => {
  const cases = Object.entries(BASES).flatMap(([name, make]) =>
    shape(make())
      .objects.flatMap((o) => o.keys.filter((k) => k.length >= 3).map((key) => ({ name, obj: o, key }))),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(...cases).chain((c) => fc.tuple(fc.constant(c), nearMiss(c.key), fc.boolean())),
      ([{ name, obj, key }, typo, rename]) => {
        fc.pre(!ALL_KEYS.has(typo) && typo !== key);
        const def = (BASES[name] as () => Record<string, unknown>)();
        const target = getAt(def, obj.steps);
        target[typo] = target[key];
        if (rename) delete target[key];
        const errors = resolve(def);
        const at = keyPath(obj.path, typo);
        assert.ok(names(errors, at), `${name}: ${at} was not reported:\n${errors.join('\n')}`);
        const own = errors.find((e) => e.startsWith(at)) ?? '';
        // a task's and an SLO's keys are few: their errors list them; others suggest the closest
        assert.match(own, /did you mean "|not an option of|known: |unknown objective/);
      },
    ),
    { seed: SEED, numRuns: 400 },
  );
});

/** Anything JavaScript can hold, objects without a prototype and sparse lists included. */
const junk = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withSparseArray: true,
  withTypedArray: true,
});

function check(def: unknown, cli: CliOverrides = {}): void {
  const { plan, errors } = resolvePlan(def as TestDefinition, cli, 'fuzz');
  assert.ok(Array.isArray(errors));
  for (const e of errors) assert.ok(typeof e === 'string' && e.length > 0);
  if (errors.length === 0) assert.ok(plan.scenarios.length > 0, 'no errors, yet no scenario to run');
}

test('junk in place of any option, or of the whole definition: a plan or errors, never a throw', () => {
  const cases = Object.entries(BASES).flatMap(([name, make]) => {
    const { leaves, objects } = shape(make());
    return [...leaves.map((l) => ({ name, steps: l.steps })), ...objects.filter((o) => o.steps.length > 0).map((o) => ({ name, steps: o.steps }))];
  });
  fc.assert(
    fc.property(fc.constantFrom(...cases), junk, fc.constantFrom<CliOverrides>({}, { profile: 'mine' }, { vus: 2 }, { profile: 'load' }), ({ name, steps }, value, cli) => {
      const def = (BASES[name] as () => Record<string, unknown>)();
      setAt(def, steps, value);
      check(def, cli);
    }),
    { seed: SEED, numRuns: 600 },
  );
  fc.assert(
    fc.property(junk, (def) => check(def)),
    { seed: SEED, numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...ALL_KEYS), junk, { maxKeys: 6 }), (def) => check({ exec, ...def })),
    { seed: SEED, numRuns: 300 },
  );
});
