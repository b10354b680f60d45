import { parseDuration, type DurationInput } from '../../util/duration.ts';
import { shown } from '../../util/shown.ts';

/** A2A protocol versions `ctx.a2a` speaks. */
export type A2aVersion = '1.0' | '0.3';

/** Paths of a REST task API shaped like seed 000's `/api/a2a/tasks`; `{id}` stands for the task id. */
export interface A2aRestOptions {
  /** Base URL of the REST API (default: `a2a.url`, else the HTTP base URL). */
  baseUrl?: string;
  /** Submit: POST here (default `/api/a2a/tasks`). */
  tasksPath?: string;
  /** Get one task: GET here (default `/api/a2a/tasks/{id}`). */
  taskPath?: string;
  /** Cancel (default `/api/a2a/tasks/{id}/cancel`). */
  cancelPath?: string;
  /** Method of the cancel request (default POST). */
  cancelMethod?: 'POST' | 'DELETE';
}

/** `a2a` in defineTest: test-wide settings of `ctx.a2a`. */
export interface A2aOptions {
  /** The agent's base URL, where `/.well-known/agent-card.json` is. Default: the A2A_URL variable, else the HTTP base URL. */
  url?: string;
  /** The JSON-RPC endpoint; default: the JSON-RPC interface the agent card lists. */
  rpcUrl?: string;
  /** Protocol version: '1.0', '0.3', or 'auto' (default) to read it from the agent card. */
  version?: A2aVersion | 'auto';
  /** Where the card is, under `url` (default `/.well-known/agent-card.json`). */
  cardPath?: string;
  /** Name of the environment variable holding a bearer token (default A2A_TOKEN). */
  tokenEnv?: string;
  /** No response headers, or a stream silent, for this long fails the call (default 60s). */
  timeout?: DurationInput;
  headers?: Readonly<Record<string, string>>;
  /** Time between polls of wait() and rest.poll() (default 250ms). */
  pollInterval?: DurationInput;
  /** wait() and rest.poll() give up after this long (default 30s); the task counts as state `timeout`. */
  pollTimeout?: DurationInput;
  rest?: A2aRestOptions;
}

export interface A2aRestPlan {
  readonly baseUrl: string;
  readonly tasksPath: string;
  readonly taskPath: string;
  readonly cancelPath: string;
  readonly cancelMethod: 'POST' | 'DELETE';
}

/** The resolved `a2a` options, as workers get them. */
export interface A2aPlan {
  readonly url: string;
  readonly rpcUrl: string;
  readonly version: A2aVersion | 'auto';
  readonly cardPath: string;
  readonly tokenEnv: string;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly pollIntervalMs: number;
  readonly pollTimeoutMs: number;
  readonly rest: A2aRestPlan;
}

export const DEFAULT_A2A_REST_PLAN: A2aRestPlan = Object.freeze({
  baseUrl: '',
  tasksPath: '/api/a2a/tasks',
  taskPath: '/api/a2a/tasks/{id}',
  cancelPath: '/api/a2a/tasks/{id}/cancel',
  cancelMethod: 'POST',
});

export const DEFAULT_A2A_PLAN: A2aPlan = Object.freeze({
  url: '',
  rpcUrl: '',
  version: 'auto',
  cardPath: '/.well-known/agent-card.json',
  tokenEnv: 'A2A_TOKEN',
  timeoutMs: 60_000,
  headers: Object.freeze({}),
  pollIntervalMs: 250,
  pollTimeoutMs: 30_000,
  rest: DEFAULT_A2A_REST_PLAN,
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function url(value: string | undefined, where: string, errors: string[]): string {
  if (value === undefined || value === '') return '';
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`${where}: "${value}" must be an http:// or https:// URL`);
  } catch {
    errors.push(`${where}: "${value}" is not a URL`);
  }
  return value.endsWith('/') ? value.slice(0, -1) : value;
}

function duration(value: DurationInput | undefined, fallback: number, where: string, errors: string[]): number {
  if (value === undefined) return fallback;
  try {
    return parseDuration(value, where);
  } catch (e) {
    errors.push((e as Error).message);
    return fallback;
  }
}

function path(value: string | undefined, fallback: string, where: string, errors: string[]): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || (!value.startsWith('/') && !/^https?:\/\//.test(value))) {
    errors.push(`${where}: ${shown(value)} must start with "/" (or be a full http(s) URL)`);
    return fallback;
  }
  return value;
}

/** Validate `a2a.rest` options; every problem is pushed to `errors`. */
export function resolveA2aRestPlan(r: A2aRestOptions | undefined, errors: string[], where = 'a2a.rest'): A2aRestPlan {
  if (typeof r !== 'object' && r !== undefined) {
    errors.push(`${where} must be an object of options`);
    return DEFAULT_A2A_REST_PLAN;
  }
  if (r === undefined) return DEFAULT_A2A_REST_PLAN;
  const d = DEFAULT_A2A_REST_PLAN;
  const cancelMethod = r.cancelMethod ?? d.cancelMethod;
  if (cancelMethod !== 'POST' && cancelMethod !== 'DELETE') errors.push(`${where}.cancelMethod: ${shown(cancelMethod)} must be POST or DELETE`);
  return {
    baseUrl: url(r.baseUrl, `${where}.baseUrl`, errors),
    tasksPath: path(r.tasksPath, d.tasksPath, `${where}.tasksPath`, errors),
    taskPath: path(r.taskPath, d.taskPath, `${where}.taskPath`, errors),
    cancelPath: path(r.cancelPath, d.cancelPath, `${where}.cancelPath`, errors),
    cancelMethod: cancelMethod === 'DELETE' ? 'DELETE' : 'POST',
  };
}

/** Validate `a2a` options into a plan; every problem is pushed to `errors`. */
export function resolveA2aPlan(options: A2aOptions | undefined, errors: string[]): A2aPlan {
  if (options === undefined) return DEFAULT_A2A_PLAN;
  if (typeof options !== 'object' || options === null) {
    errors.push('a2a must be an object of options');
    return DEFAULT_A2A_PLAN;
  }
  if ('token' in options) errors.push('a2a.token: keep tokens out of scripts; put it in an environment variable and name it with a2a.tokenEnv (default A2A_TOKEN)');
  const version = options.version ?? 'auto';
  if (version !== 'auto' && version !== '1.0' && version !== '0.3') errors.push(`a2a.version: ${shown(version)} must be '1.0', '0.3' or 'auto'`);
  const tokenEnv = options.tokenEnv ?? DEFAULT_A2A_PLAN.tokenEnv;
  if (!ENV_NAME.test(tokenEnv)) errors.push(`a2a.tokenEnv: "${tokenEnv}" is not an environment variable name`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = String(v);
  return {
    url: url(options.url, 'a2a.url', errors),
    rpcUrl: url(options.rpcUrl, 'a2a.rpcUrl', errors),
    version: version === '1.0' || version === '0.3' ? version : 'auto',
    cardPath: path(options.cardPath, DEFAULT_A2A_PLAN.cardPath, 'a2a.cardPath', errors),
    tokenEnv,
    timeoutMs: duration(options.timeout, DEFAULT_A2A_PLAN.timeoutMs, 'a2a.timeout', errors),
    headers,
    pollIntervalMs: duration(options.pollInterval, DEFAULT_A2A_PLAN.pollIntervalMs, 'a2a.pollInterval', errors),
    pollTimeoutMs: duration(options.pollTimeout, DEFAULT_A2A_PLAN.pollTimeoutMs, 'a2a.pollTimeout', errors),
    rest: resolveA2aRestPlan(options.rest, errors),
  };
}
