import { StringDecoder } from 'node:string_decoder';
import { createParser, type EventSourceParser } from 'eventsource-parser';

/** Token counts a server reported (`usage`); null fields were absent. */
export interface ReportedUsage {
  readonly prompt: number | null;
  readonly completion: number | null;
}

/** One chunk that carried output, as the client saw it. */
export interface OutputChunk {
  /** `performance.now()` when the bytes holding it arrived. */
  readonly at: number;
  /** Cumulative completion tokens on this chunk (vLLM's continuous_usage_stats), or null. */
  readonly usageCompletion: number | null;
  /** Tokens in `logprobs.content` (one entry per token), or null. */
  readonly logprobTokens: number | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const nonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';

export function usageOf(v: unknown): ReportedUsage | null {
  if (!isObject(v)) return null;
  const prompt = typeof v.prompt_tokens === 'number' ? v.prompt_tokens : null;
  const completion = typeof v.completion_tokens === 'number' ? v.completion_tokens : null;
  return prompt === null && completion === null ? null : { prompt, completion };
}

/** The message of an `{"error": …}` object (OpenAI and vLLM send one in-stream on failures). */
export function apiErrorOf(obj: Json): string | null {
  const e = obj.error;
  if (e === undefined || e === null) return null;
  if (typeof e === 'string') return e;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  return JSON.stringify(e);
}

/** The first choice (index 0) of a chunk; `choices` may be missing, null or empty. */
export function firstChoice(obj: Json): Json | null {
  const choices = obj.choices;
  if (!Array.isArray(choices) || choices.length === 0) return null;
  const c = choices.find((x) => isObject(x) && (x.index === undefined || x.index === 0)) ?? choices[0];
  return isObject(c) ? c : null;
}

/** The text a choice delta (or message) carries: content, plus reasoning text where servers send it. */
export function outputOf(part: Json | null): { content: string; other: boolean } {
  if (part === null) return { content: '', other: false };
  const content = typeof part.content === 'string' ? part.content : '';
  const other =
    nonEmptyString(part.reasoning_content) || nonEmptyString(part.reasoning) || (Array.isArray(part.tool_calls) && part.tool_calls.length > 0);
  return { content, other };
}

/**
 * Reads an OpenAI-style chat completion stream (`data: {chunk}` events, then
 * `data: [DONE]`) fed as raw bytes with their arrival times. Robust to what
 * servers send: a role-only first chunk, `choices` empty, null or missing,
 * `:` comment and keep-alive lines, events and UTF-8 characters split across
 * reads, a usage-only last chunk, in-stream error objects, lines that are
 * not JSON (counted in `malformed`).
 */
export class ChatStreamReader {
  readonly chunks: OutputChunk[] = [];
  text = '';
  finishReason: string | null = null;
  model: string | null = null;
  /** The last usage the stream reported (the usage chunk, or the last continuous one). */
  usage: ReportedUsage | null = null;
  /** `data: [DONE]` arrived. */
  done = false;
  /** Events whose data was not JSON. */
  malformed = 0;
  /** Message of an in-stream `{"error": …}`. */
  apiError: string | null = null;
  /** Events received (any kind). */
  events = 0;
  #at = 0;
  readonly #decoder = new StringDecoder('utf8');
  readonly #parser: EventSourceParser;

  constructor() {
    this.#parser = createParser({ onEvent: (e) => this.#event(e.data) });
  }

  feed(bytes: Buffer, at: number): void {
    this.#at = at;
    this.#parser.feed(this.#decoder.write(bytes));
  }

  /** The body ended: parse what is left (a last event without its blank line). */
  end(at: number): void {
    this.#at = at;
    const rest = this.#decoder.end();
    if (rest !== '') this.#parser.feed(rest);
    this.#parser.feed('\n\n');
  }

  #event(data: string): void {
    this.events++;
    const trimmed = data.trim();
    if (trimmed === '') return;
    if (trimmed === '[DONE]') {
      this.done = true;
      return;
    }
    let obj: unknown;
    try {
      obj = JSON.parse(trimmed);
    } catch {
      this.malformed++;
      return;
    }
    if (!isObject(obj)) {
      this.malformed++;
      return;
    }
    this.#chunk(obj);
  }

  #chunk(obj: Json): void {
    const err = apiErrorOf(obj);
    if (err !== null) {
      this.apiError ??= err;
      return;
    }
    if (typeof obj.model === 'string' && this.model === null) this.model = obj.model;
    const usage = usageOf(obj.usage);
    if (usage !== null) this.usage = usage;
    const choice = firstChoice(obj);
    if (choice === null) return;
    if (typeof choice.finish_reason === 'string') this.finishReason = choice.finish_reason;
    const delta = isObject(choice.delta) ? choice.delta : isObject(choice.message) ? choice.message : null;
    const out = outputOf(delta);
    // legacy completions stream: choices[0].text
    const text = out.content !== '' ? out.content : typeof choice.text === 'string' ? choice.text : '';
    if (text === '' && !out.other) return;
    this.text += text;
    const lp = isObject(choice.logprobs) && Array.isArray(choice.logprobs.content) ? choice.logprobs.content.length : null;
    this.chunks.push({ at: this.#at, usageCompletion: usage?.completion ?? null, logprobTokens: lp === 0 ? null : lp });
  }
}

/**
 * Tokens carried by each output chunk, when the stream says exactly:
 * differences of cumulative usage when every output chunk carries usage,
 * else logprobs entries when every output chunk carries them; null otherwise.
 */
export function tokensPerChunk(chunks: readonly OutputChunk[]): number[] | null {
  if (chunks.length === 0) return null;
  if (chunks.every((c) => c.usageCompletion !== null)) {
    const out: number[] = [];
    let prev: number | null = null;
    for (const c of chunks) {
      const cum = c.usageCompletion as number;
      // before the first output chunk the count is 0 (the role chunk carries none)
      const k = prev === null ? cum : cum - prev;
      if (!(k >= 1)) return null;
      out.push(k);
      prev = cum;
    }
    return out;
  }
  if (chunks.every((c) => c.logprobTokens !== null)) return chunks.map((c) => c.logprobTokens as number);
  return null;
}
