// The OpenAI chat-completions wire format, written by hand for speed: a
// stream writes one small string per token, built from a prefix computed once
// per request.
import { randomUUID } from 'node:crypto';

export const SYSTEM_FINGERPRINT = 'fp_agentload_mock';

export interface Usage { prompt_tokens: number; completion_tokens: number; total_tokens: number }

export function usage(inputTokens: number, outputTokens: number): Usage {
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

export function completionId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '')}`;
}

/** Builds the `data: …\n\n` lines of one streamed completion. */
export class ChunkWriter {
  private readonly head: string;
  private readonly tail: string;

  constructor(id: string, created: number, model: string, includeUsage: boolean) {
    this.head = `data: {"id":${JSON.stringify(id)},"object":"chat.completion.chunk","created":${created},`
      + `"model":${JSON.stringify(model)},"system_fingerprint":"${SYSTEM_FINGERPRINT}","choices":`;
    this.tail = includeUsage ? ',"usage":null}\n\n' : '}\n\n';
  }

  /** The first chunk: the assistant role with empty content. */
  role(): string {
    return `${this.head}[{"index":0,"delta":{"role":"assistant","content":"","refusal":null},"logprobs":null,"finish_reason":null}]${this.tail}`;
  }

  content(text: string): string {
    return `${this.head}[{"index":0,"delta":{"content":${JSON.stringify(text)}},"logprobs":null,"finish_reason":null}]${this.tail}`;
  }

  finish(reason: 'stop' | 'length'): string {
    return `${this.head}[{"index":0,"delta":{},"logprobs":null,"finish_reason":"${reason}"}]${this.tail}`;
  }

  /** The extra chunk sent with stream_options.include_usage: no choices, the totals. */
  usage(inputTokens: number, outputTokens: number): string {
    return `${this.head}[],"usage":${JSON.stringify(usage(inputTokens, outputTokens))}}\n\n`;
  }

  /** An error reported inside an already started stream. */
  static error(body: OpenAiErrorBody): string {
    return `data: ${JSON.stringify(body)}\n\n`;
  }

  static readonly DONE = 'data: [DONE]\n\n';
}

export interface ChatCompletion {
  id: string; object: 'chat.completion'; created: number; model: string; system_fingerprint: string;
  choices: { index: 0; message: { role: 'assistant'; content: string; refusal: null }; logprobs: null; finish_reason: 'stop' | 'length' }[];
  usage: Usage;
}

export function chatCompletion(
  id: string, created: number, model: string, text: string, finishReason: 'stop' | 'length', inputTokens: number, outputTokens: number,
): ChatCompletion {
  return {
    id, object: 'chat.completion', created, model, system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: finishReason }],
    usage: usage(inputTokens, outputTokens),
  };
}

export interface OpenAiErrorBody { error: { message: string; type: string; param: string | null; code: string | null } }

export function openAiError(message: string, type: string, param: string | null, code: string | null): OpenAiErrorBody {
  return { error: { message, type, param, code } };
}

/** The error `type` OpenAI uses for a status code. */
export function errorType(status: number): string {
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  if (status === 401) return 'authentication_error';
  return 'invalid_request_error';
}
