import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { createTargetServer, type TargetServer } from '../../src/reference-target/server.ts';
import { resolveTargetOptions } from '../../src/reference-target/options.ts';
import { failedThresholds, runSuite, thresholdMetrics } from './suite-runner.ts';

let target: TargetServer;
/** The sockets of collaboration upgrades, to cut some of them on purpose. */
const upgraded: Socket[] = [];
before(async () => {
  target = await createTargetServer(resolveTargetOptions({ db: ':memory:', redisUrl: null, amqpUrl: null, token: null }));
  target.app.server.on('upgrade', (req: { url?: string }, socket: Socket) => {
    if (req.url?.includes('/collaboration') === true) upgraded.push(socket);
  });
});
after(() => target.close());

// 2–4 s sessions (the seed's are 30–90 s, which no time scale shortens), presence every second
const SHORT = { SUITE_SCALE: '0.1', SESSION_SECONDS: '2-4', PRESENCE_INTERVAL: '1', OP_INTERVAL: '0.2-0.5' };

test('websocket suite: seed 000 collaboration at 1/10 size, 120x faster, passes connect, round-trip, stability and reconnect thresholds', async () => {
  const r = await runSuite('websocket', { target: target.url, timeScale: 120, env: SHORT });
  assert.equal(r.code, 0, `${failedThresholds(r.summary).join('\n')}\n${r.stderr}`);
  const s = r.summary;
  assert.deepEqual([...thresholdMetrics(s)].sort(), ['checks', 'ws_connecting', 'ws_msg_failed', 'ws_msg_rtt', 'ws_reconnect_duration', 'ws_stability']);
  assert.equal(s.metrics.vus_max?.values.value, 10);
  const sessions = s.metrics.ws_sessions?.values.count ?? 0;
  assert.ok(sessions >= 10, `every collaborator connected at least once (${sessions} sessions)`);
  // no session ended by an unexpected close (sessions still open when the run ends are not counted)
  assert.equal(s.metrics.ws_stability?.values.fails, 0);
  assert.ok((s.metrics.ws_stability?.values.passes ?? 0) >= 10);
  // every message was acknowledged (a VU stopped at ramp-down may leave an operation and a heartbeat unanswered)
  const sent = s.metrics.ws_msgs_sent?.values.count ?? 0;
  assert.equal(s.metrics.ws_msg_failed?.values.passes, 0);
  assert.ok((s.metrics.ws_msg_rtt?.values.count ?? 0) >= sent - 2 * 10 && sent > 0);
  // collaborators in a room see each other's operations
  assert.ok((s.metrics.ws_msgs_received?.values.count ?? 0) > (s.metrics.ws_msgs_sent?.values.count ?? 0));
});

test('websocket suite: connections cut by the server are re-established and timed; the stability threshold catches them', async () => {
  upgraded.length = 0;
  const cut = setInterval(() => {
    // cut the three oldest live connections once, about a second into the run
    const live = upgraded.filter((s) => !s.destroyed);
    if (live.length >= 6) {
      for (const s of live.slice(0, 3)) s.destroy();
      clearInterval(cut);
    }
  }, 200);
  try {
    const r = await runSuite('websocket', { target: target.url, timeScale: 120, env: SHORT });
    const s = r.summary;
    const reconnects = s.metrics.ws_reconnects?.values.count ?? 0;
    assert.equal(reconnects, 3, r.stderr);
    assert.equal(s.metrics.ws_reconnect_duration?.values.count, 3);
    assert.ok(s.agentload.thresholds.find((t) => t.metric === 'ws_reconnect_duration')?.ok);
    // three sessions had an unexpected close: stability below 99% fails the run
    assert.equal(s.metrics.ws_stability?.values.fails, 3);
    assert.equal(s.agentload.thresholds.find((t) => t.metric === 'ws_stability')?.ok, false);
    assert.equal(r.code, 99);
  } finally {
    clearInterval(cut);
  }
});
