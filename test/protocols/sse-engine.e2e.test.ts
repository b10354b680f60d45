/** SSE through the built engine and CLI: the metrics land in summary.json with exact counts. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';
import { startSseServer, type SseTestServer } from './sse-test-server.ts';

let server: SseTestServer;
before(async () => {
  server = await startSseServer();
});
after(() => server.close());

test('streams, events, time to first event, reconnections in summary.json', async () => {
  process.env.AL_SSE_URL = server.url;
  const r = await runCli(['run', fixture('sse-stream.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const m = readSummary(r.resultsDir).metrics;
  assert.equal(m.sse_streams?.values.count, 6);
  assert.equal(m.sse_events?.values.count, 2 * (3 + 1 + 5));
  assert.equal(m.sse_time_to_first_event?.values.count, 6);
  assert.equal(m.sse_stream_duration?.values.count, 6);
  assert.equal(m.sse_reconnects?.values.count, 2);
  assert.equal(m.sse_errors?.values.count, 2, 'the two cuts');
  assert.equal(m.checks?.values.fails, 0);
  assert.equal(m.checks?.values.passes, 6);
  assert.deepEqual(server.stats.lastEventIds.filter((x) => x !== null), ['3', '3']);
});
