import type { LlmPrice, LlmSloMs } from './options.ts';

/** Timings of one chat request, milliseconds from its start (definitions in docs/llm-metrics.md). */
export interface LlmTimings {
  /** Time to first token: start → first chunk carrying output. Null when no output chunk came, or the response was not streamed. */
  readonly ttft: number | null;
  /** Gaps between consecutive output chunks (vLLM's ITL), one per gap. */
  readonly itl: readonly number[];
  /** The gaps split per token (gap / k, k times, for a chunk of k tokens); null unless the server revealed every chunk's token count. */
  readonly itlPerToken: readonly number[] | null;
  /** (e2e − ttft) / (output tokens − 1); null with fewer than 2 output tokens or no ttft. */
  readonly tpot: number | null;
  /** Start → last output chunk (streamed), or → end of the body (not streamed, or no output chunk). */
  readonly e2e: number;
  /** Output tokens / (e2e / 1000); null when either is 0. */
  readonly tokensPerSecond: number | null;
  /** Start → response headers; null if none arrived. */
  readonly headers: number | null;
  /** Start → end of the response (after the usage chunk and `[DONE]`) or the failure. */
  readonly total: number;
}

export interface ChunkTimeline {
  readonly t0: number;
  /** Arrival times (performance.now()) of the output chunks. */
  readonly chunkTimes: readonly number[];
  /** Tokens per output chunk, when known exactly. */
  readonly chunkTokens: readonly number[] | null;
  readonly tHeaders: number;
  readonly tEnd: number;
  readonly streamed: boolean;
  readonly outputTokens: number;
}

/** Derive the request's timings from the client's own timestamps. */
export function timingsOf(t: ChunkTimeline): LlmTimings {
  const n = t.chunkTimes.length;
  const total = t.tEnd - t.t0;
  const headers = t.tHeaders === 0 ? null : t.tHeaders - t.t0;
  if (!t.streamed || n === 0) {
    return { ttft: null, itl: [], itlPerToken: null, tpot: null, e2e: total, tokensPerSecond: rate(t.outputTokens, total), headers, total };
  }
  const first = t.chunkTimes[0] as number;
  const last = t.chunkTimes[n - 1] as number;
  const ttft = first - t.t0;
  const e2e = last - t.t0;
  const itl: number[] = [];
  for (let i = 1; i < n; i++) itl.push((t.chunkTimes[i] as number) - (t.chunkTimes[i - 1] as number));
  let itlPerToken: number[] | null = null;
  if (t.chunkTokens !== null && t.chunkTokens.length === n) {
    itlPerToken = [];
    for (let i = 1; i < n; i++) {
      const k = t.chunkTokens[i] as number;
      const gap = itl[i - 1] as number;
      for (let j = 0; j < k; j++) itlPerToken.push(gap / k);
    }
  }
  const tpot = t.outputTokens >= 2 ? (e2e - ttft) / (t.outputTokens - 1) : null;
  return { ttft, itl, itlPerToken, tpot, e2e, tokensPerSecond: rate(t.outputTokens, e2e), headers, total };
}

function rate(tokens: number, ms: number): number | null {
  return tokens > 0 && ms > 0 ? tokens / (ms / 1000) : null;
}

/** USD for a request: (input × price.input + output × price.output) / 1,000,000. */
export function costOf(inputTokens: number, outputTokens: number, price: LlmPrice): number {
  return (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
}

/**
 * Whether a request met every objective: failed requests never do; a missing
 * TTFT (nothing streamed) is judged on e2e, the time the first token reached
 * the client with the rest; a missing TPOT (fewer than 2 tokens) meets its
 * objective, as in vLLM, where such requests have TPOT 0.
 */
export function meetsSlo(ok: boolean, timings: LlmTimings, slo: LlmSloMs): boolean {
  if (!ok) return false;
  if (slo.ttft !== undefined && (timings.ttft ?? timings.e2e) > slo.ttft) return false;
  if (slo.tpot !== undefined && (timings.tpot ?? 0) > slo.tpot) return false;
  if (slo.e2e !== undefined && timings.e2e > slo.e2e) return false;
  return true;
}

/**
 * A token estimate for text when the server gives no usage: one token per
 * 4 characters, rounded up (the rule of thumb OpenAI documents for English).
 */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}
