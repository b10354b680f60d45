// The mock LLM as a library: repeatability, token accounting, output lengths,
// error injection, latency knobs (on the simulated schedule, in virtual time),
// the concurrency limit and aborts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_MOCK_LLM_OPTIONS, MockLlm, MockLlmError, estimateInputTokens } from '../../src/reference-target/llm/mock-llm.ts';
import type { LlmEvent, LlmRequest, MockLlmOptions } from '../../src/reference-target/llm/mock-llm.ts';
import { VirtualClock } from '../../src/reference-target/llm/clock.ts';
import { Prng } from '../../src/reference-target/llm/prng.ts';

const ask = (content: string, extra: Partial<LlmRequest> = {}): LlmRequest => ({ messages: [{ role: 'user', content }], ...extra });
const instant: Partial<MockLlmOptions> = { ttftMs: 0, ttftSpreadMs: 0, itlMs: 0, itlSpreadMs: 0 };

async function collect(llm: MockLlm, request: LlmRequest, signal?: AbortSignal): Promise<LlmEvent[]> {
  const events: LlmEvent[] = [];
  for await (const e of llm.stream(request, signal)) events.push(e);
  return events;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: readonly number[]): number => {
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
};

test('defaults: ttft 300 ms and itl 20 ms, first model is the default', async () => {
  assert.equal(DEFAULT_MOCK_LLM_OPTIONS.ttftMs, 300);
  assert.equal(DEFAULT_MOCK_LLM_OPTIONS.itlMs, 20);
  const llm = new MockLlm(instant);
  const r = await llm.complete(ask('hi'));
  assert.equal(r.model, DEFAULT_MOCK_LLM_OPTIONS.models[0]);
});

test('the same seed repeats the same answers; another seed does not', async () => {
  const run = async (seed: number): Promise<string[]> => {
    const llm = new MockLlm({ ...instant, seed });
    const out: string[] = [];
    for (const prompt of ['plan a trip', 'summarise run 42', 'plan a trip', 'what failed?']) {
      const r = await llm.complete(ask(prompt));
      out.push(`${r.outputTokens}|${r.finishReason}|${r.text}`);
    }
    return out;
  };
  const a = await run(7);
  assert.deepEqual(await run(7), a);
  assert.notDeepEqual(await run(8), a);
  for (const answer of a) assert.match(answer.split('|')[2] as string, /^[A-Z][a-z]+(,? [A-Za-z]+[.,]?)*$/, 'reads like words');
});

test('token accounting: one token per event, input tokens estimated from the messages', async () => {
  const llm = new MockLlm(instant);
  const messages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'hello world!' }] as const;
  const events = await collect(llm, { messages });
  const done = events.at(-1);
  assert.ok(done && done.type === 'done');
  const tokens = events.filter((e) => e.type === 'token');
  assert.equal(done.outputTokens, tokens.length);
  // 3 priming + (3 + ceil(14/4)=4) + (3 + ceil(12/4)=3)
  assert.equal(estimateInputTokens(messages), 16);
  assert.equal(done.inputTokens, 16);
  assert.equal(llm.stats().outputTokens, tokens.length);
  assert.ok(tokens.every((t) => t.type === 'token' && /^ ?[A-Za-z]+[.,]?$/.test(t.text)), 'each token is one word');
});

test('output length follows the mean and spread, capped by maxTokens / maxOutputTokens', async () => {
  const llm = new MockLlm({ ...instant, outputTokensMean: 40, outputTokensSpread: 12, maxOutputTokens: 60, seed: 3 });
  const lengths: number[] = [];
  let cappedByServer = 0;
  for (let i = 0; i < 400; i++) {
    const r = await llm.complete(ask(`q${i}`));
    assert.ok(r.outputTokens >= 1 && r.outputTokens <= 60);
    if (r.finishReason === 'length') {
      assert.equal(r.outputTokens, 60);
      cappedByServer++;
    }
    lengths.push(r.outputTokens);
  }
  assert.ok(Math.abs(mean(lengths) - 40) < 2, `mean ${mean(lengths)}`);
  assert.ok(Math.abs(std(lengths) - 12) < 2, `std ${std(lengths)}`);
  assert.ok(cappedByServer > 0 && cappedByServer < 30, `P(len > 60) is about 5%: ${cappedByServer}`);

  const short = await llm.complete(ask('x', { maxTokens: 3 }));
  assert.equal(short.outputTokens, 3);
  assert.equal(short.finishReason, 'length');
  const fixed = await llm.complete(ask('x', { maxTokens: 25, ignoreEos: true }));
  assert.deepEqual([fixed.outputTokens, fixed.finishReason], [25, 'length']);
});

test('injected errors: about errorRate of the requests, half 429 and half 500, thrown before the first token', async () => {
  const llm = new MockLlm({ ...instant, errorRate: 0.25, seed: 11 });
  const counts = { ok: 0, 429: 0, 500: 0 };
  for (let i = 0; i < 400; i++) {
    const events: LlmEvent[] = [];
    try {
      for await (const e of llm.stream(ask(`r${i}`))) events.push(e);
      counts.ok++;
    } catch (error) {
      assert.ok(error instanceof MockLlmError);
      assert.equal(events.length, 0, 'no token before the error');
      assert.ok(error.status === 429 || error.status === 500);
      assert.equal(error.code, error.status === 429 ? 'rate_limit_exceeded' : 'server_error');
      counts[error.status]++;
    }
  }
  const failed = counts[429] + counts[500];
  // Binomial(400, 0.25): mean 100, sd 8.7 — allow ±3.5 sd.
  assert.ok(failed >= 70 && failed <= 130, `failed ${failed}`);
  assert.ok(counts[429] >= 30 && counts[500] >= 30, JSON.stringify(counts));
  const s = llm.stats();
  assert.deepEqual([s.completed, s.failed, s.active, s.queued], [counts.ok, failed, 0, 0]);
});

test('bad requests and unknown models fail with 400 / 404 naming the field', async () => {
  const llm = new MockLlm(instant);
  const fails = async (request: unknown, status: number, param: string): Promise<void> => {
    await assert.rejects(collect(llm, request as LlmRequest), (e: unknown) => e instanceof MockLlmError && e.status === status && e.param === param);
  };
  await fails({ messages: [] }, 400, 'messages');
  await fails({ messages: [{ role: 'robot', content: 'x' }] }, 400, 'messages[0].role');
  await fails({ messages: [{ role: 'user', content: 3 }] }, 400, 'messages[0].content');
  await fails({ ...ask('x'), maxTokens: 0 }, 400, 'max_tokens');
  await fails({ ...ask('x'), model: 'gpt-nope' }, 404, 'model');
  assert.equal(llm.stats().failed, 5);
});

test('options are validated, naming every bad one', () => {
  assert.throws(() => new MockLlm({ itlMs: -1, errorRate: 2, concurrency: 1.5, models: [] }), (e: unknown) => {
    const m = (e as Error).message;
    return e instanceof RangeError && ['"itlMs"', '"errorRate"', '"concurrency"', '"models"'].every((k) => m.includes(k));
  });
  assert.throws(() => new MockLlm({ nope: 1 } as Partial<MockLlmOptions>), /unknown mock LLM option "nope"/);
  assert.equal(new MockLlm({ ttftMs: undefined }).options.ttftMs, 300, 'undefined keeps the default');
});

test('lognormal draws keep the configured mean and spread', () => {
  const rng = new Prng(5);
  const xs = Array.from({ length: 20_000 }, () => rng.positive(300, 60));
  assert.ok(Math.abs(mean(xs) - 300) < 3, `mean ${mean(xs)}`);
  assert.ok(Math.abs(std(xs) - 60) < 3, `std ${std(xs)}`);
  assert.ok(xs.every((x) => x > 0));
  assert.equal(rng.positive(20, 0), 20);
  assert.equal(rng.positive(0, 5), 0);
});

test('latency knobs: TTFT and ITL measured on the simulated schedule match mean and spread', async () => {
  const clock = new VirtualClock();
  const llm = new MockLlm({ ttftMs: 300, ttftSpreadMs: 60, itlMs: 20, itlSpreadMs: 5, concurrency: 0, seed: 9 }, clock);
  const ttfts: number[] = [];
  const itls: number[] = [];
  const e2es: number[] = [];
  const consume = async (i: number): Promise<void> => {
    const start = clock.now();
    let last = Number.NaN;
    for await (const e of llm.stream(ask(`p${i}`))) {
      const t = clock.now();
      if (e.type !== 'token') continue;
      if (Number.isNaN(last)) ttfts.push(t - start);
      else itls.push(t - last);
      last = t;
    }
    e2es.push(clock.now() - start);
  };
  const all = Promise.all(Array.from({ length: 300 }, (_, i) => consume(i)));
  await clock.run();
  await all;
  assert.equal(ttfts.length, 300);
  assert.ok(Math.abs(mean(ttfts) - 300) < 12, `ttft mean ${mean(ttfts)}`);
  assert.ok(Math.abs(std(ttfts) - 60) < 10, `ttft std ${std(ttfts)}`);
  assert.ok(itls.length > 5000);
  assert.ok(Math.abs(mean(itls) - 20) < 0.5, `itl mean ${mean(itls)}`);
  assert.ok(Math.abs(std(itls) - 5) < 0.5, `itl std ${std(itls)}`);
  // End to end = TTFT + (tokens − 1) × ITL on average: 300 + 39 × 20 with the default 40-token answers.
  assert.ok(Math.abs(mean(e2es) - (300 + (itls.length / 300) * 20)) < 15, `e2e mean ${mean(e2es)}`);
});

test('concurrency limit: requests past it queue in arrival order (virtual time, exact waves)', async () => {
  const clock = new VirtualClock();
  const llm = new MockLlm({ ttftMs: 100, ttftSpreadMs: 0, itlMs: 10, itlSpreadMs: 0, outputTokensMean: 10, outputTokensSpread: 0, concurrency: 2 }, clock);
  const finished: number[] = [];
  let maxActive = 0;
  let maxQueued = 0;
  const one = async (i: number): Promise<void> => {
    for await (const _ of llm.stream(ask(`c${i}`))) {
      maxActive = Math.max(maxActive, llm.stats().active);
      maxQueued = Math.max(maxQueued, llm.stats().queued);
    }
    finished.push(clock.now());
  };
  const all = Promise.all(Array.from({ length: 6 }, (_, i) => one(i)));
  await clock.run();
  await all;
  // Each answer takes 100 + 9 × 10 = 190 ms once it holds a slot: three waves of two.
  assert.deepEqual(finished, [190, 190, 380, 380, 570, 570]);
  assert.equal(maxActive, 2);
  assert.equal(maxQueued, 4);
  assert.deepEqual(llm.stats(), { active: 0, queued: 0, completed: 6, failed: 0, outputTokens: 60 });
});

test('concurrency limit in real time: active never exceeds 2 while 6 requests run', async () => {
  const llm = new MockLlm({ ttftMs: 5, ttftSpreadMs: 0, itlMs: 2, itlSpreadMs: 0, outputTokensMean: 8, outputTokensSpread: 0, concurrency: 2 });
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(llm.stats().active), 1);
  const runs = Array.from({ length: 6 }, (_, i) => llm.complete(ask(`s${i}`)));
  samples.push(llm.stats().active);
  assert.equal(llm.stats().queued + llm.stats().active, 6);
  await Promise.all(runs);
  clearInterval(sampler);
  assert.ok(samples.length > 0);
  assert.ok(Math.max(...samples) <= 2, `max active ${Math.max(...samples)}`);
  assert.ok(samples.includes(2), 'the limit was reached');
  assert.equal(llm.stats().completed, 6);
});

test('abort stops generation, frees the slot for the next request, and removes a queued one', async () => {
  const llm = new MockLlm({ ttftMs: 20, ttftSpreadMs: 0, itlMs: 30, itlSpreadMs: 0, outputTokensMean: 200, outputTokensSpread: 0, maxOutputTokens: 500, concurrency: 1 });
  const a = new AbortController();
  const itA = llm.stream(ask('long'), a.signal)[Symbol.asyncIterator]();
  const first = await itA.next();
  assert.equal(first.value?.type, 'token');
  const b = new AbortController();
  const bDone = llm.complete(ask('next'), b.signal); // waits for A's slot
  const c = new AbortController();
  const cDone = llm.complete(ask('given up'), c.signal);
  assert.deepEqual([llm.stats().active, llm.stats().queued], [1, 2]);
  c.abort();
  await assert.rejects(cDone, { name: 'AbortError' });
  assert.deepEqual([llm.stats().active, llm.stats().queued], [1, 1], 'the aborted waiter left the line');
  const pendingA = itA.next(); // parked on a 30 ms timer
  a.abort();
  await assert.rejects(pendingA, { name: 'AbortError' });
  assert.equal((await itA.next()).done, true);
  assert.deepEqual([llm.stats().active, llm.stats().queued], [1, 0], 'B holds the slot A freed');
  b.abort();
  await assert.rejects(bDone, { name: 'AbortError' });
  assert.deepEqual(llm.stats(), { active: 0, queued: 0, completed: 0, failed: 3, outputTokens: 1 });
});
