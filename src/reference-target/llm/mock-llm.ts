// The reference target's mock LLM: a cost-free stand-in for a model server
// with realistic timing (time to first token, inter-token latency), output
// length spread, a concurrency limit past which requests queue (so load shows
// a saturation knee), injected 429/500 errors and a seed for repeatable runs.
//
// Timing model, per request:
//   1. 429 (injected) fails at once, before queueing — like a rate limiter.
//   2. The request waits for a free slot (FIFO) when `concurrency` are busy.
//   3. From the moment it holds a slot (t0), token k (k = 0, 1, …) is due at
//      t0 + TTFT + ITL_1 + … + ITL_k, each value drawn from a lognormal with
//      the configured mean and spread. Tokens are scheduled against these
//      target times, so timer lateness never accumulates.
//   4. 500 (injected) fails when the first token would have been due.
import { REAL_CLOCK } from './clock.ts';
import type { LlmClock } from './clock.ts';
import { Prng, hashString, mixSeeds } from './prng.ts';
import { SlotQueue, abortReason } from './slot-queue.ts';
import { WordSequence } from './vocabulary.ts';

export interface MockLlmOptions {
  /** Time to first token: mean and spread (standard deviation), milliseconds. */
  ttftMs: number; ttftSpreadMs: number;
  /** Inter-token latency: mean and spread (standard deviation), milliseconds. */
  itlMs: number; itlSpreadMs: number;
  /** Output length in tokens: normal(mean, spread), at least 1, at most maxOutputTokens. */
  outputTokensMean: number; outputTokensSpread: number; maxOutputTokens: number;
  /** Max requests generating at once; beyond it they queue in arrival order (0 = unlimited). */
  concurrency: number;
  /** Share of requests failing with an injected error (half 429, half 500). */
  errorRate: number;
  /** Seed of the pseudo-random generator, so that runs repeat. */
  seed: number;
  /** Served model ids; the first is the default. */
  models: readonly string[];
}

export const DEFAULT_MOCK_LLM_OPTIONS: MockLlmOptions = Object.freeze({
  ttftMs: 300, ttftSpreadMs: 60,
  itlMs: 20, itlSpreadMs: 5,
  outputTokensMean: 40, outputTokensSpread: 12, maxOutputTokens: 1024,
  concurrency: 32,
  errorRate: 0,
  seed: 1,
  models: Object.freeze(['agentload-mock', 'agentload-mock-mini']),
});

export interface LlmMessage { role: 'system' | 'user' | 'assistant' | 'tool'; content: string }
export interface LlmRequest {
  model?: string; messages: readonly LlmMessage[]; maxTokens?: number;
  /** Generate until the length limit, never stopping early (as vLLM's ignore_eos; benchmarks use it to fix lengths). */
  ignoreEos?: boolean;
}
export type LlmEvent =
  | { type: 'token'; text: string }
  | { type: 'done'; finishReason: 'stop' | 'length'; inputTokens: number; outputTokens: number };

export interface LlmCompletion {
  text: string; inputTokens: number; outputTokens: number; finishReason: 'stop' | 'length'; model: string;
}

export interface LlmStats { active: number; queued: number; completed: number; failed: number; outputTokens: number }

/** An error the mock LLM reports: injected (429, 500), unknown model (404) or bad request (400). */
export class MockLlmError extends Error {
  readonly status: 429 | 500 | 400 | 404;
  /** Stable code, as OpenAI spells it: rate_limit_exceeded, server_error, model_not_found, invalid_value. */
  readonly code: string;
  /** The request field at fault (400, 404), or null. */
  readonly param: string | null;

  constructor(status: 429 | 500 | 400 | 404, code: string, message: string, param: string | null = null) {
    super(message);
    this.name = 'MockLlmError';
    this.status = status;
    this.code = code;
    this.param = param;
  }
}

const ROLES: ReadonlySet<string> = new Set(['system', 'user', 'assistant', 'tool']);

/**
 * Prompt size in tokens, estimated as OpenAI's cookbook counts chat messages:
 * 3 tokens of framing per message, plus ceil(characters / 4) for its content,
 * plus 3 tokens priming the reply.
 */
export function estimateInputTokens(messages: readonly LlmMessage[]): number {
  let tokens = 3;
  for (const m of messages) tokens += 3 + Math.ceil(m.content.length / 4);
  return tokens;
}

interface Plan {
  model: string;
  error: MockLlmError | undefined;
  rng: Prng;
  words: WordSequence;
  ttftMs: number;
  outputTokens: number;
  finishReason: 'stop' | 'length';
  inputTokens: number;
}

export class MockLlm {
  readonly options: MockLlmOptions;
  private readonly slots: SlotQueue;
  private requestIndex = 0;
  private completedCount = 0;
  private failedCount = 0;
  private outputTokenCount = 0;
  private readonly clock: LlmClock;

  /** `clock` replaces real time, e.g. with a VirtualClock to run a schedule in simulated time. */
  constructor(options: Partial<MockLlmOptions> = {}, clock: LlmClock = REAL_CLOCK) {
    this.options = resolveOptions(options);
    this.slots = new SlotQueue(this.options.concurrency);
    this.clock = clock;
  }

  /**
   * Streams tokens with the configured timings; waits for a concurrency slot
   * first; throws MockLlmError (injected error, unknown model, bad request)
   * before the first token; stops early when signal aborts, throwing the
   * signal's reason (an AbortError by default). A consumer that stops
   * iterating early must call `return()` (a `break` in for-await does) to
   * free the slot. Token event objects are shared and frozen.
   */
  stream(request: LlmRequest, signal?: AbortSignal): AsyncIterable<LlmEvent> {
    const plan = this.plan(request); // draws happen in call order, so a seed repeats a run
    return { [Symbol.asyncIterator]: () => this.generate(plan, signal) };
  }

  /** Whole answer. */
  async complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmCompletion> {
    const parts: string[] = [];
    for await (const event of this.stream(request, signal)) {
      if (event.type === 'token') {
        parts.push(event.text);
      } else {
        return {
          text: parts.join(''), inputTokens: event.inputTokens, outputTokens: event.outputTokens,
          finishReason: event.finishReason, model: request.model ?? this.defaultModel,
        };
      }
    }
    throw new Error('mock LLM stream ended without a done event'); // unreachable: generate() always ends with done or throws
  }

  /** For /metrics and analytics. completed + failed + active + queued = requests whose stream has started. */
  stats(): LlmStats {
    return {
      active: this.slots.active, queued: this.slots.queued,
      completed: this.completedCount, failed: this.failedCount, outputTokens: this.outputTokenCount,
    };
  }

  /** The default model id (the first of `options.models`). */
  get defaultModel(): string {
    return this.options.models[0] as string;
  }

  private plan(request: LlmRequest): Plan {
    const o = this.options;
    const rng = new Prng(mixSeeds(o.seed >>> 0, this.requestIndex++));
    const model = request.model ?? this.defaultModel;
    let error = validateRequest(request, o.models);
    const messages = error ? [] : request.messages;
    if (!error && o.errorRate > 0 && rng.next() < o.errorRate) {
      error = rng.next() < 0.5
        ? new MockLlmError(429, 'rate_limit_exceeded', 'Rate limit reached (injected by the mock LLM).')
        : new MockLlmError(500, 'server_error', 'The server had an error while processing your request (injected by the mock LLM).');
    }
    const cap = Math.min(o.maxOutputTokens, request.maxTokens ?? Number.POSITIVE_INFINITY);
    const drawn = Math.max(1, Math.round(o.outputTokensMean + o.outputTokensSpread * rng.normal()));
    const natural = request.ignoreEos === true ? Number.POSITIVE_INFINITY : drawn;
    const outputTokens = Math.min(natural, cap);
    const finishReason = natural > cap ? 'length' : 'stop';
    let textSeed = hashString(model, o.seed >>> 0);
    for (const m of messages) textSeed = hashString(m.content, hashString(m.role, textSeed));
    return {
      model, error, rng, outputTokens, finishReason,
      words: new WordSequence(new Prng(textSeed), outputTokens, finishReason === 'stop'),
      ttftMs: rng.positive(o.ttftMs, o.ttftSpreadMs),
      inputTokens: error ? 0 : estimateInputTokens(messages),
    };
  }

  private async *generate(plan: Plan, signal: AbortSignal | undefined): AsyncGenerator<LlmEvent, void, undefined> {
    let finished = false;
    let holdsSlot = false;
    const pacer = new Pacer(this.clock, signal);
    try {
      if (plan.error && plan.error.status !== 500) throw plan.error;
      await this.slots.acquire(signal);
      holdsSlot = true;
      let due = this.clock.now() + plan.ttftMs;
      if (plan.error) {
        await pacer.until(due);
        throw plan.error;
      }
      const { itlMs, itlSpreadMs } = this.options;
      for (let i = 0; i < plan.outputTokens; i++) {
        const wait = pacer.until(due);
        if (wait) await wait;
        pacer.check();
        this.outputTokenCount++;
        yield plan.words.next();
        due += plan.rng.positive(itlMs, itlSpreadMs);
      }
      pacer.check();
      finished = true;
      yield { type: 'done', finishReason: plan.finishReason, inputTokens: plan.inputTokens, outputTokens: plan.outputTokens };
    } finally {
      pacer.dispose();
      if (holdsSlot) this.slots.release();
      if (finished) this.completedCount++;
      else this.failedCount++;
    }
  }
}

/**
 * Waits for target times, rejecting as soon as the signal aborts. One per
 * request: the abort listener is added once, not per token. When a token is
 * already due it returns without a timer, yielding to the event loop every
 * 128 such tokens so that zero-latency streams cannot starve I/O.
 */
class Pacer {
  private readonly clock: LlmClock;
  private readonly signal: AbortSignal | undefined;
  private timer: unknown;
  private resolveWait: (() => void) | undefined;
  private rejectWait: ((reason: unknown) => void) | undefined;
  private sinceYield = 0;

  constructor(clock: LlmClock, signal: AbortSignal | undefined) {
    this.clock = clock;
    this.signal = signal;
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** A promise to await when `due` is still ahead (or a turn of the event loop is owed), else undefined. */
  until(due: number): Promise<void> | undefined {
    this.check();
    const delay = due - this.clock.now();
    if (delay >= 1) {
      this.sinceYield = 0;
      return new Promise<void>((resolve, reject) => {
        this.resolveWait = resolve;
        this.rejectWait = reject;
        this.timer = this.clock.setTimer(this.onTimer, delay);
      });
    }
    if (++this.sinceYield < 128) return undefined;
    this.sinceYield = 0;
    return new Promise<void>((resolve) => setImmediate(resolve));
  }

  check(): void {
    if (this.signal?.aborted) throw abortReason(this.signal);
  }

  dispose(): void {
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private readonly onTimer = (): void => {
    const resolve = this.resolveWait;
    this.resolveWait = this.rejectWait = this.timer = undefined;
    resolve?.();
  };

  private readonly onAbort = (): void => {
    const reject = this.rejectWait;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.resolveWait = this.rejectWait = this.timer = undefined;
    if (reject && this.signal) reject(abortReason(this.signal));
  };
}

function validateRequest(request: LlmRequest, models: readonly string[]): MockLlmError | undefined {
  const bad = (param: string, message: string): MockLlmError => new MockLlmError(400, 'invalid_value', message, param);
  if (typeof request !== 'object' || request === null) return bad('messages', 'The request must be an object with a messages array.');
  if (request.model !== undefined && (typeof request.model !== 'string' || !models.includes(request.model))) {
    return new MockLlmError(404, 'model_not_found', `The model '${String(request.model)}' does not exist. Served models: ${models.join(', ')}.`, 'model');
  }
  if (!Array.isArray(request.messages) || request.messages.length === 0) {
    return bad('messages', "'messages' must be a non-empty array.");
  }
  for (let i = 0; i < request.messages.length; i++) {
    const m: unknown = request.messages[i];
    if (typeof m !== 'object' || m === null) return bad(`messages[${i}]`, `'messages[${i}]' must be an object.`);
    const { role, content } = m as { role?: unknown; content?: unknown };
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return bad(`messages[${i}].role`, `'messages[${i}].role' must be one of system, user, assistant, tool.`);
    }
    if (typeof content !== 'string') return bad(`messages[${i}].content`, `'messages[${i}].content' must be a string.`);
  }
  if (request.maxTokens !== undefined && !(Number.isInteger(request.maxTokens) && request.maxTokens >= 1)) {
    return bad('max_tokens', `'max_tokens' must be an integer of at least 1 (got ${String(request.maxTokens)}).`);
  }
  return undefined;
}

function resolveOptions(input: Partial<MockLlmOptions>): MockLlmOptions {
  const merged: MockLlmOptions = { ...DEFAULT_MOCK_LLM_OPTIONS };
  for (const [key, value] of Object.entries(input) as [keyof MockLlmOptions, unknown][]) {
    if (!(key in DEFAULT_MOCK_LLM_OPTIONS)) throw new TypeError(`unknown mock LLM option "${key}"`);
    if (value !== undefined) (merged as unknown as Record<string, unknown>)[key] = value;
  }
  const problems: string[] = [];
  const numeric: (keyof MockLlmOptions)[] = ['ttftMs', 'ttftSpreadMs', 'itlMs', 'itlSpreadMs', 'outputTokensMean', 'outputTokensSpread'];
  for (const key of numeric) {
    const v = merged[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) problems.push(`"${key}" must be a finite number >= 0 (got ${String(v)})`);
  }
  if (!Number.isInteger(merged.maxOutputTokens) || merged.maxOutputTokens < 1) {
    problems.push(`"maxOutputTokens" must be an integer >= 1 (got ${String(merged.maxOutputTokens)})`);
  }
  if (!Number.isInteger(merged.concurrency) || merged.concurrency < 0) {
    problems.push(`"concurrency" must be an integer >= 0, 0 meaning unlimited (got ${String(merged.concurrency)})`);
  }
  if (typeof merged.errorRate !== 'number' || !(merged.errorRate >= 0 && merged.errorRate <= 1)) {
    problems.push(`"errorRate" must be a number from 0 to 1 (got ${String(merged.errorRate)})`);
  }
  if (!Number.isSafeInteger(merged.seed)) problems.push(`"seed" must be an integer (got ${String(merged.seed)})`);
  const models: unknown = merged.models;
  if (!Array.isArray(models) || models.length === 0 || models.some((m) => typeof m !== 'string' || m.trim() === '')) {
    problems.push('"models" must be a non-empty list of non-empty model ids');
  } else if (new Set(models).size !== models.length) {
    problems.push('"models" must not repeat a model id');
  }
  if (problems.length > 0) throw new RangeError(`invalid mock LLM options: ${problems.join('; ')}`);
  return Object.freeze({ ...merged, models: Object.freeze([...merged.models]) });
}
