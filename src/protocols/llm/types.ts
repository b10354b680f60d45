import type { DurationInput } from '../../util/duration.ts';
import type { LlmTimings } from './measure.ts';
import type { LlmPrice, LlmSlo } from './options.ts';

/** A part of a multimodal message (`{ type: 'text', text }`, `{ type: 'image_url', image_url: { url } }`, …). */
export interface LlmContentPart {
  readonly type: string;
  readonly text?: string;
  readonly [key: string]: unknown;
}

/** A chat message as the OpenAI chat completions API takes it. */
export interface LlmChatMessage {
  readonly role: 'system' | 'developer' | 'user' | 'assistant' | 'tool';
  readonly content: string | readonly LlmContentPart[] | null;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: readonly unknown[];
}

/** `ctx.llm.chat()` parameters: the request body's fields, then agentload's. */
export interface LlmChatParams {
  /** Default: `llm.model` of the test. */
  model?: string;
  messages: readonly LlmChatMessage[];
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | readonly string[];
  seed?: number;
  /** Stream the answer (default true). Without streaming only e2e, tokens, cost and goodput are measured. */
  stream?: boolean;
  /** Ask for cumulative usage on every chunk (vLLM's `continuous_usage_stats`): exact tokens per chunk, so `llm_itl_token`. */
  continuousUsage?: boolean;
  /** Ask for logprobs: one entry per token, so exact tokens per chunk too. */
  logprobs?: boolean;
  /** More body fields, sent as given (tools, response_format, ignore_eos, …). */
  body?: Readonly<Record<string, unknown>>;

  /** The `name` tag of this request's metrics. */
  name?: string;
  /** Extra tags for this request's metrics. */
  tags?: Readonly<Record<string, string>>;
  /** Override the base URL (up to `/v1`). */
  baseUrl?: string;
  /** Path under the base URL (default `/chat/completions`). */
  path?: string;
  /** An API key for this call (default: from the variable `llm.apiKeyEnv` names). */
  apiKey?: string;
  headers?: Readonly<Record<string, string>>;
  /** No headers, or a stream silent, this long fails the call; without `stream`, a deadline for the whole response. */
  timeout?: DurationInput;
  /**
   * Largest response read, in bytes, the whole stream included (default: http.maxResponseBytes, 10 MiB;
   * 0 = no limit); past it the call fails with RESPONSE_TOO_LARGE.
   */
  maxResponseBytes?: number;
  /** Price for this call, replacing the price table's. */
  price?: LlmPrice;
  /** Objectives for this call, replacing `llm.slo`. */
  slo?: LlmSlo;
  /** `stream_options.include_usage` (default `llm.includeUsage`, true). */
  includeUsage?: boolean;
}

/** Token counts of a request and where they came from. */
export interface LlmUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** 'server': the response's `usage`; 'estimate': agentload's estimate (no usage came). */
  readonly source: 'server' | 'estimate';
}

/** What `ctx.llm.chat()` returns. Failures are results too (`ok: false` with an `errorCode`), never exceptions. */
export interface LlmChatResult {
  /** A 2xx status, the complete answer (`[DONE]` for a stream), no error object, every event JSON. */
  readonly ok: boolean;
  /** HTTP status (0 if none arrived). */
  readonly status: number;
  /** The `error_code` tag: HTTP_429, STREAM_INCOMPLETE, UND_ERR_HEADERS_TIMEOUT…; null when ok. */
  readonly errorCode: string | null;
  readonly error: string | null;
  /** The generated text (choice 0), as far as it came. */
  readonly text: string;
  readonly finishReason: string | null;
  /** The model the server says answered. */
  readonly model: string | null;
  readonly streamed: boolean;
  /** Output chunks received (chunks with content, reasoning or tool calls). */
  readonly chunks: number;
  readonly usage: LlmUsage;
  /** USD, when a price is known for the model. */
  readonly costUsd: number | null;
  /** Whether the request met every SLO; null when none is declared. */
  readonly goodput: boolean | null;
  readonly timings: LlmTimings;
}
