import { parseDuration, type DurationInput } from '../../util/duration.ts';
import { shown } from '../../util/shown.ts';

/** Price of a model, US dollars per million tokens. */
export interface LlmPrice {
  /** USD per 1M input (prompt) tokens. */
  readonly input: number;
  /** USD per 1M output (completion) tokens. */
  readonly output: number;
}

/**
 * Service-level objectives of one request, for `llm_goodput`: a request is
 * "good" when it succeeded and met every objective given (vLLM's `--goodput`).
 * Durations: a number of milliseconds or "500ms", "2s".
 */
export interface LlmSlo {
  /** Time to first token. */
  readonly ttft?: DurationInput;
  /** Time per output token after the first: (e2e − ttft) / (output tokens − 1). */
  readonly tpot?: DurationInput;
  /** End-to-end latency. */
  readonly e2e?: DurationInput;
}

/** SLOs in milliseconds. */
export interface LlmSloMs {
  readonly ttft?: number;
  readonly tpot?: number;
  readonly e2e?: number;
}

/** `llm` in defineTest: test-wide settings of `ctx.llm`. */
export interface LlmOptions {
  /**
   * Base URL of an OpenAI-compatible API, up to and including `/v1`
   * (`http://127.0.0.1:8000/v1`). Default: the `LLM_BASE_URL` variable
   * (`-e` or the process environment), else the HTTP base URL + `/v1`.
   */
  baseUrl?: string;
  /** Model used when a call names none. */
  model?: string;
  /**
   * Name of the environment variable holding the API key (sent as
   * `Authorization: Bearer …`). Default `LLM_API_KEY`, then `OPENAI_API_KEY`.
   * Keys never appear in scripts, plans or results.
   */
  apiKeyEnv?: string;
  /** No response headers, or no bytes of the stream, for this long fails the request (default 120s). */
  timeout?: DurationInput;
  /** Extra request headers. */
  headers?: Readonly<Record<string, string>>;
  /** Per-model prices for `llm_cost_usd`; the key `*` applies to models not listed. */
  prices?: Readonly<Record<string, LlmPrice>>;
  /** Objectives for `llm_goodput` (per call `slo` replaces them). */
  slo?: LlmSlo;
  /** Ask for the token usage chunk with `stream_options.include_usage` (default true). */
  includeUsage?: boolean;
}

/** The resolved `llm` options, as workers get them. */
export interface LlmPlan {
  readonly baseUrl: string;
  readonly model: string;
  readonly apiKeyEnv: string;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly prices: Readonly<Record<string, LlmPrice>>;
  readonly slo: LlmSloMs | null;
  readonly includeUsage: boolean;
}

export const DEFAULT_LLM_PLAN: LlmPlan = Object.freeze({
  baseUrl: '',
  model: '',
  apiKeyEnv: 'LLM_API_KEY',
  timeoutMs: 120_000,
  headers: Object.freeze({}),
  prices: Object.freeze({}),
  slo: null,
  includeUsage: true,
});

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Check a price; returns an error message or null. */
export function priceError(p: unknown, where: string): string | null {
  if (typeof p !== 'object' || p === null) return `${where} must be { input, output } in USD per 1M tokens`;
  const { input, output } = p as { input?: unknown; output?: unknown };
  for (const [k, v] of [['input', input], ['output', output]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) return `${where}.${k} must be a number of USD per 1M tokens (>= 0), got ${shown(v)}`;
  }
  return null;
}

/** SLOs in ms; pushes an error per bad entry. */
export function sloMs(slo: LlmSlo | undefined, where: string, errors: string[]): LlmSloMs | null {
  if (slo === undefined) return null;
  if (typeof slo !== 'object' || slo === null) {
    errors.push(`${where} must be an object like { ttft: 500, tpot: 50, e2e: 5000 } (milliseconds)`);
    return null;
  }
  const out: { ttft?: number; tpot?: number; e2e?: number } = {};
  for (const key of Object.keys(slo)) {
    if (key !== 'ttft' && key !== 'tpot' && key !== 'e2e') {
      errors.push(`${where}.${key}: unknown objective (known: ttft, tpot, e2e)`);
      continue;
    }
    const v = slo[key];
    if (v === undefined) continue;
    try {
      out[key] = parseDuration(v, `${where}.${key}`);
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  return out;
}

function checkUrl(url: string, where: string, errors: string[]): void {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') errors.push(`${where}: "${url}" must be an http:// or https:// URL`);
  } catch {
    errors.push(`${where}: "${url}" is not a URL`);
  }
}

/** Validate `llm` options into a plan; every problem is pushed to `errors`. */
export function resolveLlmPlan(options: LlmOptions | undefined, errors: string[]): LlmPlan {
  if (options === undefined) return DEFAULT_LLM_PLAN;
  if (typeof options !== 'object' || options === null) {
    errors.push('llm must be an object of options');
    return DEFAULT_LLM_PLAN;
  }
  if ('apiKey' in options) errors.push('llm.apiKey: keep keys out of scripts; put the key in an environment variable and name it with llm.apiKeyEnv (default LLM_API_KEY)');
  let baseUrl = options.baseUrl ?? '';
  if (baseUrl !== '') checkUrl(baseUrl, 'llm.baseUrl', errors);
  if (baseUrl.endsWith('/')) baseUrl = baseUrl.slice(0, -1);
  const apiKeyEnv = options.apiKeyEnv ?? DEFAULT_LLM_PLAN.apiKeyEnv;
  if (!ENV_NAME.test(apiKeyEnv)) errors.push(`llm.apiKeyEnv: "${apiKeyEnv}" is not an environment variable name`);
  let timeoutMs = DEFAULT_LLM_PLAN.timeoutMs;
  if (options.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(options.timeout, 'llm.timeout');
    } catch (e) {
      errors.push((e as Error).message);
    }
  }
  const prices: Record<string, LlmPrice> = {};
  for (const [model, p] of Object.entries(options.prices ?? {})) {
    const err = priceError(p, `llm.prices["${model}"]`);
    if (err !== null) errors.push(err);
    else prices[model] = { input: p.input, output: p.output };
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.headers ?? {})) headers[k.toLowerCase()] = String(v);
  return {
    baseUrl,
    model: options.model ?? '',
    apiKeyEnv,
    timeoutMs,
    headers,
    prices,
    slo: sloMs(options.slo, 'llm.slo', errors),
    includeUsage: options.includeUsage ?? true,
  };
}
