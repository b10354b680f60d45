/**
 * One collaborator on seed 000's /ws/runs/{runId}/collaboration: join a
 * run's room, keep presence with heartbeats, and graft / prune / flag steps
 * and move the cursor until the session is over. Every message carries an id
 * and the server acknowledges it, so each one is timed (ws_msg_rtt, tagged
 * with the operation as `name`).
 */
import type { SetupContext, VuContext, WsSession } from 'agentload';
import { createRun } from './runs-api.ts';
import { authHeaders } from './requests.ts';
import { numberSetting, pathSetting, secondsRange, setting } from './settings.ts';

export interface CollaborationData {
  runs: string[];
}

/** setup(): the runs whose rooms the collaborators join: COLLAB_RUN_IDS, or COLLAB_RUNS new ones. */
export async function collaborationRuns(ctx: SetupContext): Promise<string[]> {
  const given = setting('COLLAB_RUN_IDS', '', ctx);
  if (given !== '') return given.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const count = numberSetting('COLLAB_RUNS', 10, ctx, { min: 1, max: 10_000, integer: true });
  const runs: string[] = [];
  for (let i = 0; i < count; i++) {
    const id = await createRun(ctx);
    if (id === null) throw new Error('could not create the runs to collaborate on (POST RUNS_PATH failed); set COLLAB_RUN_IDS to use existing ones');
    runs.push(id);
  }
  return runs;
}

type Op = 'graft' | 'prune' | 'flag' | 'cursor';

interface Reply {
  ok?: boolean;
  result?: { id?: unknown };
}

function replyOf(r: { message: { json<T>(): T | undefined } | null }): Reply | undefined {
  return r.message?.json<Reply>();
}

/** One session: connect, collaborate for SESSION_SECONDS (30–90 s), close. */
export async function collaborate(ctx: VuContext<CollaborationData>): Promise<void> {
  const runId = ctx.data.runs[(ctx.vu - 1) % ctx.data.runs.length] as string;
  const path = pathSetting('WS_COLLAB_PATH', '/ws/runs/{runId}/collaboration', ctx, { runId });
  let session: WsSession;
  try {
    session = await ctx.ws.connect(`${path}?user=agentload-${ctx.vu}`, {
      name: 'collaboration',
      headers: authHeaders(ctx),
      timeout: '10s',
      requestTimeout: '10s',
      reconnect: { retries: 5, baseDelayMs: 250, maxDelayMs: 2000 },
    });
  } catch (e) {
    ctx.check(e, { 'collaboration: connected': () => false });
    await ctx.sleep(1);
    return;
  }
  ctx.check(session, { 'collaboration: connected': () => true });
  const presence = secondsRange('PRESENCE_INTERVAL', [5, 5], ctx)[0];
  const stopHeartbeat = session.heartbeat(`${Math.max(0.05, presence)}s`, () => ({ type: 'heartbeat', status: 'active' }), { reply: { name: 'presence' } });
  const [minS, maxS] = secondsRange('SESSION_SECONDS', [30, 90], ctx);
  const [minOp, maxOp] = secondsRange('OP_INTERVAL', [1, 2], ctx);
  const end = Date.now() + (minS + Math.random() * (maxS - minS)) * 1000;
  const mine: string[] = [];

  const graft = async (): Promise<void> => {
    const r = await session.request({ type: 'graft', name: `step by agentload-${ctx.vu}`, agent: 'agentload', parentId: null }, { name: 'graft' });
    const id = replyOf(r)?.result?.id;
    if (ctx.check(r, { 'graft: acknowledged': (x) => x.ok && replyOf(x)?.ok === true }) && typeof id === 'string') mine.push(id);
  };

  while (Date.now() < end && session.state !== 'closed') {
    let op: Op = ctx.pick({ graft: 30, prune: 20, flag: 15, cursor: 35 });
    // prune and flag work on a step of one's own: graft one first if there is none
    if ((op === 'prune' || op === 'flag') && mine.length === 0) op = 'graft';
    if (op === 'graft') await graft();
    else if (op === 'prune') {
      const stepId = mine.pop() as string;
      const r = await session.request({ type: 'prune', stepId }, { name: 'prune' });
      ctx.check(r, { 'prune: acknowledged': (x) => x.ok && replyOf(x)?.ok === true });
    } else if (op === 'flag') {
      const stepId = mine[ctx.randomInt(0, mine.length - 1)] as string;
      const r = await session.request({ type: 'flag', stepId, reason: 'needs review' }, { name: 'flag' });
      ctx.check(r, { 'flag: acknowledged': (x) => x.ok && replyOf(x)?.ok === true });
    } else {
      const r = await session.request({ type: 'cursor', x: ctx.randomInt(0, 1920), y: ctx.randomInt(0, 1080), stepId: mine[0] ?? null }, { name: 'cursor' });
      ctx.check(r, { 'cursor: acknowledged': (x) => x.ok && replyOf(x)?.ok === true });
    }
    const left = end - Date.now();
    if (left <= 0) break;
    await ctx.sleep(Math.min(left / 1000, minOp + Math.random() * (maxOp - minOp)));
  }
  stopHeartbeat();
  const info = await session.close(1000, 'session over');
  ctx.check(info, { 'collaboration: no unexpected close': (i) => !i.unexpected });
}
