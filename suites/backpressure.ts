/**
 * backpressure — seed 004's WebSocket backpressure test (SlowClientUser) on
 * /ws/chat: 10 users, each with one session, for 2 minutes, running two
 * tasks with equal weight:
 *
 *   slow_message_processing  send a message, stop reading for 5 s (the
 *                            server's messages back up), then read the answer
 *   rapid_message_sending    10 messages 100 ms apart, then every answer
 *
 * Every answer is validated as seed 004's validate_backpressure_behavior
 * does: the server reports `backpressure: {drops, queue_size}` with
 * queue_size < 1000, and the final message has content.
 *
 * Thresholds (seed 004): backpressure drops <= 10 (ws_backpressure_drops:
 * messages the server says it dropped), server queue < 1000
 * (ws_server_queue_size max), every message answered, checks > 99%.
 *
 *   agentload run --suite backpressure
 *
 * Options: docs/suites.md#backpressure.
 */
import { defineTest, type VuContext, type WsSession } from 'agentload';
import { isFinal, nextId, openChat, validFinal, type ChatFrame } from './lib/chat-socket.ts';
import { perVu } from './lib/requests.ts';
import { targetHttp } from './lib/runs-api.ts';
import { numberSetting, scaledCount, setting } from './lib/settings.ts';

const chatOf = perVu<{ session: WsSession | null }>(() => ({ session: null }));

/** The VU's session (Locust's on_start), kept across iterations. */
async function sessionOf(ctx: VuContext): Promise<WsSession | null> {
  const state = chatOf(ctx);
  if (state.session === null || state.session.state === 'closed') state.session = await openChat(ctx, 'ws_backpressure');
  return state.session;
}

function message(ctx: VuContext, id: string, content: string): Record<string, unknown> {
  return { type: 'message', id, content };
}

async function slow(ctx: VuContext): Promise<void> {
  const session = await sessionOf(ctx);
  if (session === null) return;
  const id = nextId(ctx);
  const answer = session.request(message(ctx, id, setting('WS_MESSAGE', 'test', ctx)), { name: 'slow_client', match: (f: ChatFrame | undefined) => isFinal(f, id) });
  await session.pauseReading(`${numberSetting('SLOW_DELAY', 5, ctx, { min: 0, max: 600 })}s`);
  const r = await answer;
  ctx.check(r.message?.json<ChatFrame>(), { 'slow client: answered with content and a backpressure report (queue < 1000)': validFinal });
}

async function rapid(ctx: VuContext): Promise<void> {
  const session = await sessionOf(ctx);
  if (session === null) return;
  const count = numberSetting('RAPID_COUNT', 10, ctx, { min: 1, max: 10_000, integer: true });
  const interval = numberSetting('RAPID_INTERVAL', 0.1, ctx, { min: 0, max: 60 });
  const answers = [];
  for (let i = 0; i < count; i++) {
    const id = nextId(ctx);
    answers.push(session.request(message(ctx, id, `message ${i}`), { name: 'rapid_client', match: (f: ChatFrame | undefined) => isFinal(f, id) }));
    if (i < count - 1) await ctx.sleep(interval);
  }
  for (const r of await Promise.all(answers)) {
    ctx.check(r.message?.json<ChatFrame>(), { 'rapid client: answered with content and a backpressure report (queue < 1000)': validFinal });
  }
}

export default defineTest({
  name: 'backpressure',
  http: targetHttp(),
  scenarios: {
    slow_clients: {
      executor: 'constant-vus',
      vus: scaledCount('BACKPRESSURE_VUS', 10),
      duration: '2m',
      // a slow iteration takes SLOW_DELAY plus an answer: it finishes even under --time-scale
      gracefulStop: '10m',
      tasks: {
        slow_message_processing: { weight: 1, fn: slow },
        rapid_message_sending: { weight: 1, fn: rapid },
      },
    },
  },
  thresholds: {
    ws_backpressure_drops: ['count<=10'],
    ws_server_queue_size: ['max<1000'],
    ws_msg_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
});
