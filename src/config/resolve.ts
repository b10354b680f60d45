import type { ScenarioFn, ScenarioDefinition, Stage, TestDefinition, ThresholdInput, ProfileDefinition } from './definition.ts';
import { BUILTIN_PROFILES, PROFILE_ALIASES } from './profiles.ts';
import { EXECUTORS, isExecutorName } from '../engine/executors/index.ts';
import { Fields } from '../engine/executors/fields.ts';
import type { HttpPlan, RunPlan, ScenarioPlan, ThresholdPlan } from '../engine/plan.ts';
import { peakTarget } from '../engine/stages.ts';
import { parseExpression, parseKey, ThresholdSyntaxError } from '../metrics/thresholds/parse.ts';
import { DEFAULT_TREND_STATS, percentileOf } from '../metrics/values.ts';
import { DEFAULT_MAX_SERIES } from '../metrics/series-cap.ts';
import { parseDuration, parseScaledDuration } from '../util/duration.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_USER_AGENT } from '../protocols/http/client.ts';
import { resolveLlmPlan } from '../protocols/llm/options.ts';
import { resolveA2aPlan } from '../protocols/a2a/options.ts';
import { checkDefinition } from './option-schema.ts';
import { isPlainObject, keyPath } from './option-checks.ts';
import { shown } from '../util/shown.ts';

/** What the command line can change. */
export interface CliOverrides {
  vus?: number;
  duration?: string;
  iterations?: number;
  stages?: readonly Stage[];
  env?: Readonly<Record<string, string>>;
  tags?: Readonly<Record<string, string>>;
  profile?: string;
  /** Ignore `profile` for a test whose load is fixed (`fixedLoad`), instead of refusing it: `run --suite all --profile X`. */
  profileWhereItApplies?: boolean;
  timeScale?: number;
  noThresholds?: boolean;
  segment?: { index: number; count: number };
  baseUrl?: string;
}

export interface Resolved {
  readonly plan: RunPlan;
  readonly errors: readonly string[];
}

const IMPLICIT = 'default';

/** o[k1][k2]…, or undefined when a step is not an object with that own key. */
function valueAt(o: unknown, ...keys: string[]): unknown {
  let v = o;
  for (const k of keys) {
    if (!isPlainObject(v) || !Object.hasOwn(v, k)) return undefined;
    v = v[k];
  }
  return v;
}

function cliShortcut(cli: CliOverrides): boolean {
  return cli.vus !== undefined || cli.duration !== undefined || cli.iterations !== undefined || (cli.stages?.length ?? 0) > 0;
}

/** Whether the run is one scenario made of `exec` and the top-level (or command-line) vus, duration, iterations, stages. */
function isImplicit(def: unknown, cli: CliOverrides): boolean {
  const scenarios = isPlainObject(def) ? def.scenarios : undefined;
  return cliShortcut(cli) || !(isPlainObject(scenarios) && Object.keys(scenarios).length > 0);
}

/** The definition's scenarios after CLI shortcuts, before profiles and validation. */
function scenariosOf(def: TestDefinition, cli: CliOverrides, errors: string[]): Record<string, ScenarioDefinition> {
  const shortcut = cliShortcut(cli);
  if (!shortcut && def.scenarios !== undefined && Object.keys(def.scenarios).length > 0) return { ...def.scenarios };
  const exec = firstExec(def);
  if (exec === undefined) {
    // a scenario or `exec` of the wrong type is already reported
    if (def.scenarios === undefined && def.exec === undefined) {
      errors.push('the test has no scenarios and no `exec` function: export defineTest({ exec: async (ctx) => { … } }) or define `scenarios`');
    }
    return {};
  }
  const vus = cli.vus ?? def.vus;
  const duration = cli.duration ?? (shortcut && cli.iterations !== undefined ? undefined : def.duration);
  const iterations = cli.iterations ?? (shortcut && cli.duration !== undefined ? undefined : def.iterations);
  const stages = cli.stages !== undefined && cli.stages.length > 0 ? cli.stages : shortcut ? undefined : def.stages;
  const base = { exec: exec.exec, tasks: exec.tasks, waitTime: exec.waitTime } as Pick<ScenarioDefinition, 'exec' | 'tasks' | 'waitTime'>;
  let s: ScenarioDefinition;
  if (stages !== undefined && stages.length > 0) s = { ...base, executor: 'ramping-vus', startVUs: vus ?? 1, stages };
  else if (iterations !== undefined)
    s = { ...base, executor: 'shared-iterations', vus: vus ?? 1, iterations, ...(duration !== undefined ? { maxDuration: duration } : {}) };
  else if (duration !== undefined) s = { ...base, executor: 'constant-vus', vus: vus ?? 1, duration };
  else s = { ...base, executor: 'per-vu-iterations', vus: vus ?? 1, iterations: 1 };
  return { [IMPLICIT]: s };
}

function firstExec(def: TestDefinition): Pick<ScenarioDefinition, 'exec' | 'tasks' | 'waitTime'> | undefined {
  if (def.exec !== undefined) return { exec: def.exec };
  const first = Object.values(def.scenarios ?? {})[0];
  return first === undefined ? undefined : { exec: first.exec, tasks: first.tasks, waitTime: first.waitTime };
}

export function findProfile(def: TestDefinition, name: string): ProfileDefinition | undefined {
  // own keys only: --profile constructor is no profile
  const own = <T>(o: Readonly<Record<string, T>> | undefined, k: string): T | undefined => (o !== undefined && Object.hasOwn(o, k) ? o[k] : undefined);
  return own(def.profiles, name) ?? own(BUILTIN_PROFILES, name) ?? own(BUILTIN_PROFILES, own(PROFILE_ALIASES, name) ?? '');
}

export function profileNames(def: TestDefinition): string[] {
  return [...new Set([...Object.keys(def.profiles ?? {}), ...Object.keys(BUILTIN_PROFILES), ...Object.keys(PROFILE_ALIASES)])];
}

function scaleStages(stages: readonly Stage[], factor: number): Stage[] {
  return stages.map((s) => ({ duration: s.duration, target: s.target === 0 ? 0 : Math.max(1, Math.round(s.target * factor)) }));
}

/** A scenario's share of the profile's start VUs: at least 1 when the profile starts with VUs (smoke: 1 VU each). */
function scaleStartVUs(startVUs: number, share: number): number {
  return startVUs >= 1 ? Math.max(1, Math.round(startVUs * share)) : 0;
}

/** Re-shape every scenario with a profile's stages (VU-based ones split the VUs by weight). */
function applyProfile(scenarios: Record<string, ScenarioDefinition>, profile: ProfileDefinition): Record<string, ScenarioDefinition> {
  const closed = Object.entries(scenarios).filter(([, s]) => isExecutorName(s.executor) && EXECUTORS[s.executor].model === 'closed');
  const open = Object.entries(scenarios).filter(([, s]) => isExecutorName(s.executor) && EXECUTORS[s.executor].model === 'open');
  const wClosed = closed.reduce((a, [, s]) => a + (s.weight ?? 1), 0);
  const wOpen = open.reduce((a, [, s]) => a + (s.weight ?? 1), 0);
  const out: Record<string, ScenarioDefinition> = { ...scenarios };
  const profilePeak = peakTarget(0, profile.stages.map((s) => ({ durationMs: 0, target: s.target })));
  for (const [name, s] of closed) {
    const share = (s.weight ?? 1) / wClosed;
    const { exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight } = s;
    out[name] = {
      exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight,
      executor: 'ramping-vus',
      startVUs: scaleStartVUs(profile.startVUs ?? 0, share),
      stages: scaleStages(profile.stages, share),
    };
  }
  for (const [name, s] of open) {
    if (s.executor !== 'constant-arrival-rate' && s.executor !== 'ramping-arrival-rate') continue;
    const share = (s.weight ?? 1) / wOpen;
    // stages that are not a list are reported by the scenario's own checks
    const ownStages: readonly Stage[] = s.executor === 'ramping-arrival-rate' && Array.isArray(s.stages) ? s.stages : [];
    // a rate of the wrong type is reported with the scenario as written; here it only must not break the arithmetic
    const n = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);
    const ownPeak = s.executor === 'constant-arrival-rate' ? n(s.rate) : peakTarget(n(s.startRate), ownStages.map((x) => ({ durationMs: 0, target: n(x?.target) })));
    const stages =
      profile.rateStages !== undefined
        ? scaleStages(profile.rateStages, share)
        : scaleStages(profile.stages, profilePeak > 0 ? ownPeak / profilePeak : 0);
    const { exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight, timeUnit, preAllocatedVUs, maxVUs } = s;
    out[name] = { exec, tasks, waitTime, startTime, gracefulStop, env, tags, weight, timeUnit, preAllocatedVUs, maxVUs, executor: 'ramping-arrival-rate', startRate: 0, stages };
  }
  return out;
}

/** Thresholds as planned; delayAbortEval is a duration of the run, so --time-scale compresses it too. */
function thresholdPlans(source: Readonly<Record<string, readonly ThresholdInput[]>>, timeScale: number, errors: string[]): ThresholdPlan[] {
  const out: ThresholdPlan[] = [];
  for (const [key, list] of Object.entries(source)) {
    try {
      parseKey(key);
    } catch (e) {
      errors.push((e as Error).message);
      continue;
    }
    const where = keyPath('thresholds', key);
    if (!Array.isArray(list)) {
      errors.push(`${where}: must be a list, like ['p(95)<500']`);
      continue;
    }
    for (const [i, t] of (list as readonly unknown[]).entries()) {
      const expression = typeof t === 'string' ? t : isPlainObject(t) ? t.threshold : undefined;
      if (typeof expression !== 'string') {
        errors.push(`${where}[${i}]: must be a string like 'p(95)<500' or { threshold, abortOnFail, delayAbortEval }, got ${shown(isPlainObject(t) ? t.threshold : t)}`);
        continue;
      }
      try {
        parseExpression(expression);
      } catch (e) {
        if (e instanceof ThresholdSyntaxError) errors.push(`${e.message} (on ${key})`);
        else throw e;
        continue;
      }
      const long = typeof t === 'string' ? null : (t as Exclude<ThresholdInput, string>);
      let delayAbortEvalMs = 0;
      if (long?.delayAbortEval !== undefined) {
        try {
          delayAbortEvalMs = parseScaledDuration(long.delayAbortEval, timeScale, `${where}[${i}].delayAbortEval`);
        } catch (e) {
          errors.push((e as Error).message);
        }
      }
      out.push({ key, expression, abortOnFail: long?.abortOnFail === true, delayAbortEvalMs });
    }
  }
  return out;
}

/** Why a base URL cannot prefix request paths, or null when it can. */
function baseUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'expected an absolute http:// or https:// URL, like http://127.0.0.1:8088';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return `unsupported protocol "${u.protocol}": expected http:// or https://`;
  if (u.search !== '' || u.hash !== '') return 'must not have a query or fragment (request paths are appended to it)';
  return null;
}

function httpPlan(def: TestDefinition, cli: CliOverrides, errors: string[]): HttpPlan {
  const h = def.http ?? {};
  let timeoutMs = 60_000;
  if (h.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(h.timeout, 'http.timeout');
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const headers: Record<string, string> = { 'user-agent': h.userAgent ?? DEFAULT_USER_AGENT };
  for (const [k, v] of Object.entries(h.headers ?? {})) headers[k.toLowerCase()] = v;
  let baseUrl = cli.baseUrl ?? h.baseUrl ?? '';
  if (baseUrl !== '') {
    const problem = baseUrlProblem(baseUrl);
    if (problem !== null) errors.push(`${cli.baseUrl !== undefined ? '--base-url' : 'http.baseUrl'} "${baseUrl}": ${problem}`);
  }
  if (baseUrl.endsWith('/')) baseUrl = baseUrl.slice(0, -1);
  const maxResponseBytes = h.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  if (typeof maxResponseBytes !== 'number' || !Number.isInteger(maxResponseBytes) || maxResponseBytes < 0) {
    errors.push(`http.maxResponseBytes must be a whole number of bytes >= 0 (0 = no limit), got ${JSON.stringify(maxResponseBytes) ?? String(maxResponseBytes)}`);
  }
  return {
    baseUrl,
    timeoutMs,
    maxRedirects: h.maxRedirects ?? 10,
    discardResponseBodies: h.discardResponseBodies ?? false,
    insecureSkipTLSVerify: h.insecureSkipTLSVerify ?? false,
    maxConnectionsPerHost: maxConnections(h.maxConnectionsPerHost, errors),
    expectedStatuses: h.expectedStatuses ?? [{ min: 200, max: 399 }],
    headers,
    cookies: h.cookies ?? true,
    maxResponseBytes,
  };
}

/** http.maxConnectionsPerHost unless the script sets it: per origin and worker thread. */
export const DEFAULT_MAX_CONNECTIONS_PER_HOST = 1000;

function maxConnections(v: number | undefined, errors: string[]): number {
  if (v === undefined) return DEFAULT_MAX_CONNECTIONS_PER_HOST;
  if (!Number.isInteger(v) || v < 0) errors.push(`http.maxConnectionsPerHost must be a whole number >= 0 (0 = no limit), got ${shown(v)}`);
  return v;
}

function maxSeriesOf(v: unknown, errors: string[]): number {
  if (v === undefined) return DEFAULT_MAX_SERIES;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    errors.push(`maxSeries must be a whole number >= 1 (default ${DEFAULT_MAX_SERIES}), got ${JSON.stringify(v) ?? String(v)}`);
    return DEFAULT_MAX_SERIES;
  }
  return v;
}

const TREND_STATS = ['avg', 'min', 'med', 'max', 'count'];

/**
 * summaryTrendStats as k6 takes them: avg, min, med, max, count and p(N) with
 * 0 <= N <= 100. Anything else is an error quoting the entry (p95 is how
 * summary.json aliases p(95), not a statistic name, as in thresholds).
 */
function trendStats(stats: readonly string[] | undefined, errors: string[]): readonly string[] {
  if (stats === undefined) return [...DEFAULT_TREND_STATS];
  if (!Array.isArray(stats)) {
    errors.push(`summaryTrendStats must be a list, like ['avg', 'p(95)']`);
    return [...DEFAULT_TREND_STATS];
  }
  for (const s of stats) {
    if (typeof s === 'string' && (TREND_STATS.includes(s) || percentileOf(s) !== undefined)) continue;
    const hint = typeof s === 'string' && /^p\d+(\.\d+)?$/.test(s) ? ` (write "p(${s.slice(1)})")` : '';
    errors.push(`summaryTrendStats: unknown statistic ${shown(s)}${hint}; use ${TREND_STATS.join(', ')} or p(N) with 0 <= N <= 100`);
  }
  return stats;
}

/** Merge script options, profile and command line into a validated plan; every error is collected. */
export function resolvePlan(input: TestDefinition, cli: CliOverrides, scriptName: string): Resolved {
  const errors: string[] = [];
  const implicit = isImplicit(input, cli);
  // unknown keys and wrong types first; what cannot be used is left out, so that nothing below reports it again
  const def = checkDefinition(input, implicit, errors);
  const timeScale = cli.timeScale ?? 1;
  if (!(timeScale > 0)) errors.push(`--time-scale must be more than 0, got ${cli.timeScale}`);
  const written = scenariosOf(def, cli, errors);
  let scenarios = written;
  let profile: ProfileDefinition | undefined;
  const profileName = def.fixedLoad !== undefined && cli.profileWhereItApplies === true ? undefined : cli.profile;
  if (cli.profile !== undefined && def.fixedLoad !== undefined && profileName !== undefined) {
    errors.push(`--profile "${cli.profile}" does not apply to this test: ${def.fixedLoad}`);
  } else if (profileName !== undefined) {
    profile = findProfile(def, profileName);
    if (profile === undefined) errors.push(`--profile "${profileName}": no such profile (known: ${profileNames(def).join(', ')})`);
    else if (Array.isArray(profile.stages)) scenarios = applyProfile(scenarios, profile);
    // stages of the wrong type are reported with the profile's other keys
    else if (valueAt(input, 'profiles', profileName, 'stages') === undefined)
      errors.push(`${keyPath(keyPath('profiles', profileName), 'stages')}: is required, like [{ duration: '1m', target: 10 }]`);
  }
  const ts = timeScale > 0 ? timeScale : 1;
  /** A scenario checked and planned; null when its executor is unknown. Errors go to `into`. */
  const planOf = (name: string, raw: ScenarioDefinition, vuIdOffset: number, into: string[]): ScenarioPlan | null => {
    if (!/^[A-Za-z0-9_.-]+$/.test(name)) into.push(`scenario name "${name}": use letters, digits, "_", "-" and "."`);
    if (!isExecutorName(raw.executor)) {
      into.push(`${keyPath(keyPath('scenarios', name), 'executor')}: unknown executor ${shown(raw.executor)} (known: ${Object.keys(EXECUTORS).join(', ')})`);
      return null;
    }
    // the implicit scenario's fields are the top-level options: errors name them as the script wrote them
    const top = implicit && name === IMPLICIT;
    const f = new Fields(name, raw as unknown as Record<string, unknown>, into, ts, top ? '' : undefined, top ? { maxDuration: 'duration' } : {});
    return EXECUTORS[raw.executor].normalize(raw, f, f.base(raw, vuIdOffset));
  };
  const scenarioErrors: string[] = [];
  // a profile reshapes the scenarios, yet the options it replaces (vus, rate, duration, …) are the script's: checked as written too
  if (scenarios !== written) for (const [name, raw] of Object.entries(written)) planOf(name, raw, 0, scenarioErrors);
  const plans: ScenarioPlan[] = [];
  let vuIdOffset = 0;
  for (const [name, raw] of Object.entries(scenarios)) {
    const plan = planOf(name, raw, vuIdOffset, scenarioErrors);
    if (plan === null) continue;
    vuIdOffset += EXECUTORS[plan.executor].parallelism(plan);
    // ctx.env: the script's env, then the scenario's, then -e / --env (the command line wins, as in k6)
    plans.push({ ...plan, env: { ...(def.env ?? {}), ...plan.env, ...(cli.env ?? {}) } });
  }
  errors.push(...new Set(scenarioErrors));
  const thresholdSource: Record<string, readonly ThresholdInput[]> = { ...(profile?.thresholds ?? {}), ...(def.thresholds ?? {}) };
  const thresholds = cli.noThresholds === true ? [] : thresholdPlans(thresholdSource, ts, errors);
  const seg = cli.segment ?? { index: 0, count: 1 };
  if (!(Number.isInteger(seg.count) && seg.count >= 1 && Number.isInteger(seg.index) && seg.index >= 0 && seg.index < seg.count))
    errors.push(`--segment must be i/n with 1 <= i <= n`);
  const plan: RunPlan = {
    name: def.name ?? scriptName,
    scenarios: plans,
    thresholds,
    env: { ...(def.env ?? {}), ...(cli.env ?? {}) },
    tags: { ...(def.tags ?? {}), ...(cli.tags ?? {}) },
    http: httpPlan(def, cli, errors),
    llm: resolveLlmPlan(def.llm, errors),
    a2a: resolveA2aPlan(def.a2a, errors),
    summaryTrendStats: trendStats(def.summaryTrendStats, errors),
    maxSeries: maxSeriesOf(def.maxSeries, errors),
    profile: profileName ?? null,
    timeScale,
    segment: seg,
  };
  return { plan, errors };
}

/** One weighted task of a scenario (Locust's @task(weight)). */
export interface ScenarioTask {
  readonly name: string;
  readonly fn: ScenarioFn;
  readonly weight: number;
}

/** What a planned scenario runs each iteration: one function, or a task picked by weight. */
export type ScenarioWork = { readonly exec: ScenarioFn; readonly tasks: null } | { readonly exec: null; readonly tasks: readonly ScenarioTask[] };

export function scenarioWork(def: TestDefinition, plan: ScenarioPlan): ScenarioWork {
  const raw: Pick<ScenarioDefinition, 'exec' | 'tasks'> | undefined = plan.name === IMPLICIT && def.scenarios?.[IMPLICIT] === undefined ? firstExec(def) : def.scenarios?.[plan.name];
  if (raw === undefined) throw new Error(`scenario "${plan.name}" has no function`);
  if (raw.tasks !== undefined) {
    const tasks = Object.entries(raw.tasks).map(([name, t]) => ({ name, fn: typeof t === 'function' ? t : t.fn, weight: typeof t === 'function' ? 1 : (t.weight ?? 1) }));
    return { exec: null, tasks };
  }
  if (raw.exec === undefined) throw new Error(`scenario "${plan.name}" has no exec function`);
  return { exec: raw.exec, tasks: null };
}

/** Pick a task by weight; `r` is uniform in [0, 1). */
export function pickTask(tasks: readonly ScenarioTask[], total: number, r: number): ScenarioTask {
  let left = r * total;
  for (const t of tasks) {
    left -= t.weight;
    if (left < 0) return t;
  }
  return tasks[tasks.length - 1] as ScenarioTask;
}
