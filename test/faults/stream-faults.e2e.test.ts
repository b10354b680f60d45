/**
 * The fault suite, streaming protocols: the CLI against the fault server, one run per fault (WebSocket garbage and
 * oversized messages, SSE broken JSON and a line that never ends, LLM broken chunks, a stream without [DONE], endless
 * and oversized answers, A2A bodies and streams that never end). Each run must end by itself with exit 0 (its
 * thresholds count the expected error_code exactly), write summary.json, and show that the VU went on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readSummary, runCli } from '../helpers/cli.ts';
import { startFaultServer, type FaultServer } from './fault-server.ts';

const FIXTURE = join(import.meta.dirname, 'fixtures', 'stream-fault.ts');
const LIMIT = { timeout: 90_000 };

let server: FaultServer;
before(async () => {
  server = await startFaultServer();
});
after(() => server.close());

async function runCase(name: string): Promise<ReturnType<typeof readSummary>> {
  process.env.AL_FAULT_URL = server.url;
  process.env.AL_FAULT_CASE = name;
  try {
    const r = await runCli(['run', FIXTURE, '--quiet'], { timeoutMs: 60_000 });
    const runs = readdirSync(r.resultsDir);
    assert.equal(runs.length, 1, r.stderr);
    assert.ok(existsSync(join(r.resultsDir, runs[0] as string, 'summary.json')), 'summary.json is written');
    const s = readSummary(r.resultsDir);
    const failed = s.agentload.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} ${t.expression}: ${String(t.value)}`);
    assert.equal(r.code, 0, `exit ${String(r.code)}; failed thresholds: ${failed.join('; ')}\n${r.stderr}`);
    assert.ok(s.agentload.thresholds.length >= 3);
    assert.equal(s.metrics.iterations?.values.count, 2);
    assert.equal(s.metrics.checks?.values.fails, 0, JSON.stringify(s.root_group.checks));
    assert.equal(s.agentload.errors.length, 0, 'no iteration failed');
    return s;
  } finally {
    delete process.env.AL_FAULT_URL;
    delete process.env.AL_FAULT_CASE;
  }
}

test('WebSocket garbage frames after the upgrade: the session drops with WS_ERR_INVALID_OPCODE', LIMIT, async () => {
  await runCase('ws-garbage');
});

test('a WebSocket message past the limit: WS_MESSAGE_TOO_LARGE, the message is not delivered', LIMIT, async () => {
  const s = await runCase('ws-big');
  assert.equal(s.metrics.ws_msgs_received?.values.count ?? 0, 0);
});

test('SSE with broken JSON lines: every event is delivered, the broken ones have no json(), the stream ends normally', LIMIT, async () => {
  const s = await runCase('sse-broken');
  assert.equal(s.metrics.sse_errors?.values.count ?? 0, 0);
});

test('an SSE line that never ends: SSE_EVENT_TOO_LARGE at the limit', LIMIT, async () => {
  await runCase('sse-endless-line');
});

test('an LLM stream with chunks that are not JSON: INVALID_CHUNK', LIMIT, async () => {
  const s = await runCase('llm-broken-json');
  assert.equal(s.metrics.llm_requests?.values.count, 2);
});

test('an LLM stream that ends without [DONE]: STREAM_INCOMPLETE', LIMIT, async () => {
  await runCase('llm-no-done');
});

test('an LLM stream that never ends: RESPONSE_TOO_LARGE at the limit', LIMIT, async () => {
  await runCase('llm-endless');
});

test('an LLM answer announcing 1 GB: RESPONSE_TOO_LARGE at the headers', LIMIT, async () => {
  const s = await runCase('llm-huge-json');
  assert.ok((s.metrics.data_received?.values.count ?? 0) < 1_000_000);
});

test('an A2A JSON-RPC body that never ends: RESPONSE_TOO_LARGE', LIMIT, async () => {
  await runCase('a2a-send');
});

test('an A2A stream that never ends: RESPONSE_TOO_LARGE', LIMIT, async () => {
  await runCase('a2a-stream');
});
