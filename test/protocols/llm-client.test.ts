/** ctx.llm against scripted OpenAI-like servers: metrics from the client's own timestamps, robustness, errors. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LlmClient } from '../../src/protocols/llm/client.ts';
import { resolveLlmPlan } from '../../src/protocols/llm/options.ts';
import { DONE, chunk, finishChunk, roleChunk, sse, startScriptedLlm, tokenChunk, usageChunk, type ScriptedLlm } from '../fixtures/llm-servers.ts';
import { TestScope } from '../fixtures/llm-scope.ts';

const user = [{ role: 'user' as const, content: 'Say hello to the world, please.' }];

let server: ScriptedLlm;
let scope: TestScope;

before(async () => {
  server = await startScriptedLlm({
    // role chunk at once, tokens at 100/130/190 ms, finish, usage, [DONE]
    timed: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 100, write: tokenChunk('Hel') },
        { at: 130, write: tokenChunk('lo') },
        { at: 190, write: tokenChunk(' world') },
        { at: 200, write: finishChunk('stop') },
        { at: 210, write: usageChunk(12, 3) },
        { at: 220, write: DONE },
        { at: 225, end: true },
      ],
    },
    // continuous usage: cumulative completion tokens 1, 3, 6 → chunks of 1, 2, 3 tokens
    multi: {
      steps: [
        { at: 0, write: sse(chunk({ role: 'assistant', content: '' }, { usage: { prompt_tokens: 5, completion_tokens: 0 } })) },
        { at: 20, write: tokenChunk('a', { usage: { prompt_tokens: 5, completion_tokens: 1 } }) },
        { at: 40, write: tokenChunk('bc', { usage: { prompt_tokens: 5, completion_tokens: 3 } }) },
        { at: 60, write: tokenChunk('def', { usage: { prompt_tokens: 5, completion_tokens: 6 } }) },
        { at: 70, write: usageChunk(5, 6) },
        { at: 75, write: DONE },
        { at: 80, end: true },
      ],
    },
    // logprobs: one entry per token → chunks of 2 and 1 tokens
    logprobs: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 10, write: sse({ ...chunk({ content: 'xy' }), choices: [{ index: 0, delta: { content: 'xy' }, logprobs: { content: [{}, {}] } }] }) },
        { at: 30, write: sse({ ...chunk({ content: 'z' }), choices: [{ index: 0, delta: { content: 'z' }, logprobs: { content: [{}] } }] }) },
        { at: 40, write: DONE },
        { at: 45, end: true },
      ],
    },
    // what real servers send: comments, keep-alives, choices missing/null/empty, events and UTF-8 split across reads, CRLF
    messy: {
      steps: [
        { at: 0, write: ': keep-alive\n\n' },
        { at: 5, write: sse({ id: 'x', object: 'chat.completion.chunk', model: 'messy-served' }) },
        { at: 10, write: sse({ id: 'x', choices: null }) },
        { at: 15, write: sse({ id: 'x', choices: [] }) },
        { at: 20, write: roleChunk() },
        { at: 25, write: 'data: {"id":"x","choices":[{"index":0,"delta":{"cont' },
        { at: 45, write: 'ent":"Gr"},"finish_reason":null}]}\n\n' },
        { at: 50, write: ':ping\r\n\r\n' },
        { at: 55, write: Buffer.from(sse(chunk({ content: 'üß' }))).subarray(0, 40) },
        { at: 75, write: Buffer.from(sse(chunk({ content: 'üß' }))).subarray(40) },
        { at: 80, write: sse({ id: 'x', choices: [{ index: 0, delta: { reasoning_content: 'thinking' } }] }) },
        { at: 85, write: 'data: [DONE]' },
        { at: 90, end: true },
      ],
    },
    malformed: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 5, write: tokenChunk('ok') },
        { at: 10, write: 'data: {"choices": [oops\n\n' },
        { at: 15, write: tokenChunk('!') },
        { at: 20, write: DONE },
        { at: 25, end: true },
      ],
    },
    cut: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 5, write: tokenChunk('half') },
        { at: 10, end: true },
      ],
    },
    reset: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 5, write: tokenChunk('half') },
        { at: 10, destroy: true },
      ],
    },
    ratelimited: { status: 429, contentType: 'application/json', steps: [{ at: 0, write: JSON.stringify({ error: { message: 'Rate limit reached', type: 'rate_limit' } }) }, { at: 1, end: true }] },
    broken: { status: 500, contentType: 'text/plain', steps: [{ at: 0, write: 'upstream exploded' }, { at: 1, end: true }] },
    silent: { silent: true, steps: [] },
    instream_error: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 5, write: sse({ error: { message: 'model overloaded', code: 503 } }) },
        { at: 10, write: DONE },
        { at: 15, end: true },
      ],
    },
    nousage: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 5, write: tokenChunk('one') },
        { at: 10, write: tokenChunk(' two') },
        { at: 15, write: tokenChunk(' three') },
        { at: 20, write: tokenChunk(' four') },
        { at: 25, write: DONE },
        { at: 30, end: true },
      ],
    },
    nonstream: {
      contentType: 'application/json',
      steps: [
        {
          at: 30,
          write: JSON.stringify({
            id: 'c',
            object: 'chat.completion',
            model: 'nonstream-2024',
            choices: [{ index: 0, message: { role: 'assistant', content: 'Full answer.' }, finish_reason: 'length' }],
            usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
          }),
        },
        { at: 31, end: true },
      ],
    },
  });
  scope = new TestScope({ LLM_API_KEY: 'sk-test-secret' });
});

after(async () => {
  await scope.close();
  await server.close();
});

function client(options: Parameters<typeof resolveLlmPlan>[0] = {}): LlmClient {
  const errors: string[] = [];
  const plan = resolveLlmPlan({ baseUrl: server.url, ...options }, errors);
  assert.deepEqual(errors, []);
  return new LlmClient(scope, scope.agent.dispatcher, plan);
}

test('timed stream: TTFT, ITL, TPOT, e2e, tokens, tokens/s and cost follow from the recorded timestamps', async () => {
  scope.clear();
  const llm = client({ prices: { timed: { input: 2, output: 10 } } });
  const r = await llm.chat({ model: 'timed', messages: user, max_tokens: 16, name: 'hello' });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.errorCode, null);
  assert.equal(r.status, 200);
  assert.equal(r.text, 'Hello world');
  assert.equal(r.finishReason, 'stop');
  assert.equal(r.model, 'scripted');
  assert.equal(r.streamed, true);
  assert.equal(r.chunks, 3, 'the role-only chunk and the finish chunk carry no output');
  assert.deepEqual(r.usage, { inputTokens: 12, outputTokens: 3, source: 'server' });

  const t = r.timings;
  assert.ok(t.ttft !== null && t.tpot !== null && t.tokensPerSecond !== null);
  // the server cannot send the first token before 100 ms nor the last before 190 ms after it got the request
  assert.ok(t.ttft >= 95, `ttft ${t.ttft}`);
  assert.ok(t.e2e >= 185, `e2e ${t.e2e}`);
  assert.equal(t.itl.length, 2);
  assert.ok(t.itl.every((g) => g >= 0));
  // e2e = ttft + the ITL gaps (the same timestamps, summed in another order: equal up to float rounding)
  assert.ok(Math.abs(t.e2e - (t.ttft + (t.itl[0] as number) + (t.itl[1] as number))) < 1e-9);
  assert.equal(t.tpot, (t.e2e - t.ttft) / (3 - 1));
  assert.equal(t.tokensPerSecond, 3 / (t.e2e / 1000));
  assert.ok(t.headers !== null && t.headers <= t.ttft);
  assert.ok(t.total >= t.e2e, 'the usage chunk and [DONE] come after the last token');
  assert.equal(t.itlPerToken, null, 'one token per chunk is not known without continuous usage or logprobs');
  assert.equal(r.costUsd, (12 * 2 + 3 * 10) / 1_000_000);
  assert.equal(r.goodput, null, 'no SLO declared');

  // the recorded samples are exactly the result's values
  const tags = { model: 'timed', name: 'hello', scenario: 'unit' };
  assert.deepEqual(scope.values('llm_ttft', tags), [t.ttft]);
  assert.deepEqual(scope.values('llm_itl', tags), t.itl);
  assert.deepEqual(scope.values('llm_tpot', tags), [t.tpot]);
  assert.deepEqual(scope.values('llm_e2e', tags), [t.e2e]);
  assert.deepEqual(scope.values('llm_input_tokens', { ...tags, token_count: 'server' }), [12]);
  assert.deepEqual(scope.values('llm_output_tokens', { ...tags, token_count: 'server' }), [3]);
  assert.deepEqual(scope.values('llm_tokens_per_second', tags), [t.tokensPerSecond]);
  assert.deepEqual(scope.values('llm_cost_usd', tags), [0.000054]);
  assert.deepEqual(scope.values('llm_requests', { ...tags, status: '200' }), [1]);
  assert.deepEqual(scope.of('llm_errors'), []);
  assert.deepEqual(scope.of('llm_itl_token'), []);
  assert.deepEqual(scope.of('llm_goodput'), []);

  // what was sent
  const sent = server.requests.at(-1);
  assert.ok(sent !== undefined);
  assert.equal(sent.path, '/v1/chat/completions');
  assert.deepEqual(sent.body.stream_options, { include_usage: true });
  assert.equal(sent.body.stream, true);
  assert.equal(sent.body.max_tokens, 16);
  assert.equal(sent.headers.authorization, 'Bearer sk-test-secret');
  assert.equal(sent.headers.accept, 'text/event-stream');
});

test('multi-token chunks: llm_itl stays per chunk, llm_itl_token splits each gap over the chunk\'s tokens (continuous usage)', async () => {
  scope.clear();
  const r = await client().chat({ model: 'multi', messages: user, continuousUsage: true });
  assert.equal(r.ok, true, r.error ?? '');
  assert.deepEqual(server.requests.at(-1)?.body.stream_options, { include_usage: true, continuous_usage_stats: true });
  assert.equal(r.chunks, 3);
  assert.deepEqual(r.usage, { inputTokens: 5, outputTokens: 6, source: 'server' });
  const t = r.timings;
  const [g1, g2] = t.itl as [number, number];
  assert.deepEqual(t.itlPerToken, [g1 / 2, g1 / 2, g2 / 3, g2 / 3, g2 / 3]);
  assert.ok(t.ttft !== null);
  assert.equal(t.tpot, (t.e2e - t.ttft) / (6 - 1));
  assert.deepEqual(scope.values('llm_itl'), [g1, g2]);
  assert.deepEqual(scope.values('llm_itl_token'), [g1 / 2, g1 / 2, g2 / 3, g2 / 3, g2 / 3]);
});

test('multi-token chunks: logprobs entries count tokens per chunk too', async () => {
  scope.clear();
  const r = await client().chat({ model: 'logprobs', messages: user, logprobs: true, includeUsage: false });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(server.requests.at(-1)?.body.logprobs, true);
  assert.equal(server.requests.at(-1)?.body.stream_options, undefined);
  const [g] = r.timings.itl as [number];
  assert.deepEqual(r.timings.itlPerToken, [g]);
  assert.deepEqual(r.usage, { inputTokens: 8, outputTokens: 3, source: 'estimate' }, 'no usage: the tokens the logprobs counted; input ≈ chars/4');
  assert.deepEqual(scope.values('llm_output_tokens', { token_count: 'estimate' }), [3]);
});

test('messy stream: comments, keep-alives, choices missing/null/empty, split JSON and UTF-8, reasoning, no blank line after [DONE]', async () => {
  scope.clear();
  const r = await client().chat({ model: 'messy', messages: user });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.text, 'Grüß');
  assert.equal(r.chunks, 3, 'Gr, üß and the reasoning chunk');
  assert.equal(r.model, 'messy-served');
  assert.equal(r.timings.itl.length, 2);
  assert.deepEqual(r.usage, { inputTokens: 8, outputTokens: 3, source: 'estimate' }, 'no usage chunk: one token per output chunk');
});

test('failures are results with an error_code: malformed JSON, cut stream, reset socket, 429, 500, in-stream error', async () => {
  scope.clear();
  const llm = client({ slo: { ttft: 60_000 } });
  const cases: [string, string][] = [
    ['malformed', 'INVALID_CHUNK'],
    ['cut', 'STREAM_INCOMPLETE'],
    ['ratelimited', 'HTTP_429'],
    ['broken', 'HTTP_500'],
    ['instream_error', 'API_ERROR'],
  ];
  for (const [model, code] of cases) {
    const r = await llm.chat({ model, messages: user });
    assert.equal(r.ok, false, model);
    assert.equal(r.errorCode, code, `${model}: ${r.error}`);
    assert.equal(r.goodput, false);
    assert.equal(r.costUsd, null);
  }
  const limited = scope.of('llm_errors').find((s) => s.tags.model === 'ratelimited');
  assert.deepEqual(limited?.tags, { error_code: 'HTTP_429', model: 'ratelimited', scenario: 'unit', status: '429' });
  const r429 = await llm.chat({ model: 'ratelimited', messages: user });
  assert.match(r429.error ?? '', /Rate limit reached/);
  const r500 = await llm.chat({ model: 'broken', messages: user });
  assert.match(r500.error ?? '', /upstream exploded/);

  const reset = await llm.chat({ model: 'reset', messages: user });
  assert.equal(reset.ok, false);
  assert.ok(['UND_ERR_SOCKET', 'ECONNRESET'].includes(reset.errorCode ?? ''), `a destroyed socket is a transport error: ${reset.errorCode}`);
  assert.equal(reset.text, 'half', 'what came before the cut is kept');

  // failed requests record no latency samples, only requests/errors/goodput
  for (const m of ['llm_ttft', 'llm_itl', 'llm_tpot', 'llm_e2e', 'llm_output_tokens', 'llm_cost_usd']) assert.deepEqual(scope.of(m), [], m);
  assert.equal(scope.values('llm_errors').length, 8);
  assert.equal(scope.values('llm_requests').length, 8);
  assert.deepEqual(scope.values('llm_goodput'), [0, 0, 0, 0, 0, 0, 0, 0]);
});

test('a server that never answers fails at the timeout with UND_ERR_HEADERS_TIMEOUT', async () => {
  scope.clear();
  const r = await client().chat({ model: 'silent', messages: user, timeout: '300ms' });
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, 'UND_ERR_HEADERS_TIMEOUT');
  assert.equal(r.status, 0);
  assert.deepEqual(scope.values('llm_requests', { error_code: 'UND_ERR_HEADERS_TIMEOUT', status: '0' }), [1]);
  assert.equal(scope.inflight, 0);
});

test('non-streamed response: e2e, server usage and cost; no TTFT/ITL/TPOT', async () => {
  scope.clear();
  const llm = client({ prices: { '*': { input: 1, output: 1 }, 'nonstream-2024': { input: 3, output: 5 } } });
  const r = await llm.chat({ model: 'nonstream', messages: user, stream: false });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.streamed, false);
  assert.equal(r.text, 'Full answer.');
  assert.equal(r.finishReason, 'length');
  assert.deepEqual(r.usage, { inputTokens: 9, outputTokens: 4, source: 'server' });
  assert.equal(r.timings.ttft, null);
  assert.equal(r.timings.tpot, null);
  assert.deepEqual(r.timings.itl, []);
  assert.ok(r.timings.e2e >= 25);
  assert.equal(r.costUsd, (9 * 3 + 4 * 5) / 1_000_000, 'priced by the served model when the requested one is not listed');
  assert.equal(server.requests.at(-1)?.body.stream_options, undefined);
  assert.deepEqual(scope.of('llm_ttft'), []);
  assert.deepEqual(scope.values('llm_e2e'), [r.timings.e2e]);
  // per-call price wins
  const again = await llm.chat({ model: 'nonstream', messages: user, stream: false, price: { input: 0, output: 100 } });
  assert.equal(again.costUsd, (4 * 100) / 1_000_000);
});

test('no usage from the server: estimates, tagged token_count=estimate', async () => {
  scope.clear();
  const r = await client({ prices: { '*': { input: 1, output: 2 } } }).chat({ model: 'nousage', messages: user });
  assert.equal(r.ok, true, r.error ?? '');
  const input = Math.ceil(user[0]!.content.length / 4);
  assert.deepEqual(r.usage, { inputTokens: input, outputTokens: 4, source: 'estimate' });
  assert.equal(r.costUsd, (input * 1 + 4 * 2) / 1_000_000);
  assert.deepEqual(scope.values('llm_output_tokens', { token_count: 'estimate' }), [4]);
  assert.deepEqual(scope.values('llm_input_tokens', { token_count: 'estimate' }), [input]);
  assert.ok(r.timings.ttft !== null);
  assert.equal(r.timings.tpot, (r.timings.e2e - r.timings.ttft) / 3);
});

test('goodput: met when every declared SLO holds, per-call SLOs replace the test-wide ones', async () => {
  scope.clear();
  const llm = client({ slo: { ttft: '60s', tpot: 60_000, e2e: '60s' } });
  const good = await llm.chat({ model: 'timed', messages: user });
  assert.equal(good.goodput, true);
  // the first token cannot arrive within 1 ms: it is sent 100 ms after the request
  const bad = await llm.chat({ model: 'timed', messages: user, slo: { ttft: 1 } });
  assert.equal(bad.goodput, false);
  assert.deepEqual(scope.values('llm_goodput'), [1, 0]);
});

test('bad input gets a clear error naming it', async () => {
  const llm = client();
  await assert.rejects(() => llm.chat({ model: 'timed', messages: [] }), /`messages` must be a non-empty array/);
  await assert.rejects(() => llm.chat({ messages: user }), /no model/);
  await assert.rejects(() => llm.chat({ model: 'timed', messages: user, price: { input: -1, output: 0 } }), /price\.input/);
  await assert.rejects(() => llm.chat({ model: 'timed', messages: user, slo: { ttfb: 3 } as never }), /slo\.ttfb: unknown objective/);
  await assert.rejects(() => new LlmClient(new TestScope(), scope.agent.dispatcher).chat({ model: 'm', messages: user }), /no base URL/);
  const errors: string[] = [];
  resolveLlmPlan({ baseUrl: 'ftp://x', apiKeyEnv: 'not a name', timeout: 'soon', prices: { m: { input: 'free', output: 1 } as never }, apiKey: 'sk' } as never, errors);
  assert.equal(errors.length, 5, errors.join('\n'));
  assert.ok(errors.some((e) => e.includes('llm.baseUrl') && e.includes('ftp://x')));
  assert.ok(errors.some((e) => e.includes('llm.apiKey:')));
});

test('the base URL falls back to LLM_BASE_URL, then the HTTP base URL + /v1', () => {
  const none = resolveLlmPlan(undefined, []);
  assert.equal(new LlmClient(new TestScope({ LLM_BASE_URL: 'http://a.example/v1/' }), scope.agent.dispatcher, none, 'http://b.example').baseUrl, 'http://a.example/v1');
  assert.equal(new LlmClient(new TestScope(), scope.agent.dispatcher, none, 'http://b.example').baseUrl, 'http://b.example/v1');
});
