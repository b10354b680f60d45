// The mock LLM's OpenAI-compatible HTTP routes, checked on the wire:
// chunk by chunk for streams, field by field for errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Fastify from 'fastify';
import type { FastifyInstance } from 'fastify';
import { MockLlm } from '../../src/reference-target/llm/mock-llm.ts';
import type { MockLlmOptions } from '../../src/reference-target/llm/mock-llm.ts';
import { registerMockLlmRoutes } from '../../src/reference-target/llm/routes.ts';

interface Served { app: FastifyInstance; llm: MockLlm; url: string }
const apps: FastifyInstance[] = [];

async function serve(options: Partial<MockLlmOptions>): Promise<Served> {
  const app = Fastify();
  const llm = new MockLlm(options);
  await registerMockLlmRoutes(app, llm);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  apps.push(app);
  return { app, llm, url };
}

const instant: Partial<MockLlmOptions> = { ttftMs: 0, ttftSpreadMs: 0, itlMs: 0, itlSpreadMs: 0, seed: 4 };
let fast: Served;
before(async () => {
  fast = await serve(instant);
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
});

const post = (url: string, body: unknown, init: RequestInit = {}): Promise<Response> => fetch(`${url}/v1/chat/completions`, {
  method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body), ...init,
});
const user = (content: string): { role: string; content: string }[] => [{ role: 'user', content }];

/** SSE `data:` payloads, in order; asserts the framing (each event one data line, blank-line separated). */
function sseData(text: string): string[] {
  assert.ok(text.endsWith('\n\n'), 'stream ends with a blank line');
  return text.slice(0, -2).split('\n\n').map((event) => {
    assert.match(event, /^data: [^\n]+$/, `one data line per event: ${event.slice(0, 80)}`);
    return event.slice('data: '.length);
  });
}

interface Chunk {
  id: string; object: string; created: number; model: string; system_fingerprint: string;
  choices: { index: number; delta: Record<string, unknown>; logprobs: null; finish_reason: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number; total_tokens: number } | null;
}

test('stream: role chunk first, one content delta per token, finish_reason, usage chunk, [DONE]', async () => {
  const res = await post(fast.url, { model: 'agentload-mock', messages: user('Tell me about load tests'), stream: true, stream_options: { include_usage: true }, max_tokens: 6 });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const data = sseData(await res.text());
  assert.equal(data.at(-1), '[DONE]');
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
  const [first, ...rest] = chunks;
  assert.ok(first);
  const id = first.id;
  assert.match(id, /^chatcmpl-[0-9a-f]{32}$/);
  for (const c of chunks) {
    assert.equal(c.id, id);
    assert.equal(c.object, 'chat.completion.chunk');
    assert.equal(c.model, 'agentload-mock');
    assert.ok(Number.isInteger(c.created) && Math.abs(c.created - Date.now() / 1000) < 600);
    assert.equal(typeof c.system_fingerprint, 'string');
  }
  assert.deepEqual(first.choices, [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, logprobs: null, finish_reason: null }]);
  assert.equal(first.usage, null);
  const usageChunk = rest.pop();
  const finishChunk = rest.pop();
  assert.ok(usageChunk && finishChunk);
  assert.equal(rest.length, 6, 'one content chunk per token');
  for (const c of rest) {
    assert.equal(c.choices.length, 1);
    const [choice] = c.choices;
    assert.deepEqual(Object.keys(choice?.delta ?? {}), ['content']);
    assert.equal(typeof choice?.delta.content, 'string');
    assert.deepEqual([choice?.index, choice?.logprobs, choice?.finish_reason], [0, null, null]);
    assert.equal(c.usage, null);
  }
  assert.deepEqual(finishChunk.choices, [{ index: 0, delta: {}, logprobs: null, finish_reason: 'length' }]);
  assert.deepEqual(usageChunk.choices, []);
  // 3 priming + 3 framing + ceil(24 / 4) = 12 prompt tokens
  assert.deepEqual(usageChunk.usage, { prompt_tokens: 12, completion_tokens: 6, total_tokens: 18 });
  const text = rest.map((c) => c.choices[0]?.delta.content as string).join('');
  assert.match(text, /^[A-Z][a-z]+(,? [A-Za-z]+[.,]?){5}$/);
});

test('stream without include_usage: no usage field, no usage chunk; a natural stop ends with finish_reason stop', async () => {
  const res = await post(fast.url, { messages: user('hi'), stream: true });
  const data = sseData(await res.text());
  assert.equal(data.at(-1), '[DONE]');
  const chunks = data.slice(0, -1).map((d) => JSON.parse(d) as Chunk);
  assert.ok(chunks.every((c) => !('usage' in c) && c.choices.length === 1));
  assert.equal(chunks.at(-1)?.choices[0]?.finish_reason, 'stop');
  assert.ok(chunks.slice(0, -1).every((c) => c.choices[0]?.finish_reason === null));
  const text = chunks.slice(1, -1).map((c) => c.choices[0]?.delta.content as string).join('');
  assert.match(text, /\.$/, 'a natural stop ends its sentence');
});

test('non-stream: chat.completion with the message, finish_reason and consistent usage', async () => {
  const res = await post(fast.url, { messages: [{ role: 'developer', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'Status?' }] }] });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
  const body = await res.json() as {
    id: string; object: string; created: number; model: string;
    choices: { index: number; message: { role: string; content: string; refusal: null }; logprobs: null; finish_reason: string }[];
    usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  };
  assert.match(body.id, /^chatcmpl-/);
  assert.equal(body.object, 'chat.completion');
  assert.equal(body.model, 'agentload-mock');
  assert.equal(body.choices.length, 1);
  const [choice] = body.choices;
  assert.equal(choice?.message.role, 'assistant');
  assert.equal(choice?.finish_reason, 'stop');
  assert.equal(choice?.logprobs, null);
  const words = (choice?.message.content ?? '').split(' ');
  assert.equal(body.usage.completion_tokens, words.length, 'one token per word');
  assert.equal(body.usage.prompt_tokens, 3 + (3 + 3) + (3 + 2));
  assert.equal(body.usage.total_tokens, body.usage.prompt_tokens + body.usage.completion_tokens);
});

test('the same seed gives the same answer over HTTP', async () => {
  const other = await serve(instant);
  const ask = async (url: string): Promise<string> => {
    const r = await (await post(url, { messages: user('repeat me') })).json() as { choices: { message: { content: string } }[] };
    return r.choices[0]?.message.content ?? '';
  };
  assert.equal(await ask(other.url), await ask((await serve(instant)).url));
});

test('GET /v1/models lists the served models; /v1/models/:id finds one or 404s', async () => {
  const list = await (await fetch(`${fast.url}/v1/models`)).json() as { object: string; data: { id: string; object: string; created: number; owned_by: string }[] };
  assert.equal(list.object, 'list');
  assert.deepEqual(list.data.map((m) => m.id), [...fast.llm.options.models]);
  assert.ok(list.data.every((m) => m.object === 'model' && Number.isInteger(m.created) && m.owned_by === 'agentload'));
  const one = await fetch(`${fast.url}/v1/models/agentload-mock-mini`);
  assert.equal(one.status, 200);
  assert.equal((await one.json() as { id: string }).id, 'agentload-mock-mini');
  const missing = await fetch(`${fast.url}/v1/models/gpt-none`);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: { message: "The model 'gpt-none' does not exist.", type: 'invalid_request_error', param: 'model', code: 'model_not_found' } });
});

test('bad input: 400 with an OpenAI error naming the field; unknown model 404; wrong media type 415', async () => {
  const cases: [unknown, number, string | null][] = [
    ['{"messages": [', 400, null],
    [[1, 2], 400, null],
    [{}, 400, 'messages'],
    [{ messages: [] }, 400, 'messages'],
    [{ messages: [{ role: 'robot', content: 'x' }] }, 400, 'messages[0].role'],
    [{ messages: [{ role: 'user', content: 5 }] }, 400, 'messages[0].content'],
    [{ messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }] }, 400, 'messages[0].content[0].text'],
    [{ messages: user('x'), model: 7 }, 400, 'model'],
    [{ messages: user('x'), stream: 'yes' }, 400, 'stream'],
    [{ messages: user('x'), stream_options: { include_usage: true } }, 400, 'stream_options'],
    [{ messages: user('x'), stream: true, stream_options: { include_usage: 1 } }, 400, 'stream_options.include_usage'],
    [{ messages: user('x'), max_tokens: 0 }, 400, 'max_tokens'],
    [{ messages: user('x'), max_completion_tokens: 2.5 }, 400, 'max_completion_tokens'],
    [{ messages: user('x'), n: 2 }, 400, 'n'],
    [{ messages: user('x'), temperature: 9 }, 400, 'temperature'],
    [{ messages: user('x'), model: 'gpt-none' }, 404, 'model'],
  ];
  for (const [body, status, param] of cases) {
    const res = await post(fast.url, body);
    assert.equal(res.status, status, JSON.stringify(body));
    const err = await res.json() as { error: { message: string; type: string; param: string | null; code: string | null } };
    assert.equal(err.error.param, param, JSON.stringify(body));
    assert.equal(err.error.type, 'invalid_request_error');
    assert.ok(err.error.message.length > 0);
    if (param) assert.ok(err.error.message.includes(param.split('[')[0] as string), err.error.message);
  }
  const media = await post(fast.url, 'hello', { headers: { 'content-type': 'text/plain' } });
  assert.equal(media.status, 415);
  assert.equal((await media.json() as { error: { param: string } }).error.param, 'content-type');
  assert.equal(fast.llm.stats().active, 0);
});

test('injected errors come back as OpenAI 429 (with retry-after) and 500 errors', async () => {
  const flaky = await serve({ ...instant, errorRate: 0.5, seed: 21 });
  const seen = new Map<number, number>();
  for (let i = 0; i < 40; i++) {
    const res = await post(flaky.url, { messages: user(`q${i}`), stream: i % 2 === 0 });
    seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
    if (res.status === 200) {
      await res.arrayBuffer();
      continue;
    }
    const err = await res.json() as { error: { type: string; code: string } };
    if (res.status === 429) {
      assert.equal(res.headers.get('retry-after'), '1');
      assert.deepEqual([err.error.type, err.error.code], ['rate_limit_error', 'rate_limit_exceeded']);
    } else {
      assert.equal(res.status, 500);
      assert.deepEqual([err.error.type, err.error.code], ['server_error', 'server_error']);
    }
  }
  assert.ok((seen.get(429) ?? 0) > 3 && (seen.get(500) ?? 0) > 3 && (seen.get(200) ?? 0) > 8, JSON.stringify([...seen]));
  assert.equal([...seen.values()].reduce((a, b) => a + b, 0), 40);
});

async function waitFor(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(check(), what);
}

test('a client that disconnects stops generation and frees its slot (stream and non-stream)', async () => {
  const slow = await serve({ ttftMs: 5, ttftSpreadMs: 0, itlMs: 40, itlSpreadMs: 0, outputTokensMean: 200, outputTokensSpread: 0, maxOutputTokens: 500, concurrency: 1 });
  const streaming = new AbortController();
  const res = await post(slow.url, { messages: user('long'), stream: true }, { signal: streaming.signal });
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /"role":"assistant"/);
  assert.equal(slow.llm.stats().active, 1);
  streaming.abort();
  await waitFor(() => slow.llm.stats().active === 0, 'the slot is freed after the disconnect');
  assert.equal(slow.llm.stats().failed, 1);
  assert.ok(slow.llm.stats().outputTokens < 20, 'generation stopped early');

  const whole = new AbortController();
  const pending = post(slow.url, { messages: user('long too') }, { signal: whole.signal });
  await waitFor(() => slow.llm.stats().active === 1, 'the non-stream request is generating');
  whole.abort();
  await assert.rejects(pending);
  await waitFor(() => slow.llm.stats().active === 0, 'the slot is freed after the disconnect');

  const next = await post(slow.url, { messages: user('short'), max_tokens: 2 });
  assert.equal(next.status, 200);
  assert.deepEqual([slow.llm.stats().completed, slow.llm.stats().failed], [1, 2]);
});

test('a body over the app\'s limit gets 413 in OpenAI\'s error shape', async () => {
  const app = Fastify({ bodyLimit: 200 });
  apps.push(app);
  await registerMockLlmRoutes(app, new MockLlm(instant));
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const res = await post(url, { messages: user('x'.repeat(500)) });
  assert.equal(res.status, 413);
  assert.deepEqual(await res.json(), {
    error: { message: 'The request body is larger than 200 bytes.', type: 'invalid_request_error', param: null, code: 'FST_ERR_CTP_BODY_TOO_LARGE' },
  });
});
