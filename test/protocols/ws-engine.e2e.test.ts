/** WebSocket through the built engine and CLI: the metrics land in summary.json with exact counts. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';
import { startWsServer, type WsTestServer } from './ws-test-server.ts';

let server: WsTestServer;
before(async () => {
  server = await startWsServer();
});
after(() => server.close());

test('sessions, requests, round trips, timeouts and stability in summary.json', async () => {
  process.env.AL_WS_HTTP = server.httpUrl;
  delete process.env.AL_WS_MODE;
  const r = await runCli(['run', fixture('ws-collab.ts'), '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  const m = readSummary(r.resultsDir).metrics;
  assert.equal(m.ws_sessions?.values.count, 4);
  assert.equal(m.ws_connecting?.values.count, 4);
  assert.equal(m.ws_session_duration?.values.count, 4);
  assert.equal(m.ws_msgs_sent?.values.count, 16);
  assert.equal(m.ws_msgs_received?.values.count, 16);
  assert.equal(m.ws_msg_rtt?.values.count, 12);
  assert.deepEqual([m.ws_msg_failed?.values.passes, m.ws_msg_failed?.values.fails, m.ws_msg_failed?.values.rate], [4, 12, 0.25]);
  assert.deepEqual([m.ws_stability?.values.rate, m.ws_stability?.values.fails], [1, 0]);
  assert.equal(m.ws_errors?.values.count, 4, 'the four timeouts');
  assert.equal(m.checks?.values.fails, 0);
  assert.equal(m.checks?.values.passes, 16);
  assert.ok((m.data_sent?.values.count ?? 0) > 0 && (m.data_received?.values.count ?? 0) > 0);
  assert.equal(server.stats.connections['/ack'], 4);
  assert.equal(server.stats.received['/ack'], 16);
});

test('a session held open is closed by the VU interrupt at the end: recorded, not an iteration error', async () => {
  process.env.AL_WS_HTTP = server.httpUrl;
  process.env.AL_WS_MODE = 'hold';
  const closes = server.stats.closeCodes.length;
  try {
    const r = await runCli(['run', fixture('ws-collab.ts'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const m = readSummary(r.resultsDir).metrics;
    assert.equal(m.ws_sessions?.values.count, 2);
    assert.equal(m.ws_session_duration?.values.count, 2);
    assert.equal(m.ws_stability?.values.rate, 1);
    assert.equal(m.iteration_errors, undefined, 'interrupted iterations are not errors');
    assert.ok((m.ws_msgs_sent?.values.count ?? 0) >= 2, 'heartbeats were sent');
    assert.deepEqual(server.stats.closeCodes.slice(closes), [1001, 1001]);
  } finally {
    delete process.env.AL_WS_MODE;
  }
});

test('a session left open when the VU finishes is closed normally and recorded', async () => {
  process.env.AL_WS_HTTP = server.httpUrl;
  process.env.AL_WS_MODE = 'leave';
  const closes = server.stats.closeCodes.length;
  try {
    const r = await runCli(['run', fixture('ws-collab.ts'), '--quiet']);
    assert.equal(r.code, 0, r.stderr);
    const m = readSummary(r.resultsDir).metrics;
    assert.equal(m.ws_sessions?.values.count, 2);
    assert.equal(m.ws_session_duration?.values.count, 2);
    assert.deepEqual([m.ws_stability?.values.rate, m.ws_stability?.values.fails], [1, 0]);
    assert.deepEqual(server.stats.closeCodes.slice(closes), [1000, 1000]);
  } finally {
    delete process.env.AL_WS_MODE;
  }
});
