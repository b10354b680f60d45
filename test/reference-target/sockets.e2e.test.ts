/**
 * The target's WebSockets end to end: /ws/runs/:runId/collaboration (rooms,
 * acks by id, broadcasts to every member, changes stored in the run,
 * presence) and /ws/chat (streamed answers, and a slow client that stops
 * reading: its tokens are dropped and counted, never its final answers).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { TargetHandle } from '../../src/reference-target/index.ts';
import { api, fastTarget, SocketClient, upgradeStatus, type Message } from './target-fixture.ts';

interface StepNode {
  id: string;
  name: string;
  flag: string | null;
  children: StepNode[];
}

const until = async (what: string, check: () => Promise<boolean>, tries = 500): Promise<void> => {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${what} did not happen`);
};

describe('collaboration socket', () => {
  let t: TargetHandle;
  before(async () => {
    t = await fastTarget({ presenceTimeoutMs: 150 });
  });
  after(() => t.close());

  const room = async (): Promise<{ runId: string; url: (user: string) => string }> => {
    const run = await api<{ id: string }>(t.url, 'POST', '/api/runs', { name: 'collab' });
    return { runId: run.body.id, url: (user) => `${t.wsUrl}/ws/runs/${run.body.id}/collaboration?user=${user}` };
  };

  test('an unknown run is refused with 404 before the upgrade', async () => {
    assert.equal(await upgradeStatus(`${t.wsUrl}/ws/runs/no-such-run/collaboration`), 404);
  });

  test('graft, flag and prune are acked with their id, broadcast to all three members, and stored in the run', async () => {
    const { runId, url } = await room();
    const alice = await SocketClient.open(url('alice'));
    const bob = await SocketClient.open(url('bob'));
    const carol = await SocketClient.open(url('carol'));
    const everyone = [alice, bob, carol];
    const welcome = await carol.waitFor((m) => m.type === 'welcome');
    assert.equal((welcome.members as unknown[]).length, 3);
    assert.equal(welcome.user, 'carol');
    const joined = await alice.waitFor((m) => m.type === 'presence' && m.event === 'join' && m.user === 'carol');
    assert.equal((joined.members as unknown[]).length, 3);

    const graft = await alice.request({ type: 'graft', id: 'g1', name: 'plan', agent: 'planner' });
    assert.equal(graft.ok, true);
    const root = graft.result as { id: string; name: string; createdBy: string };
    assert.equal(root.name, 'plan');
    assert.equal(root.createdBy, 'alice');
    for (const c of everyone) {
      const ev = await c.waitFor((m) => m.type === 'graft' && (m.step as { id: string }).id === root.id, 'the graft broadcast');
      assert.equal(ev.user, 'alice');
      assert.equal(ev.runId, runId);
    }
    const child = (await bob.request({ type: 'graft', id: 7, name: 'act', parentId: root.id })).result as { id: string };
    const flag = await carol.request({ type: 'flag', id: 'f1', stepId: child.id, reason: 'needs review' });
    assert.equal((flag.result as { flag: string }).flag, 'needs review');
    for (const c of everyone) await c.waitFor((m) => m.type === 'flag' && (m.step as { id: string }).id === child.id, 'the flag broadcast');

    const stored = await api<{ steps: StepNode[] }>(t.url, 'GET', `/api/runs/${runId}`);
    assert.equal(stored.body.steps[0]?.name, 'plan');
    assert.equal(stored.body.steps[0]?.children[0]?.flag, 'needs review');

    const prune = await alice.request({ type: 'prune', id: 'p1', stepId: root.id });
    assert.deepEqual(new Set((prune.result as { removed: string[] }).removed), new Set([root.id, child.id]));
    for (const c of everyone) await c.waitFor((m) => m.type === 'prune' && m.stepId === root.id, 'the prune broadcast');
    assert.deepEqual((await api<{ steps: StepNode[] }>(t.url, 'GET', `/api/runs/${runId}`)).body.steps, []);

    // A change made over REST reaches the room too.
    const rest = await api<{ id: string }>(t.url, 'POST', `/api/runs/${runId}/graft`, { name: 'from rest' });
    for (const c of everyone) await c.waitFor((m) => m.type === 'graft' && (m.step as { id: string }).id === rest.body.id, 'the REST graft broadcast');

    const sync = await bob.request({ type: 'sync', id: 's1' });
    assert.equal(((sync.result as { run: { stepCount: number } }).run).stepCount, 1);

    await carol.close();
    const left = await alice.waitFor((m) => m.type === 'presence' && m.event === 'leave' && m.user === 'carol');
    assert.equal((left.members as unknown[]).length, 2);
    await alice.close();
    await bob.close();
  });

  test('every message with an id gets exactly one ack, errors included; cursors go to the others only', async () => {
    const { url } = await room();
    const a = await SocketClient.open(url('a'));
    const b = await SocketClient.open(url('b'));
    await b.waitFor((m) => m.type === 'welcome');
    const sent: Message[] = [
      { type: 'heartbeat', id: 'h1' },
      { type: 'cursor', id: 'c1', x: 10, y: 20, stepId: null },
      { type: 'graft', id: 'bad1' },
      { type: 'prune', id: 'bad2', stepId: 'no-such-step' },
      { type: 'cursor', id: 'bad3', x: 'left', y: 1 },
      { type: 'dance', id: 'bad4' },
      { type: 'join', id: 'j1', user: 'a-renamed' },
      { type: 'presence', id: 'h2', status: 'away' },
    ];
    for (const m of sent) a.send(m);
    for (const m of sent) await a.waitFor((x) => x.type === 'ack' && x.id === m.id, `ack ${String(m.id)}`);
    const acks = a.messages.filter((m) => m.type === 'ack');
    assert.equal(acks.length, sent.length);
    const byId = new Map(acks.map((m) => [m.id, m]));
    assert.equal(byId.get('h1')?.ok, true);
    assert.equal(byId.get('c1')?.ok, true);
    assert.deepEqual([byId.get('bad1')?.ok, (byId.get('bad1')?.error as { field: string }).field], [false, 'name']);
    assert.deepEqual([(byId.get('bad2')?.error as { code: string; field: string }).code, (byId.get('bad2')?.error as { field: string }).field], ['not_found', 'stepId']);
    assert.equal((byId.get('bad3')?.error as { field: string }).field, 'x');
    assert.equal((byId.get('bad4')?.error as { field: string }).field, 'type');
    const cursor = await b.waitFor((m) => m.type === 'cursor');
    assert.deepEqual([cursor.x, cursor.y, cursor.user], [10, 20, 'a']);
    assert.equal(a.messages.filter((m) => m.type === 'cursor').length, 0, 'the sender does not get its own cursor back');
    await b.waitFor((m) => m.type === 'presence' && m.user === 'a-renamed' && m.status === 'away');

    a.send({ type: 'graft', name: 'no id' });
    await b.waitFor((m) => m.type === 'graft' && (m.step as { name: string }).name === 'no id');
    a.ws.send('not json');
    const err = await a.waitFor((m) => m.type === 'error');
    assert.equal(err.field, 'message');
    await a.close();
    await b.close();
  });

  test('a member silent past the presence timeout is shown as away, and active again when it speaks', async () => {
    const { url } = await room();
    const quiet = await SocketClient.open(url('quiet'));
    const watcher = await SocketClient.open(url('watcher'));
    await watcher.waitFor((m) => m.type === 'presence' && m.user === 'quiet' && m.status === 'away', 'quiet shown as away', 5000);
    quiet.send({ type: 'heartbeat', id: 1 });
    await watcher.waitFor((m) => m.type === 'presence' && m.user === 'quiet' && m.status === 'active' && m.event === 'update');
    await quiet.close();
    await watcher.close();
  });

  test('the WebSocket connection gauge follows connections', async () => {
    const { url } = await room();
    const gauge = async (): Promise<number> => Number(/^websocket_active_connections\{endpoint="collaboration"\} (\d+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1] ?? 0);
    const base = await gauge();
    const a = await SocketClient.open(url('g1'));
    const b = await SocketClient.open(url('g2'));
    await b.waitFor((m) => m.type === 'welcome');
    assert.equal(await gauge(), base + 2);
    await a.close();
    await b.close();
    await until('the gauge to drop', async () => (await gauge()) === base);
  });
});

describe('chat socket', () => {
  test('a message streams tokens then a final answer; ping gets pong; every message carries backpressure', async () => {
    const t = await fastTarget();
    try {
      const c = await SocketClient.open(`${t.wsUrl}/ws/chat`);
      c.send({ type: 'message', id: 'q1', content: 'Hello, I need help', timestamp: new Date().toISOString() });
      const final = await c.waitFor((m) => m.type === 'final' && m.id === 'q1');
      const tokens = c.messages.filter((m) => m.type === 'token' && m.id === 'q1');
      assert.equal(tokens.length, 12);
      assert.equal(final.content, tokens.map((m) => m.content).join(''));
      assert.equal((final.usage as { output_tokens: number }).output_tokens, 12);
      assert.equal(final.dropped, 0);
      for (const m of c.messages) assert.deepEqual(Object.keys(m.backpressure as object).sort(), ['drops', 'queue_size']);
      c.send({ type: 'ping', id: 'p' });
      assert.equal((await c.waitFor((m) => m.type === 'pong')).id, 'p');
      c.send({ type: 'message', id: 'bad', content: '' });
      assert.equal((await c.waitFor((m) => m.type === 'error' && m.id === 'bad')).field, 'content');
      c.send({ type: 'shout', id: 'x' });
      assert.equal((await c.waitFor((m) => m.type === 'error' && m.id === 'x')).field, 'type');
      await c.close();
    } finally {
      await t.close();
    }
  });

  test('a client that stops reading: tokens are dropped and counted, finals all arrive, and received + dropped = generated', async () => {
    const QUEUE = 64;
    const t = await fastTarget({
      chatSendQueue: QUEUE,
      chatHighWaterBytes: 16 * 1024,
      llm: { outputTokensMean: 6000, outputTokensSpread: 0, maxOutputTokens: 10_000, concurrency: 0 },
    });
    try {
      const c = await SocketClient.open(`${t.wsUrl}/ws/chat`);
      c.ws.pause(); // stop reading: the kernel buffers fill (a few MB on loopback), then the server's queue
      const metric = async (re: RegExp): Promise<number> => Number(re.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1] ?? 0);
      const ids: string[] = [];
      let serverDrops = 0;
      // Ask for long answers, four at a time, until the server has had to drop (at most 40 answers, 240 000 tokens).
      while (serverDrops === 0 && ids.length < 40) {
        for (let i = 0; i < 4; i++) {
          const id = `q${ids.length}`;
          ids.push(id);
          c.send({ type: 'message', id, content: `long answer ${id}` });
        }
        await until(`${ids.length} answers to be generated`, async () => (await metric(/^mock_llm_requests_completed_total (\d+)$/m)) === ids.length, 2000);
        serverDrops = await metric(/^websocket_backpressure_drops_total\{endpoint="chat"\} (\d+)$/m);
      }
      assert.ok(serverDrops > 0, 'the slow client made the server drop messages');
      c.ws.resume();
      for (const id of ids) await c.waitFor((m) => m.type === 'final' && m.id === id, `final ${id}`, 20_000);
      let dropped = 0;
      for (const id of ids) {
        const final = c.messages.find((m) => m.type === 'final' && m.id === id) as Message;
        const received = c.messages.filter((m) => m.type === 'token' && m.id === id).length;
        assert.equal(received + (final.dropped as number), 6000, `answer ${id}: received + dropped = generated`);
        dropped += final.dropped as number;
      }
      assert.equal(dropped, serverDrops, 'the drops reported to the client are the ones counted in /metrics');
      const last = c.messages.at(-1) as { backpressure: { drops: number } };
      assert.equal(last.backpressure.drops, serverDrops);
      assert.ok(c.messages.every((m) => (m.backpressure as { queue_size: number }).queue_size < QUEUE), 'the queue never exceeds its bound');
      await c.close();
    } finally {
      await t.close();
    }
  });
});
