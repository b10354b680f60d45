/** ctx.llm and ctx.a2a through the built engine (worker threads): exact counts in the summary. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildSummary } from '../../dist/report/summary-json.js';
import { startTarget, type TargetHandle } from '../../dist/reference-target/index.js';
import { runScript, total } from '../helpers/run-script.ts';
import { DONE, finishChunk, roleChunk, startScriptedLlm, tokenChunk, usageChunk, type ScriptedLlm } from '../fixtures/llm-servers.ts';
import { startRestTasks, startSdkAgent, type TestAgent } from '../fixtures/a2a-servers.ts';
import { TestScope } from '../fixtures/llm-scope.ts';
import { A2aClient } from '../../src/protocols/a2a/client.ts';
import { resolveA2aPlan } from '../../src/protocols/a2a/options.ts';

let llm: ScriptedLlm;
let agent: TestAgent;
let restApi: TestAgent;

before(async () => {
  llm = await startScriptedLlm({
    timed: {
      steps: [
        { at: 0, write: roleChunk() },
        { at: 10, write: tokenChunk('Hel') },
        { at: 15, write: tokenChunk('lo') },
        { at: 20, write: tokenChunk(' world') },
        { at: 22, write: finishChunk('stop') },
        { at: 23, write: usageChunk(12, 3) },
        { at: 24, write: DONE },
        { at: 25, end: true },
      ],
    },
    limited: { status: 429, contentType: 'application/json', steps: [{ at: 0, write: '{"error":{"message":"slow down"}}' }, { at: 1, end: true }] },
  });
  [agent, restApi] = await Promise.all([startSdkAgent(), startRestTasks()]);
});
after(async () => {
  await Promise.all([llm.close(), agent.close(), restApi.close()]);
});

const SCRIPT = `
import { defineTest } from 'agentload';

export default defineTest({
  llm: { model: 'timed', prices: { timed: { input: 2, output: 10 } }, slo: { ttft: '60s', e2e: '60s' } },
  a2a: { rest: { baseUrl: process.env.AL_REST_URL } },
  scenarios: {
    main: {
      executor: 'shared-iterations',
      vus: 2,
      iterations: 6,
      exec: async (ctx) => {
        const ok = await ctx.llm.chat({ messages: [{ role: 'user', content: 'hi' }], max_tokens: 8, name: 'greet' });
        ctx.check(ok, { 'llm ok': (r) => r.ok && r.text === 'Hello world' });
        const limited = await ctx.llm.chat({ model: 'limited', messages: [{ role: 'user', content: 'hi' }] });
        ctx.check(limited, { 'llm 429': (r) => r.errorCode === 'HTTP_429' });
        const sent = await ctx.a2a.send('work');
        const streamed = await ctx.a2a.stream('work');
        const rest = await ctx.a2a.rest.run({ type: 'work' }, { interval: '10ms' });
        ctx.check([sent, streamed, rest], { 'a2a completed': (r) => r.every((x) => x.state === 'completed') });
      },
    },
  },
  thresholds: {
    llm_ttft: ['p(95)<60000'],
    'llm_requests{error_code:HTTP_429}': ['count==6'],
    a2a_task_completed: ['rate==1'],
  },
});
`;

test('a script drives ctx.llm, ctx.a2a and ctx.a2a.rest; summary.json has the llm_* and a2a_* metrics with exact counts', async () => {
  process.env.AL_REST_URL = restApi.url;
  const outcome = await runScript(SCRIPT, { cli: { env: { LLM_BASE_URL: llm.url, A2A_URL: agent.url } }, workers: 2 });
  const s = buildSummary(outcome);
  const m = s.metrics;
  assert.equal(m.checks?.values.fails, 0, JSON.stringify(s.root_group.checks));
  assert.equal(m.checks?.values.passes, 18);
  // LLM: 6 good requests, 6 rate-limited ones
  assert.equal(m.llm_requests?.values.count, 12);
  assert.equal(m.llm_errors?.values.count, 6);
  assert.equal(m.llm_input_tokens?.values.count, 6 * 12);
  assert.equal(m.llm_output_tokens?.values.count, 6 * 3);
  assert.equal(total(outcome, 'llm_ttft'), 6);
  assert.equal(total(outcome, 'llm_itl'), 12, 'two gaps per answer of three chunks');
  assert.equal(total(outcome, 'llm_tpot'), 6);
  assert.equal(total(outcome, 'llm_e2e'), 6);
  assert.equal(total(outcome, 'llm_tokens_per_second'), 6);
  assert.equal(m.llm_cost_usd?.values.avg, 0.000054, '(12 × 2 + 3 × 10) / 1e6 per request');
  assert.equal(m.llm_goodput?.values.rate, 0.5, 'the 429s are not good');
  assert.ok((m.llm_ttft?.values['p(95)'] ?? 0) > 0);
  assert.equal(total(outcome, 'llm_requests', [['name', 'greet']]), 6);
  assert.equal(total(outcome, 'llm_output_tokens', [['token_count', 'server']]), 18);
  // A2A: 6 blocking sends + 6 streams + 6 REST tasks, all completed
  assert.equal(m.a2a_tasks?.values.count, 18);
  assert.equal(total(outcome, 'a2a_tasks', [['state', 'completed']]), 18);
  assert.equal(m.a2a_task_completed?.values.rate, 1);
  assert.equal(m.a2a_task_completed?.values.passes, 18);
  assert.ok((m.a2a_tasks?.values.rate ?? 0) > 0, 'tasks/s');
  assert.equal(total(outcome, 'a2a_submit_duration'), 18);
  assert.equal(total(outcome, 'a2a_first_status'), 18);
  assert.equal(total(outcome, 'a2a_task_duration'), 18);
  assert.equal(total(outcome, 'a2a_request_duration', [['method', 'send']]), 6);
  assert.equal(total(outcome, 'a2a_request_duration', [['method', 'stream']]), 6);
  assert.ok(total(outcome, 'a2a_request_duration', [['method', 'card']]) >= 1, 'the card is fetched once per worker');
  assert.ok(total(outcome, 'a2a_request_duration', [['method', 'card']]) <= 2);
  assert.equal(m.a2a_errors, undefined);
  assert.equal(total(outcome, 'http_reqs', [['name', 'a2a_submit']]), 6);
  // thresholds on the new metrics evaluate
  assert.ok(s.agentload.thresholds.length === 3 && s.agentload.thresholds.every((t) => t.ok), JSON.stringify(s.agentload.thresholds));
});

let target: TargetHandle;

test('against the reference target: its mock LLM (/v1), its A2A agent (v1.0 and v0.3) and REST tasks', async () => {
  target = await startTarget({ llm: { ttftMs: 20, ttftSpreadMs: 0, itlMs: 2, itlSpreadMs: 0 } });
  try {
    const script = `
import { defineTest } from 'agentload';
export default defineTest({
  llm: { model: 'agentload-mock', prices: { '*': { input: 1, output: 1 } } },
  scenarios: {
    main: {
      executor: 'per-vu-iterations',
      vus: 2,
      iterations: 2,
      exec: async (ctx) => {
        const r = await ctx.llm.chat({ messages: [{ role: 'user', content: 'Summarise run 42' }], max_tokens: 5, body: { ignore_eos: true } });
        ctx.check(r, { 'five tokens': (x) => x.ok && x.usage.outputTokens === 5 && x.chunks === 5 && x.usage.source === 'server' });
        const sent = await ctx.a2a.send('Summarise run 42', { tags: { via: 'send' } });
        const streamed = await ctx.a2a.stream('Summarise run 42');
        const rest = await ctx.a2a.rest.run({ input: 'Summarise run 42', execute: true }, { interval: '20ms' });
        ctx.check([sent, streamed, rest], {
          'v1.0 detected': (x) => x[0].version === '1.0',
          'all completed': (x) => x.every((y) => y.state === 'completed'),
        });
      },
    },
  },
});
`;
    // the target's base URL as the HTTP base URL: ctx.llm uses <target>/v1, ctx.a2a the agent at its root
    const outcome = await runScript(script, { cli: { baseUrl: target.url }, workers: 1 });
    const s = buildSummary(outcome);
    const m = s.metrics;
    assert.equal(m.checks?.values.fails, 0, JSON.stringify(s.root_group.checks));
    assert.equal(m.checks?.values.passes, 12);
    assert.equal(m.llm_requests?.values.count, 4);
    assert.equal(m.llm_output_tokens?.values.count, 20);
    assert.equal(total(outcome, 'llm_itl'), 16, 'four gaps per five-token answer');
    assert.equal(m.a2a_tasks?.values.count, 12);
    assert.equal(m.a2a_task_completed?.values.rate, 1);
    assert.equal(total(outcome, 'a2a_tasks', [['via', 'send']]), 4);

    // the same agent through its v0.3 compatibility layer
    const scope = new TestScope();
    try {
      const errors: string[] = [];
      const v03 = new A2aClient(scope, scope.agent.dispatcher, scope.http, resolveA2aPlan({ url: target.url, version: '0.3' }, errors));
      assert.deepEqual(errors, []);
      const card = await v03.card();
      assert.equal(card.version, '0.3', card.error ?? '');
      const sent = await v03.send('Summarise run 7');
      assert.equal(sent.state, 'completed', sent.error ?? '');
      const streamed = await v03.stream('Summarise run 8');
      assert.equal(streamed.state, 'completed', streamed.error ?? '');
      assert.ok(streamed.events.some((e) => e.kind === 'artifact'));
      const open = await v03.send('Summarise run 9', { blocking: false });
      assert.ok(open.taskId !== null, open.error ?? '');
      const done = await v03.wait(open, { interval: '20ms', timeout: '10s' });
      assert.equal(done.state, 'completed', done.error ?? '');
      assert.deepEqual(scope.of('a2a_tasks').map((x) => x.tags.state), ['completed', 'completed', 'completed']);
    } finally {
      await scope.close();
    }
  } finally {
    await target.close();
  }
});
