/**
 * platform — seed 004's user profiles and performance profiles (`make perf
 * PROFILE=…`): REST users and WebSocket users, half and half.
 *
 *   APIUser  chat 3 : workflow 2 : analytics 1, waiting 1–3 s between tasks
 *   WSUser   one /ws/chat session per user; message 5 : heartbeat 1,
 *            waiting 0.5–2 s
 *
 * Profiles (seed 004; users ramp at the spawn rate, then hold):
 *
 *   baseline  100 users, 10/s, 10 minutes   API p95 < 500 ms, p99 < 1 s; WS p95 < 100 ms; errors < 0.1%
 *   stress    500 users, 50/s, 5 minutes    API p95 < 1 s, p99 < 2 s;    WS p95 < 200 ms; errors < 1%
 *   spike    1000 users, 100/s, 2 minutes   API p95 < 1.5 s, p99 < 3 s;  WS p95 < 300 ms; errors < 5%
 *   soak      200 users, 20/s, 2 hours      API p95 < 800 ms, p99 < 1.5 s; WS p95 < 150 ms; errors < 0.5%
 *
 * "API" is the REST endpoints that answer without a model (analytics); chat
 * and workflows wait for the model and are held to seed 000's AI budget
 * (p95 < 2 s, p99 < 5 s), widened by the profile's factor. "WS" is the
 * heartbeat round trip. Every profile: cost per AI request < $0.01.
 *
 * Without --profile the users follow the baseline shape and only the
 * cost and check thresholds apply: run it as `npm run perf` (baseline) or
 * with --profile NAME.
 *
 *   npm run perf                                      # baseline
 *   npm run perf -- --profile stress
 *   agentload run --suite platform --profile spike --env staging
 *
 * Options: docs/suites.md#platform.
 */
import { defineTest, type ProfileDefinition, type ThresholdInput, type VuContext, type WsSession } from 'agentload';
import { chatMessage, heartbeat, openChat } from './lib/chat-socket.ts';
import { recordUsage } from './lib/costs.ts';
import { perVu } from './lib/requests.ts';
import { analytics, chat, requireHealthy, targetHttp, workflow } from './lib/runs-api.ts';
import { SCALE, secondsRange } from './lib/settings.ts';

interface Targets {
  apiP95: number;
  apiP99: number;
  wsP95: number;
  wsP99?: number;
  errors: number;
}

/** Seed 004's profile: `users` spawned at `rate` per second, for `duration` in all. */
function profile(description: string, users: number, rate: number, hold: string, t: Targets, aiFactor: number): ProfileDefinition {
  const peak = Math.max(2, Math.round(users * SCALE));
  const ramp = Math.max(1, Math.round(users / rate));
  const thresholds: Record<string, ThresholdInput[]> = {
    'http_req_duration{type:api}': [`p(95)<${t.apiP95}`, `p(99)<${t.apiP99}`],
    'http_req_duration{type:ai}': [`p(95)<${2000 * aiFactor}`, `p(99)<${5000 * aiFactor}`],
    'ws_msg_rtt{name:heartbeat}': [`p(95)<${t.wsP95}`, ...(t.wsP99 === undefined ? [] : [`p(99)<${t.wsP99}`])],
    http_req_failed: [`rate<${t.errors}`],
    ws_msg_failed: [`rate<${t.errors}`],
  };
  return { description, stages: [{ duration: `${ramp}s`, target: peak }, { duration: hold, target: peak }], thresholds };
}

const profiles: Record<string, ProfileDefinition> = {
  baseline: profile('seed 004 baseline: 100 users spawned at 10/s, 10 minutes', 100, 10, '9m50s', { apiP95: 500, apiP99: 1000, wsP95: 100, wsP99: 200, errors: 0.001 }, 1),
  stress: profile('seed 004 stress: 500 users spawned at 50/s, 5 minutes', 500, 50, '4m50s', { apiP95: 1000, apiP99: 2000, wsP95: 200, errors: 0.01 }, 2),
  spike: profile('seed 004 spike: 1000 users spawned at 100/s, 2 minutes', 1000, 100, '1m50s', { apiP95: 1500, apiP99: 3000, wsP95: 300, errors: 0.05 }, 3),
  soak: profile('seed 004 soak: 200 users spawned at 20/s, 2 hours', 200, 20, '1h59m50s', { apiP95: 800, apiP99: 1500, wsP95: 150, errors: 0.005 }, 1.6),
};
/** The baseline shape, split between the two user classes, for runs without --profile. */
const half = (n: number): number => Math.max(1, Math.round((n * SCALE) / 2));

/**
 * What both user classes share (one run spawns them together): the baseline
 * shape, half the users each, and a generous stop — a user finishes its task
 * (an AI answer takes seconds) even under a strong --time-scale.
 */
const userClass = () => ({
  executor: 'ramping-vus' as const,
  stages: [
    { duration: '10s', target: half(100) },
    { duration: '9m50s', target: half(100) },
  ],
  gracefulRampDown: '10m',
  gracefulStop: '10m',
});

const chatOf = perVu<{ session: WsSession | null }>(() => ({ session: null }));

/** The VU's /ws/chat session (Locust's on_start): opened on its first task, kept across iterations, closed when the VU retires. */
async function sessionOf(ctx: VuContext): Promise<WsSession | null> {
  const state = chatOf(ctx);
  if (state.session === null || state.session.state === 'closed') state.session = await openChat(ctx);
  return state.session;
}

const [apiWaitLo, apiWaitHi] = secondsRange('API_WAIT', [1, 3]);
const [wsWaitLo, wsWaitHi] = secondsRange('WS_WAIT', [0.5, 2]);

export default defineTest({
  name: 'platform',
  http: targetHttp(),
  setup: requireHealthy,
  scenarios: {
    api_users: {
      ...userClass(),
      waitTime: [apiWaitLo, apiWaitHi],
      tasks: {
        chat: { weight: 3, fn: async (ctx) => recordUsage(ctx, await chat(ctx), 'chat') },
        workflow: { weight: 2, fn: async (ctx) => recordUsage(ctx, await workflow(ctx), 'workflow') },
        analytics: { weight: 1, fn: analytics },
      },
    },
    ws_users: {
      ...userClass(),
      waitTime: [wsWaitLo, wsWaitHi],
      tasks: {
        message: {
          weight: 5,
          fn: async (ctx) => {
            const session = await sessionOf(ctx);
            if (session !== null) await chatMessage(ctx, session);
          },
        },
        heartbeat: {
          weight: 1,
          fn: async (ctx) => {
            const session = await sessionOf(ctx);
            if (session !== null) await heartbeat(ctx, session);
          },
        },
      },
    },
  },
  profiles,
  thresholds: {
    // seed 004: cost per request < $0.01 (each AI request: chat, workflow, WebSocket answer)
    llm_cost_usd: ['avg<0.01'],
    checks: ['rate>0.99'],
  },
});
