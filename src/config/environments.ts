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

/** `$A|$B|literal`: the first variable that is set, else the literal (which may be empty). */
function expand(value: string, vars: Readonly<Record<string, string | undefined>>): string | undefined {
  for (const alt of value.split('|')) {
    if (alt.startsWith('$')) {
      const v = vars[alt.slice(1)];
      if (v !== undefined && v !== '') return v;
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

export function resolveEnvironment(config: AgentloadConfig, name: string | undefined, vars: Readonly<Record<string, string | undefined>>): ResolvedEnvironment {
  const all = { ...DEFAULT_ENVIRONMENTS, ...(config.environments ?? {}) };
  const envName = name ?? config.defaultEnvironment ?? 'local';
  const def = all[envName];
  if (def === undefined) throw new EnvironmentError(`--env "${envName}": no such environment (known: ${Object.keys(all).join(', ')})`);
  const baseUrl = expand(def.baseUrl, vars);
  if (baseUrl === undefined || baseUrl === '') {
    const needed = def.baseUrl.split('|').filter((a) => a.startsWith('$')).join(' or ');
    throw new EnvironmentError(`--env "${envName}": its base URL comes from ${needed}, which is not set`);
  }
  if (!/^https?:\/\//.test(baseUrl)) throw new EnvironmentError(`--env "${envName}": base URL "${baseUrl}" must start with http:// or https://`);
  const wsUrl = (def.wsUrl === undefined ? undefined : expand(def.wsUrl, vars)) || wsFrom(baseUrl);
  const env: Record<string, string> = { API_URL: baseUrl.replace(/\/$/, ''), WS_URL: wsUrl.replace(/\/$/, ''), ENVIRONMENT: envName };
  for (const [k, v] of Object.entries(def.env ?? {})) {
    const x = expand(v, vars);
    if (x !== undefined) env[k] = x;
  }
  const secretValues: string[] = [];
  for (const s of def.secrets ?? []) {
    const v = vars[s];
    if (v !== undefined && v !== '') {
      env[s] = v;
      secretValues.push(v);
    }
  }
  return { name: envName, baseUrl: env.API_URL as string, wsUrl: env.WS_URL as string, env, secretValues };
}

export { redact } from '../util/redact.ts';
