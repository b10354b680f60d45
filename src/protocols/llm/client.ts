import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import type { TagSet } from '../../metrics/tags.ts';
import { parseDuration } from '../../util/duration.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_USER_AGENT } from '../http/client.ts';
import { errorCodeOf } from '../http/error-codes.ts';
import type { VuScope } from '../vu-scope.ts';
import { apiErrorOf, ChatStreamReader, firstChoice, outputOf, tokensPerChunk, usageOf, type ReportedUsage } from './chat-stream.ts';
import { streamRequest } from './http-stream.ts';
import { costOf, estimateTokens, meetsSlo, timingsOf, type LlmTimings } from './measure.ts';
import { llmMetrics as M } from './metrics.ts';
import { DEFAULT_LLM_PLAN, priceError, sloMs, type LlmPlan, type LlmPrice, type LlmSloMs } from './options.ts';
import type { LlmChatMessage, LlmChatParams, LlmChatResult, LlmUsage } from './types.ts';

const STATUS_TEXT: string[] = [];
for (let i = 0; i < 1000; i++) STATUS_TEXT.push(String(i));

type Json = Record<string, unknown>;

function messageText(m: LlmChatMessage): string {
  if (typeof m.content === 'string') return m.content;
  if (Array.isArray(m.content)) return m.content.map((p) => (typeof p.text === 'string' ? p.text : '')).join('');
  return '';
}

function errorMessageOf(body: string, status: number): string {
  try {
    const obj = JSON.parse(body) as unknown;
    if (typeof obj === 'object' && obj !== null) {
      const m = apiErrorOf(obj as Json);
      if (m !== null) return `HTTP ${status}: ${m.slice(0, 500)}`;
    }
  } catch {
    // not JSON: use the text
  }
  return `HTTP ${status}${body === '' ? '' : `: ${body.slice(0, 500)}`}`;
}

interface Outcome {
  ok: boolean;
  errorCode: string | null;
  error: string | null;
  text: string;
  finishReason: string | null;
  model: string | null;
  streamed: boolean;
  chunkTimes: number[];
  chunkTokens: number[] | null;
  reported: ReportedUsage | null;
}

/**
 * `ctx.llm`: OpenAI-compatible chat completions with LLM metrics (TTFT, ITL,
 * TPOT, e2e, tokens, tokens/s, cost, goodput). Requests go through the VU's
 * undici agent; streams are read as they arrive, so timings are the wire's.
 */
export class LlmClient {
  constructor(
    private readonly scope: VuScope,
    private readonly dispatcher: Dispatcher,
    private readonly plan: LlmPlan = DEFAULT_LLM_PLAN,
    private readonly httpBaseUrl = '',
    /** http.maxResponseBytes: the largest response read, stream included (0 = no limit). */
    private readonly maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  ) {}

  /** The base URL calls use: `llm.baseUrl`, else LLM_BASE_URL, else the HTTP base URL + `/v1`. */
  get baseUrl(): string {
    if (this.plan.baseUrl !== '') return this.plan.baseUrl;
    const env = this.scope.env.LLM_BASE_URL ?? process.env.LLM_BASE_URL ?? '';
    if (env !== '') return env.replace(/\/$/, '');
    return this.httpBaseUrl === '' ? '' : `${this.httpBaseUrl}/v1`;
  }

  #apiKey(): string | undefined {
    const name = this.plan.apiKeyEnv;
    const v = this.scope.env[name] ?? process.env[name];
    if (v !== undefined && v !== '') return v;
    if (name === DEFAULT_LLM_PLAN.apiKeyEnv) {
      const o = this.scope.env.OPENAI_API_KEY ?? process.env.OPENAI_API_KEY;
      if (o !== undefined && o !== '') return o;
    }
    return undefined;
  }

  /** One chat completion (streamed unless `stream: false`); records the llm_* metrics and returns the measured result. */
  async chat(params: LlmChatParams): Promise<LlmChatResult> {
    if (typeof params !== 'object' || params === null) throw new TypeError('ctx.llm.chat(params): params must be an object with `messages`');
    if (!Array.isArray(params.messages) || params.messages.length === 0) throw new TypeError('ctx.llm.chat(): `messages` must be a non-empty array of { role, content }');
    const model = params.model ?? this.plan.model;
    if (typeof model !== 'string' || model === '') throw new TypeError('ctx.llm.chat(): no model: pass `model` or set llm.model in defineTest');
    const base = (params.baseUrl ?? this.baseUrl).replace(/\/$/, '');
    if (base === '') throw new TypeError('ctx.llm.chat(): no base URL: set llm.baseUrl in defineTest, the LLM_BASE_URL variable, or http.baseUrl');
    let price: LlmPrice | undefined;
    if (params.price !== undefined) {
      const err = priceError(params.price, 'ctx.llm.chat(): price');
      if (err !== null) throw new TypeError(err);
      price = params.price;
    }
    let slo: LlmSloMs | null = this.plan.slo;
    if (params.slo !== undefined) {
      const errors: string[] = [];
      slo = sloMs(params.slo, 'ctx.llm.chat(): slo', errors);
      if (errors.length > 0) throw new TypeError(errors.join('; '));
    }
    const timeoutMs = params.timeout === undefined ? this.plan.timeoutMs : parseDuration(params.timeout, 'ctx.llm.chat(): timeout');
    const maxBytes = params.maxResponseBytes ?? this.maxResponseBytes;
    if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new TypeError(`ctx.llm.chat(): maxResponseBytes must be a whole number of bytes >= 0 (0 = no limit), got ${String(maxBytes)}`);
    }
    const stream = params.stream ?? true;
    const includeUsage = params.includeUsage ?? this.plan.includeUsage;

    const body: Json = { model, messages: params.messages, stream };
    for (const k of ['max_tokens', 'max_completion_tokens', 'temperature', 'top_p', 'stop', 'seed'] as const) if (params[k] !== undefined) body[k] = params[k];
    if (stream && (includeUsage || params.continuousUsage === true)) {
      body.stream_options = params.continuousUsage === true ? { include_usage: true, continuous_usage_stats: true } : { include_usage: true };
    }
    if (params.logprobs === true) body.logprobs = true;
    if (params.body !== undefined) Object.assign(body, params.body);

    const headers: Record<string, string> = {
      'user-agent': DEFAULT_USER_AGENT,
      'content-type': 'application/json',
      accept: stream ? 'text/event-stream' : 'application/json',
      ...this.plan.headers,
    };
    const key = params.apiKey ?? this.#apiKey();
    if (key !== undefined) headers.authorization = `Bearer ${key}`;
    if (params.headers !== undefined) for (const [k, v] of Object.entries(params.headers)) headers[k.toLowerCase()] = v;

    const o = await this.#exchange(`${base}${params.path ?? '/chat/completions'}`, headers, JSON.stringify(body), timeoutMs, maxBytes, !stream);
    const { outcome, t0, tHeaders, tEnd, status } = o;

    const reported = outcome.reported;
    const inputEstimate = (): number => params.messages.reduce((n, m) => n + estimateTokens(messageText(m)), 0);
    const outputEstimate = (): number =>
      outcome.streamed ? (outcome.chunkTokens?.reduce((a, b) => a + b, 0) ?? outcome.chunkTimes.length) : estimateTokens(outcome.text);
    const fromServer = reported !== null && reported.prompt !== null && reported.completion !== null;
    const usage: LlmUsage = {
      inputTokens: reported?.prompt ?? inputEstimate(),
      outputTokens: reported?.completion ?? outputEstimate(),
      source: fromServer ? 'server' : 'estimate',
    };
    const timings = timingsOf({
      t0,
      chunkTimes: outcome.chunkTimes,
      chunkTokens: outcome.chunkTokens,
      tHeaders,
      tEnd,
      streamed: outcome.streamed,
      outputTokens: usage.outputTokens,
    });
    price ??= this.plan.prices[model] ?? (outcome.model === null ? undefined : this.plan.prices[outcome.model]) ?? this.plan.prices['*'];
    const costUsd = outcome.ok && price !== undefined ? costOf(usage.inputTokens, usage.outputTokens, price) : null;
    const goodput = slo === null ? null : meetsSlo(outcome.ok, timings, slo);

    this.#record(params, model, status, outcome, usage, timings, costUsd, goodput);
    return {
      ok: outcome.ok,
      status,
      errorCode: outcome.errorCode,
      error: outcome.error,
      text: outcome.text,
      finishReason: outcome.finishReason,
      model: outcome.model,
      streamed: outcome.streamed,
      chunks: outcome.chunkTimes.length,
      usage,
      costUsd,
      goodput,
      timings,
    };
  }

  async #exchange(
    url: string,
    headers: Record<string, string>,
    body: string,
    timeoutMs: number,
    maxBytes: number,
    wholeTimeout: boolean,
  ): Promise<{ outcome: Outcome; t0: number; tHeaders: number; tEnd: number; status: number }> {
    let reader: ChatStreamReader | null = null;
    // bounded: streamRequest stops reading past maxBytes (RESPONSE_TOO_LARGE)
    const raw: Buffer[] = [];
    const res = await streamRequest(this.scope, this.dispatcher, { url, method: 'POST', headers, body, timeoutMs, wholeTimeout, maxBytes }, {
      onStart(status: number, h: IncomingHttpHeaders) {
        const type = String(h['content-type'] ?? '');
        if (status >= 200 && status < 300 && type.includes('text/event-stream')) reader = new ChatStreamReader();
      },
      onData(chunk: Buffer, at: number) {
        if (reader !== null) reader.feed(chunk, at);
        else raw.push(chunk);
      },
    });
    const r = reader as ChatStreamReader | null;
    const base: Outcome = {
      ok: false,
      errorCode: null,
      error: null,
      text: '',
      finishReason: null,
      model: null,
      streamed: r !== null,
      chunkTimes: [],
      chunkTokens: null,
      reported: null,
    };
    const out = { t0: res.t0, tHeaders: res.tHeaders, tEnd: res.tEnd, status: res.status };
    if (r !== null) {
      if (res.error === null) r.end(res.tEnd);
      base.text = r.text;
      base.finishReason = r.finishReason;
      base.model = r.model;
      base.chunkTimes = r.chunks.map((c) => c.at);
      base.chunkTokens = tokensPerChunk(r.chunks);
      base.reported = r.usage;
    }
    const fail = (code: string, message: string): { outcome: Outcome; t0: number; tHeaders: number; tEnd: number; status: number } => ({
      ...out,
      outcome: { ...base, errorCode: code, error: message },
    });
    if (res.error !== null) return fail(errorCodeOf(res.error), res.error.message);
    if (res.status < 200 || res.status >= 300) return fail(`HTTP_${res.status}`, errorMessageOf(Buffer.concat(raw).toString('utf8'), res.status));
    if (r !== null) {
      if (r.apiError !== null) return fail('API_ERROR', `the stream carried an error: ${r.apiError.slice(0, 500)}`);
      if (!r.done) return fail('STREAM_INCOMPLETE', `the stream ended before data: [DONE] (${r.chunks.length} output chunks received)`);
      if (r.malformed > 0) return fail('INVALID_CHUNK', `${r.malformed} event(s) of the stream were not JSON`);
      return { ...out, outcome: { ...base, ok: true } };
    }
    return { ...out, outcome: parseCompletion(Buffer.concat(raw).toString('utf8'), base) };
  }

  #record(
    params: LlmChatParams,
    model: string,
    status: number,
    o: Outcome,
    usage: LlmUsage,
    t: LlmTimings,
    costUsd: number | null,
    goodput: boolean | null,
  ): void {
    const store = this.scope.store;
    let tags: TagSet = this.scope.tags.with('model', model);
    const name = params.name ?? params.tags?.name;
    if (name !== undefined) tags = tags.with('name', name);
    if (params.tags !== undefined) for (const k in params.tags) if (k !== 'name') tags = tags.with(k, params.tags[k] as string);
    let reqTags = tags.with('status', STATUS_TEXT[status] ?? String(status));
    if (!o.ok) reqTags = reqTags.with('error_code', o.errorCode ?? 'UNKNOWN');
    store.add(M.llm_requests, reqTags, 1);
    if (goodput !== null) store.add(M.llm_goodput, tags, goodput ? 1 : 0);
    if (!o.ok) {
      store.add(M.llm_errors, reqTags, 1);
      return;
    }
    if (t.ttft !== null) store.add(M.llm_ttft, tags, t.ttft);
    for (const gap of t.itl) store.add(M.llm_itl, tags, gap);
    if (t.itlPerToken !== null) for (const gap of t.itlPerToken) store.add(M.llm_itl_token, tags, gap);
    if (t.tpot !== null) store.add(M.llm_tpot, tags, t.tpot);
    store.add(M.llm_e2e, tags, t.e2e);
    const counted = tags.with('token_count', usage.source);
    store.add(M.llm_input_tokens, counted, usage.inputTokens);
    store.add(M.llm_output_tokens, counted, usage.outputTokens);
    if (t.tokensPerSecond !== null) store.add(M.llm_tokens_per_second, tags, t.tokensPerSecond);
    if (costUsd !== null) store.add(M.llm_cost_usd, tags, costUsd);
  }
}

/** A non-streamed chat completion (or a stream the server answered as one JSON body). */
function parseCompletion(text: string, base: Outcome): Outcome {
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    return { ...base, errorCode: 'INVALID_RESPONSE', error: `the response is neither an event stream nor JSON: ${text.slice(0, 200)}` };
  }
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { ...base, errorCode: 'INVALID_RESPONSE', error: 'the response is not a JSON object' };
  const j = obj as Json;
  const apiError = apiErrorOf(j);
  if (apiError !== null) return { ...base, errorCode: 'API_ERROR', error: apiError.slice(0, 500) };
  const choice = firstChoice(j);
  if (choice === null) return { ...base, errorCode: 'INVALID_RESPONSE', error: 'the response has no choices' };
  const message = typeof choice.message === 'object' && choice.message !== null ? (choice.message as Json) : null;
  const out = outputOf(message);
  return {
    ...base,
    ok: true,
    text: out.content !== '' ? out.content : typeof choice.text === 'string' ? choice.text : '',
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    model: typeof j.model === 'string' ? j.model : null,
    reported: usageOf(j.usage),
  };
}
