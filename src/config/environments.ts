import type { GateConfig } from '../baseline/settings.ts';

/**
 * Named environments (seed 000/001: local, staging, production), each a base
 * URL, a WebSocket URL and credentials taken from environment variables. The
 * credentials reach scripts as ctx.env.AUTH_TOKEN / A2A_TOKEN and are redacted
 * from everything agentload prints or writes.
 */
export interface EnvironmentDefinition {
  /** Base URL of the API, or the name of an environment variable holding it (`$STAGING_URL`). */
  baseUrl: string;
  /** WebSocket base URL (ws:// or wss://), or `$VAR`; defaults to baseUrl with ws(s)://. */
  wsUrl?: string;
  /** Variables passed to scripts as ctx.env; values may be `$VAR` references. */
  env?: Readonly<Record<string, string>>;
  /** Names of environment variables holding secrets, passed to scripts and redacted from output. */
  secrets?: readonly string[];
  description?: string;
}

/** Also `regression`, `history` and `baselines` (docs/baselines.md, docs/history.md). */
export interface AgentloadConfig extends GateConfig {
  environments?: Readonly<Record<string, EnvironmentDefinition>>;
  /** Environment used when --env is not given (default "local"). */
  defaultEnvironment?: string;
}

export function defineConfig(config: AgentloadConfig): AgentloadConfig {
  return config;
}

const SECRETS = ['AUTH_TOKEN', 'A2A_TOKEN'] as const;

/** Built in: local is the reference target's default address; staging and production come from the seeds' variables. */
export const DEFAULT_ENVIRONMENTS: Readonly<Record<string, EnvironmentDefinition>> = {
  local: { baseUrl: '$API_URL|http://127.0.0.1:8088', wsUrl: '$WS_URL|', secrets: SECRETS, description: 'the reference target (agentload target) on this machine' },
  staging: { baseUrl: '$STAGING_URL|$LOAD_TEST_URL|$API_URL', wsUrl: '$STAGING_WS_URL|$LOAD_TEST_WS_URL|$WS_URL|', secrets: SECRETS, description: 'STAGING_URL / LOAD_TEST_URL' },
  production: { baseUrl: '$PRODUCTION_URL', wsUrl: '$PRODUCTION_WS_URL|', secrets: SECRETS, description: 'PRODUCTION_URL' },
};

export interface ResolvedEnvironment {
  readonly name: string;
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** What scripts see in ctx.env: API_URL, WS_URL, the secrets that are set, and the environment's own variables. */
  readonly env: Readonly<Record<string, string>>;
  /** Secret values to redact from output. */
  readonly secretValues: readonly string[];
}

/** A variable's value: own string properties only (`$__proto__` and `$toString` are not set). */
function lookup(vars: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  const v = name !== '' && Object.hasOwn(vars, name) ? vars[name] : undefined;
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** `$A|$B|literal`: the first variable that is set, else the literal (which may be empty). */
function expand(value: string, vars: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const alt of value.split('|')) {
    if (alt.startsWith('$')) {
      const v = lookup(vars, alt.slice(1));
      if (v !== undefined) return v;
    } else {
      return alt;
    }
  }
  return undefined;
}

/** The WebSocket base URL that goes with an HTTP base URL (http → ws, https → wss). */
export function wsFrom(httpUrl: string): string {
  return httpUrl.replace(/^http(s?):\/\//, 'ws$1://');
}

export class EnvironmentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EnvironmentError';
  }
}

function show(v: unknown): string {
  try {
    return v === undefined ? 'nothing' : (JSON.stringify(v) ?? String(v));
  } catch {
    return String(v);
  }
}

const RESERVED = ['API_URL', 'WS_URL', 'ENVIRONMENT'];

/** The config is JavaScript: check what `resolveEnvironment` reads before it reads it. */
function checkDefinition(def: unknown, where: string): EnvironmentDefinition {
  const bad = (field: string, want: string, got: unknown): EnvironmentError =>
    new EnvironmentError(`${where}${field === '' ? '' : `.${field}`}: expected ${want}, got ${show(got)}`);
  if (typeof def !== 'object' || def === null || Array.isArray(def)) throw bad('', '{ baseUrl, wsUrl, env, secrets }', def);
  const d = def as Record<string, unknown>;
  if (typeof d.baseUrl !== 'string') throw bad('baseUrl', 'a URL or "$VAR" (like "$STAGING_URL|http://127.0.0.1:8088")', d.baseUrl);
  if (d.wsUrl !== undefined && typeof d.wsUrl !== 'string') throw bad('wsUrl', 'a URL or "$VAR"', d.wsUrl);
  if (d.env !== undefined && (typeof d.env !== 'object' || d.env === null || Array.isArray(d.env) || Object.values(d.env).some((v) => typeof v !== 'string'))) {
    throw bad('env', 'an object of strings (like { TENANT: "acme" })', d.env);
  }
  const reserved = Object.keys(d.env ?? {}).find((k) => RESERVED.includes(k));
  if (reserved !== undefined) throw new EnvironmentError(`${where}.env.${reserved}: set by the environment itself (API_URL from baseUrl, WS_URL from wsUrl, ENVIRONMENT its name)`);
  if (d.secrets !== undefined && (!Array.isArray(d.secrets) || d.secrets.some((v) => typeof v !== 'string'))) throw bad('secrets', 'a list of variable names (like ["AUTH_TOKEN"])', d.secrets);
  return def as EnvironmentDefinition;
}

/** Why a URL cannot be used, or null. */
function urlProblem(url: string, protocols: readonly string[]): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  return protocols.includes(u.protocol) ? null : `must start with ${protocols.map((p) => `${p}//`).join(' or ')}`;
}

export function resolveEnvironment(config: AgentloadConfig, name: string | undefined, vars: Readonly<Record<string, string | undefined>>): ResolvedEnvironment {
  const own = config.environments ?? {};
  if (typeof own !== 'object' || own === null || Array.isArray(own)) throw new EnvironmentError(`environments: expected { NAME: { baseUrl, … } }, got ${show(own)}`);
  const all = { ...DEFAULT_ENVIRONMENTS, ...own };
  if (name === undefined && config.defaultEnvironment !== undefined && typeof config.defaultEnvironment !== 'string') {
    throw new EnvironmentError(`defaultEnvironment: expected an environment name, got ${show(config.defaultEnvironment)}`);
  }
  const envName = name ?? config.defaultEnvironment ?? 'local';
  // own properties only: "--env toString" is not Object.prototype.toString
  if (!Object.hasOwn(all, envName)) throw new EnvironmentError(`--env "${envName}": no such environment (known: ${Object.keys(all).join(', ')})`);
  const def = checkDefinition(all[envName], /^[A-Za-z_][\w-]*$/.test(envName) ? `environments.${envName}` : `environments[${JSON.stringify(envName)}]`);
  const baseUrl = expand(def.baseUrl, vars);
  if (baseUrl === undefined || baseUrl === '') {
    const needed = def.baseUrl.split('|').filter((a) => a.startsWith('$')).join(' or ');
    throw new EnvironmentError(`--env "${envName}": its base URL comes from ${needed === '' ? 'an empty baseUrl' : `${needed}, which is not set`}`);
  }
  if (!/^https?:\/\//.test(baseUrl)) throw new EnvironmentError(`--env "${envName}": base URL "${baseUrl}" must start with http:// or https://`);
  const baseProblem = urlProblem(baseUrl, ['http:', 'https:']);
  if (baseProblem !== null) throw new EnvironmentError(`--env "${envName}": base URL "${baseUrl}" ${baseProblem}`);
  const wsUrl = (def.wsUrl === undefined ? undefined : expand(def.wsUrl, vars)) || wsFrom(baseUrl);
  const wsProblem = urlProblem(wsUrl, ['ws:', 'wss:', 'http:', 'https:']);
  if (wsProblem !== null) throw new EnvironmentError(`--env "${envName}": WebSocket URL "${wsUrl}" ${wsProblem}`);
  const env: Record<string, string> = { API_URL: baseUrl.replace(/\/$/, ''), WS_URL: wsUrl.replace(/\/$/, ''), ENVIRONMENT: envName };
  // defined, not assigned: a variable named __proto__ is kept like any other
  const set = (k: string, v: string): void => void Object.defineProperty(env, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(def.env ?? {})) {
    const x = expand(v, vars);
    if (x !== undefined) set(k, x);
  }
  const secretValues: string[] = [];
  for (const s of def.secrets ?? []) {
    const v = lookup(vars, s);
    if (v !== undefined) {
      set(s, v);
      secretValues.push(v);
    }
  }
  return { name: envName, baseUrl: env.API_URL as string, wsUrl: env.WS_URL as string, env, secretValues };
}

export { redact } from '../util/redact.ts';
