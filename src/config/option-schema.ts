import type { HttpOptions, ProfileDefinition, Stage, TestDefinition } from './definition.ts';
import type { LlmOptions, LlmPrice } from '../protocols/llm/options.ts';
import type { A2aOptions, A2aRestOptions } from '../protocols/a2a/options.ts';
import { EXECUTORS, isExecutorName } from '../engine/executors/index.ts';
import { COMMON_OPTIONS } from '../engine/executors/fields.ts';
import { closest } from '../util/closest.ts';
import { shown } from '../util/shown.ts';
import { any, boolean, duration, func, isPlainObject, keyPath, list, number, object, record, string, strings, unknownKey, type Check } from './option-checks.ts';

/*
 * Every key a test definition may hold, with the type of its value. An unknown key anywhere (a typo like
 * `duraton`, a scenario field of another executor) or a value of the wrong type is an error naming its path,
 * reported with all the others before the run (exit 104), as k6 refuses unknown scenario fields. Values
 * checked further where they are used (durations parsed, numbers ranged, URLs) pass here as `any`. The
 * records are typed by the option interfaces, so that a new option cannot be added without its check.
 */

/** `{ duration, target }`; the values are checked where the stages are used (a scenario, a chosen profile). */
const stage = (values: boolean): Check => {
  const fields: Record<keyof Stage, Check> = { duration: values ? duration : any, target: values ? number : any };
  const check = object(fields, { expected: '{ duration, target }' });
  // without values, an entry that is not an object is reported where the stages are used, with the other stage errors
  return (v, path, errors) => (values || isPlainObject(v) ? check(v, path, errors) : v);
};
const stages = (values: boolean): Check => list(stage(values), 'a list of { duration, target }');

/** A threshold of the long form: `{ threshold, abortOnFail, delayAbortEval }`; strings and other entries are checked with the expressions. */
const thresholdEntry: Check = (v, path, errors) =>
  isPlainObject(v)
    ? object({ threshold: any, abortOnFail: boolean, delayAbortEval: any }, { expected: "{ threshold: 'p(95)<500', abortOnFail, delayAbortEval }" })(v, path, errors)
    : v;
const thresholdList: Check = (v, path, errors) => (Array.isArray(v) ? list(thresholdEntry)(v, path, errors) : v);
const thresholds = record(thresholdList, "an object like { http_req_duration: ['p(95)<500'] }");

/**
 * A profile's thresholds are checked with the test's only when it is chosen: their shape is checked here, and
 * what is wrong left out, so that a chosen profile is not reported twice.
 */
const profileThresholdEntry: Check = (v, path, errors) => {
  if (typeof v === 'string') return v;
  const entry = isPlainObject(v) ? thresholdEntry(v, path, errors) : v;
  if (isPlainObject(entry) && typeof entry.threshold === 'string') return entry;
  errors.push(`${path}: must be a string like 'p(95)<500' or { threshold, abortOnFail, delayAbortEval }, got ${shown(isPlainObject(v) ? v.threshold : v)}`);
  return undefined;
};
const profileThresholds = record(list(profileThresholdEntry, "a list, like ['p(95)<500']"), "an object like { http_req_duration: ['p(95)<500'] }");

const profileFields: Record<keyof ProfileDefinition, Check> = {
  description: string,
  startVUs: number,
  stages: stages(true),
  rateStages: stages(true),
  thresholds: profileThresholds,
};

/** An entry of http.expectedStatuses: a status or a `{ min, max }` range (both required). */
const range = object({ min: number, max: number }, { expected: 'a status or { min, max }' });
const statusSpec: Check = (v, path, errors) => {
  if (typeof v === 'number') return number(v, path, errors);
  const r = range(v, path, errors);
  if (!isPlainObject(r)) return undefined;
  if (typeof r.min === 'number' && typeof r.max === 'number') return r;
  // a bound of the wrong type is already reported; a missing one is not
  if (isPlainObject(v) && (v.min === undefined || v.max === undefined)) errors.push(`${path}: a range needs both min and max, like { min: 200, max: 299 }`);
  return undefined;
};

const httpFields: Record<keyof Required<HttpOptions> | 'maxResponseBytes', Check> = {
  baseUrl: string,
  timeout: duration,
  maxRedirects: number,
  discardResponseBodies: boolean,
  insecureSkipTLSVerify: boolean,
  expectedStatuses: list(statusSpec, 'a list of statuses and { min, max } ranges'),
  headers: strings,
  userAgent: string,
  cookies: boolean,
  maxConnectionsPerHost: any,
  maxResponseBytes: any,
};

const priceFields: Record<keyof LlmPrice, Check> = { input: any, output: any };
const llmFields: Record<keyof Required<LlmOptions>, Check> = {
  baseUrl: string,
  model: string,
  apiKeyEnv: string,
  timeout: duration,
  headers: strings,
  prices: record((v, path, errors) => (isPlainObject(v) ? object(priceFields)(v, path, errors) : v)),
  slo: object({ ttft: duration, tpot: duration, e2e: duration }, { expected: 'an object like { ttft: 500, tpot: 50, e2e: 5000 } (milliseconds)' }),
  includeUsage: boolean,
};

const restFields: Record<keyof Required<A2aRestOptions>, Check> = {
  baseUrl: string,
  tasksPath: any,
  taskPath: any,
  cancelPath: any,
  cancelMethod: string,
};
const a2aFields: Record<keyof Required<A2aOptions>, Check> = {
  url: string,
  rpcUrl: string,
  version: string,
  cardPath: any,
  tokenEnv: string,
  timeout: duration,
  headers: strings,
  pollInterval: duration,
  pollTimeout: duration,
  rest: object(restFields),
};

/** The executors that take a field, for "not an option of constant-vus (only of shared-iterations)". */
function executorsWith(field: string): string[] {
  return Object.values(EXECUTORS)
    .filter((e) => e.options.includes(field))
    .map((e) => e.name);
}

/** Why a scenario field is not one of its executor's: another executor's field, or a typo of one. */
function scenarioKeyError(at: string, key: string, executor: string, known: readonly string[]): string {
  const others = executorsWith(key);
  const own = closest(key, known);
  if (others.length > 0) return `${at}: not an option of the ${executor} executor (only of ${others.join(', ')})${own === undefined ? '' : `; did you mean "${own}"?`}`;
  if (own !== undefined) return `${at}: unknown option of the ${executor} executor (did you mean "${own}"?)`;
  const other = closest(key, Object.values(EXECUTORS).flatMap((e) => e.options));
  if (other !== undefined) return `${at}: unknown option of the ${executor} executor (did you mean "${other}"? only ${executorsWith(other).join(', ')} take it)`;
  return `${at}: unknown option of the ${executor} executor; known: ${known.join(', ')}`;
}

/**
 * A scenario: the common fields and its executor's own. An unknown executor is reported by the plan, which
 * then cannot know the fields: only the common ones are checked.
 */
const scenario: Check = (v, path, errors) => {
  if (!isPlainObject(v)) {
    errors.push(`${path}: must be a scenario like { executor: 'constant-vus', vus: 10, duration: '1m', exec }, got ${Array.isArray(v) ? 'a list' : String(v === null ? null : typeof v)}`);
    return undefined;
  }
  const executor = isExecutorName(v.executor) ? EXECUTORS[v.executor] : null;
  // without an executor (reported by the plan), a key no executor takes is still unknown
  const own = executor?.options ?? Object.values(EXECUTORS).flatMap((e) => e.options);
  const known: readonly string[] = [...COMMON_OPTIONS, ...own];
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    if (known.includes(k)) {
      if (k === 'weight' && x !== undefined) {
        if (number(x, keyPath(path, k), errors) !== undefined) out[k] = x;
      } else if (k === 'stages' && Array.isArray(x)) {
        out[k] = stages(false)(x, keyPath(path, k), errors);
      } else {
        Object.defineProperty(out, k, { value: x, enumerable: true, writable: true, configurable: true });
      }
      continue;
    }
    if (executor === null) {
      errors.push(unknownKey(path, k, [...COMMON_OPTIONS], 'scenario option'));
      continue;
    }
    errors.push(scenarioKeyError(keyPath(path, k), k, executor.name, known));
  }
  return out;
};

/**
 * Check a test definition's keys and value types; returns the definition with what could not be used left
 * out. `implicit`: the top-level `vus`, `duration`, `iterations`, `stages` and `exec` make the scenario, whose
 * checks then report their values (a stage's duration, an `exec` that is not a function); otherwise they are
 * only checked here.
 */
export function checkDefinition(def: unknown, implicit: boolean, errors: string[]): TestDefinition {
  const top: Record<keyof Required<TestDefinition>, Check> = {
    name: string,
    scenarios: record(scenario, "an object of scenarios like { api: { executor: 'constant-vus', … } }"),
    exec: implicit ? any : func,
    vus: number,
    duration,
    iterations: number,
    stages: stages(!implicit),
    thresholds,
    profiles: record(object(profileFields, { expected: 'a profile like { stages: [{ duration, target }] }' })),
    fixedLoad: string,
    env: strings,
    tags: strings,
    http: object(httpFields),
    llm: object(llmFields, { refused: ['apiKey'] }),
    a2a: object(a2aFields, { refused: ['token'] }),
    summaryTrendStats: any,
    maxSeries: number,
    setup: func,
    teardown: func,
  };
  return (object(top, { expected: 'defineTest({ … })' })(def, '', errors) ?? {}) as TestDefinition;
}
