/**
 * websocket — seed 000's WebSocket collaboration load test
 * (websocket-load-test.js): collaborators on /ws/runs/{runId}/collaboration
 * under 0 → 75 → 100 (spike) → 0 connections over 18 minutes.
 *
 * Each iteration is one session of 30–90 s in the room of one of the runs
 * setup creates: presence heartbeats every 5 s, and an operation every 1–2 s
 * picked graft 30%, prune 20%, flag 15%, cursor 35%. Sessions reconnect
 * after an unexpected close (up to 5 attempts).
 *
 * Thresholds (seed 000): connection p95 < 1 s (ws_connecting), message round
 * trip p95 < 100 ms (ws_msg_rtt), stability > 99% (ws_stability: sessions
 * without an unexpected close), reconnection p95 < 3 s
 * (ws_reconnect_duration, when a connection dropped).
 *
 *   agentload run --suite websocket
 *   SESSION_SECONDS=5-10 agentload run --suite websocket --time-scale 20
 *
 * Options: docs/suites.md#websocket.
 */
import { defineTest } from 'agentload';
import { collaborate, collaborationRuns, type CollaborationData } from './lib/collaboration.ts';
import { requireHealthy, targetHttp } from './lib/runs-api.ts';
import { scaledStages, secondsRange } from './lib/settings.ts';

export default defineTest<CollaborationData>({
  name: 'websocket',
  http: targetHttp(),
  setup: async (ctx) => {
    await requireHealthy(ctx);
    return { runs: await collaborationRuns(ctx) };
  },
  scenarios: {
    collaborators: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: scaledStages([
        { duration: '2m', target: 40 },
        { duration: '3m', target: 75 },
        { duration: '5m', target: 75 },
        { duration: '1m', target: 100 }, // spike
        { duration: '3m', target: 100 },
        { duration: '1m', target: 75 },
        { duration: '3m', target: 0 },
      ]),
      // a collaborator ramping down ends its session (up to 90 s) before it leaves
      gracefulRampDown: '2m',
      gracefulStop: '2m',
      exec: async (ctx) => {
        await collaborate(ctx);
        const [lo, hi] = secondsRange('THINK_TIME', [1, 1], ctx);
        await ctx.sleepBetween(lo, hi);
      },
    },
  },
  thresholds: {
    ws_connecting: ['p(95)<1000'],
    ws_msg_rtt: ['p(95)<100'],
    ws_msg_failed: ['rate<0.01'],
    ws_stability: ['rate>0.99'],
    ws_reconnect_duration: ['p(95)<3000'],
    checks: ['rate>0.99'],
  },
});
