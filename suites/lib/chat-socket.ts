/**
 * Seed 004's WSUser on /ws/chat: `{type: "message", id, content}` is
 * answered by `token` messages and a `final` one with the whole content;
 * `{type: "ping"}` by a `pong`. Every server message reports
 * `backpressure: {drops, queue_size}` (recorded by ctx.ws as
 * ws_backpressure_drops and ws_server_queue_size).
 */
import { Trend, type VuContext, type WsMessage, type WsSession } from 'agentload';
import { recordUsage } from './costs.ts';
import { authHeaders } from './requests.ts';
import { usageOf } from './runs-api.ts';
import { pathSetting, setting } from './settings.ts';

/** Message sent → first token of its answer (ms). */
export const wsChatTtft = new Trend('ws_chat_ttft', true);

export interface ChatFrame {
  type?: string;
  id?: unknown;
  content?: unknown;
  backpressure?: { drops?: unknown; queue_size?: unknown };
  dropped?: unknown;
}

/** Open a /ws/chat session (WS_CHAT_PATH), or null after a failed check. */
export async function openChat(ctx: VuContext, name = 'ws_chat'): Promise<WsSession | null> {
  try {
    const session = await ctx.ws.connect(pathSetting('WS_CHAT_PATH', '/ws/chat', ctx), { name, headers: authHeaders(ctx), timeout: '10s', requestTimeout: '60s' });
    ctx.check(session, { 'ws chat: connected': () => true });
    return session;
  } catch {
    ctx.check(null, { 'ws chat: connected': () => false });
    return null;
  }
}

let seq = 0;
/** A message id unique in this worker. */
export function nextId(ctx: Pick<VuContext, 'vu'>): string {
  return `${ctx.vu}-${++seq}`;
}

export const isFinal = (f: ChatFrame | undefined, id: string): boolean => f?.id === id && (f.type === 'final' || f.type === 'error');

/** Seed 004's validate_response: a backpressure report with queue_size < 1000; a final answer has content. */
export function validFinal(f: ChatFrame | undefined): boolean {
  const bp = f?.backpressure;
  const reported = typeof bp === 'object' && bp !== null && typeof bp.drops === 'number' && bp.drops >= 0 && typeof bp.queue_size === 'number' && bp.queue_size < 1000;
  return reported && f?.type === 'final' && typeof f.content === 'string' && f.content.length > 0;
}

/** One chat message and its whole answer: ws_msg_rtt{name:ws_chat} to the final, ws_chat_ttft to the first token, tokens and cost. */
export async function chatMessage(ctx: VuContext, session: WsSession): Promise<ChatFrame | undefined> {
  const id = nextId(ctx);
  const content = setting('WS_MESSAGE', 'Hello, I need help', ctx);
  const t0 = Date.now();
  const first = session.waitFor<ChatFrame>((f) => f?.id === id, { timeout: '60s' });
  const reply = await session.request({ type: 'message', id, content, timestamp: new Date().toISOString() }, { name: 'ws_chat', match: (f: ChatFrame | undefined) => isFinal(f, id) });
  const head: WsMessage | null = await first;
  if (head !== null && head.json<ChatFrame>()?.type === 'token') ctx.record(wsChatTtft, head.time - t0);
  const final = reply.message?.json<ChatFrame>();
  ctx.check(final, { 'ws chat: final answer with content and a backpressure report (queue < 1000)': validFinal });
  recordUsage(ctx, usageOf(final), 'ws_chat');
  return final;
}

/** Seed 004's heartbeat: a ping, answered by a pong (ws_msg_rtt{name:heartbeat}: the socket's own latency). */
export async function heartbeat(ctx: VuContext, session: WsSession): Promise<void> {
  const r = await session.request({ type: 'ping', id: nextId(ctx) }, { name: 'heartbeat', timeout: '10s' });
  ctx.check(r, { 'ws chat: pong': (x) => x.ok && x.message?.json<ChatFrame>()?.type === 'pong' });
}
