/**
 * One conformance suite for the target's store, run on every backend:
 * SQLite in memory and in a file (store.e2e.test.ts) and PostgreSQL
 * (test-services/postgres-store.test.ts). Same SQL, same answers.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Store } from '../../src/reference-target/store/store.ts';
import { buildTree } from '../../src/reference-target/store/runs-repo.ts';

export function storeConformance(name: string, open: () => Promise<Store>, dispose: (store: Store) => Promise<void> = (s) => s.close()): void {
  describe(`store conformance: ${name}`, () => {
    let store: Store;
    before(async () => {
      store = await open();
    });
    after(() => dispose(store));

    test('runs: create, read, filter by status, paginate newest first, update, delete', async () => {
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(await store.runs.create({ name: `r${i}`, goal: `goal ${i}`, status: i % 2 === 0 ? 'pending' : 'running', input: { i }, metadata: { tag: 'x' } }));
        // newest first is by creation time: wait for the clock to move on (not a fixed sleep)
        const at = Date.now();
        while (Date.now() <= at) await new Promise((r) => setImmediate(r));
      }
      const first = made[0]!;
      assert.deepEqual(await store.runs.get(first.id), first);
      assert.deepEqual(first.input, { i: 0 });
      const pending = await store.runs.list({ status: 'pending', limit: 2, offset: 0 });
      assert.equal(pending.total, 3);
      assert.deepEqual(pending.items.map((r) => r.name), ['r4', 'r2']);
      const page2 = await store.runs.list({ status: 'pending', limit: 2, offset: 2 });
      assert.deepEqual(page2.items.map((r) => r.name), ['r0']);
      const updated = await store.runs.update(first.id, { status: 'completed', output: { ok: true } });
      assert.equal(updated?.status, 'completed');
      assert.equal(updated?.name, 'r0', 'fields not in the patch are kept');
      assert.deepEqual(updated?.output, { ok: true });
      assert.equal(await store.runs.update('missing', { status: 'failed' }), null);
      assert.equal(await store.runs.delete(first.id), true);
      assert.equal(await store.runs.delete(first.id), false);
      assert.equal(await store.runs.get(first.id), null);
    });

    test('run steps: graft under parents, unknown run or parent, prune a subtree, flag and clear', async () => {
      const run = await store.runs.create({ name: 'tree' });
      const other = await store.runs.create({ name: 'other' });
      const root = await store.runs.addStep(run.id, { name: 'root', agent: 'planner' });
      assert.ok(typeof root !== 'string');
      const child = await store.runs.addStep(run.id, { name: 'child', parentId: root.id });
      assert.ok(typeof child !== 'string');
      const grandchild = await store.runs.addStep(run.id, { name: 'grandchild', parentId: child.id, output: { text: 'done' } });
      assert.ok(typeof grandchild !== 'string');
      const sibling = await store.runs.addStep(run.id, { name: 'sibling' });
      assert.ok(typeof sibling !== 'string');
      assert.equal(await store.runs.addStep('missing', { name: 'x' }), 'no-run');
      assert.equal(await store.runs.addStep(run.id, { name: 'x', parentId: 'missing' }), 'no-parent');
      assert.equal(await store.runs.addStep(other.id, { name: 'x', parentId: root.id }), 'no-parent', 'a parent from another run is refused');

      const tree = buildTree(await store.runs.steps(run.id));
      assert.deepEqual(tree.map((n) => n.name), ['root', 'sibling']);
      assert.equal(tree[0]?.children[0]?.children[0]?.name, 'grandchild');
      assert.deepEqual(tree[0]?.children[0]?.children[0]?.output, { text: 'done' });

      const flagged = await store.runs.flagStep(run.id, child.id, 'looks wrong');
      assert.equal(flagged?.flag, 'looks wrong');
      assert.equal((await store.runs.flagStep(run.id, child.id, null))?.flag, null);
      assert.equal(await store.runs.flagStep(other.id, child.id, 'x'), null, 'a step of another run is not found');

      const removed = await store.runs.pruneStep(run.id, root.id);
      assert.deepEqual(new Set(removed), new Set([root.id, child.id, grandchild.id]));
      assert.deepEqual((await store.runs.steps(run.id)).map((s) => s.name), ['sibling']);
      assert.deepEqual(await store.runs.pruneStep(run.id, root.id), []);

      assert.equal(await store.runs.delete(run.id), true);
      assert.deepEqual(await store.runs.steps(run.id), [], 'deleting a run removes its steps');
    });

    test('tasks: one claim wins among concurrent workers; complete and fail only from the right state', async () => {
      const task = await store.tasks.create({ title: 'classify', priority: 7, input: { q: 1 }, maxTokens: 8 });
      assert.equal(task.status, 'queued');
      const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => store.tasks.claim(task.id, `worker-${i}`)));
      const winners = claims.filter((c) => c !== null);
      assert.equal(winners.length, 1);
      assert.equal(winners[0]?.status, 'running');
      assert.equal(await store.tasks.complete(task.id, { text: 'answer', inputTokens: 10, outputTokens: 4 }), true);
      assert.equal(await store.tasks.complete(task.id, { text: 'again', inputTokens: 1, outputTokens: 1 }), false);
      assert.equal(await store.tasks.fail(task.id, 'late'), false);
      const done = await store.tasks.get(task.id);
      assert.equal(done?.status, 'completed');
      assert.equal(done?.result, 'answer');
      assert.deepEqual(done?.usage, { inputTokens: 10, outputTokens: 4 });
      assert.equal(typeof done?.startedAt, 'string');
      const second = await store.tasks.create({ title: 'x' });
      assert.equal(await store.tasks.fail(second.id, 'boom'), true);
      const failed = await store.tasks.list({ status: 'failed', limit: 10, offset: 0 });
      assert.ok(failed.items.some((t) => t.id === second.id && t.error === 'boom'));
    });

    test('agents: create, duplicate id refused, list by kind, delete only external ones', async () => {
      const w = await store.tasks.createAgent({ id: 'conformance-worker', name: 'w', kind: 'worker', capabilities: ['llm'] });
      assert.deepEqual(w?.capabilities, ['llm']);
      assert.equal(await store.tasks.createAgent({ id: 'conformance-worker', name: 'again', kind: 'worker' }), null);
      const ext = await store.tasks.createAgent({ name: 'ext', kind: 'external', metadata: { region: 'eu' } });
      assert.ok(ext !== null);
      const externals = await store.tasks.listAgents({ kind: 'external', limit: 100, offset: 0 });
      assert.ok(externals.items.some((a) => a.id === ext.id));
      assert.ok(externals.items.every((a) => a.kind === 'external'));
      assert.equal(await store.tasks.deleteAgent('conformance-worker'), false);
      assert.equal(await store.tasks.deleteAgent(ext.id), true);
      assert.equal(await store.tasks.getAgent(ext.id), null);
    });

    test('dags and executions: node states saved and read back', async () => {
      const dag = await store.dags.create({ name: 'd', nodes: [{ id: 'a', prompt: null, agent: null, dependsOn: [], maxTokens: null }] });
      assert.deepEqual((await store.dags.get(dag.id))?.nodes, dag.nodes);
      const e = await store.dags.createExecution(dag, { x: 1 });
      assert.equal(e.status, 'running');
      assert.equal(e.nodes.a?.status, 'pending');
      const nodes = { a: { ...e.nodes.a!, status: 'completed' as const, startSeq: 1, endSeq: 2, output: 'ok' } };
      await store.dags.saveExecution({ id: e.id, status: 'completed', nodes, error: null, completedAt: Date.now() });
      const read = await store.dags.getExecution(dag.id, e.id);
      assert.equal(read?.status, 'completed');
      assert.deepEqual(read?.nodes, nodes);
      assert.equal(await store.dags.getExecution('other', e.id), null);
      assert.equal((await store.dags.listExecutions(dag.id, { limit: 10, offset: 0 })).total, 1);
    });

    test('a2a tasks: started once; cancel wins over a later completion; counts by status', async () => {
      const t = await store.a2a.create({ skill: 'general', input: 'hello', priority: 5 });
      const starts = await Promise.all([store.a2a.start(t.id), store.a2a.start(t.id), store.a2a.start(t.id)]);
      assert.equal(starts.filter((s) => s !== null).length, 1);
      assert.equal((await store.a2a.cancel(t.id))?.status, 'canceled');
      assert.equal(await store.a2a.complete(t.id, { text: 'late', inputTokens: 1, outputTokens: 1 }), false);
      assert.equal(await store.a2a.cancel(t.id), null);
      const u = await store.a2a.create({ skill: 'general', input: { q: 'x' }, priority: 9 });
      assert.deepEqual(u.input, { q: 'x' });
      const counts = await store.a2a.counts();
      assert.ok(counts.canceled >= 1);
      assert.ok(counts.submitted >= 1);
      const waiting = await store.a2a.list({ status: 'submitted', limit: 1, offset: 0 });
      assert.equal(waiting.items[0]?.priority, 9, 'the queue lists the highest priority first');
    });

    test('votes: exact tallies under 200 concurrent votes; one vote per voter', async () => {
      const p = await store.proposals.create({ title: 'ship it?', options: ['yes', 'no', 'later'], quorum: 10, threshold: 0.5 });
      const votes = Array.from({ length: 200 }, (_, i) => store.proposals.vote(p.id, `voter-${i % 150}`, i % 3 === 0 ? 'no' : 'yes'));
      const results = await Promise.all(votes);
      assert.equal(results.filter((v) => v !== null).length, 150, 'the 50 repeated voters are refused');
      const expected = { yes: 0, no: 0, later: 0 };
      for (let i = 0; i < 150; i++) expected[i % 3 === 0 ? 'no' : 'yes']++;
      const tally = await store.proposals.tally(p);
      assert.deepEqual(tally.counts, expected);
      assert.equal(tally.totalVotes, 150);
      assert.equal(tally.consensus.reached, true);
      assert.equal(tally.consensus.leader, 'yes');
    });

    test('records: batch insert in one transaction; a failing batch stores nothing', async () => {
      const ids = await store.records.insertMany(Array.from({ length: 50 }, (_, i) => ({ kind: 'conformance', payload: { i } })));
      assert.equal(ids.length, 50);
      assert.deepEqual((await store.records.get(ids[7]!))?.payload, { i: 7 });
      assert.equal((await store.records.list({ kind: 'conformance', limit: 10, offset: 0 })).total, 50);
      const sql = 'INSERT INTO records (id, kind, payload, created_at) VALUES ($1, $2, $3, $4)';
      await assert.rejects(store.driver.runMany(sql, [['dup-1', 'tx', '1', 1], ['dup-2', 'tx', '2', 2], ['dup-1', 'tx', '3', 3]]));
      assert.equal((await store.records.list({ kind: 'tx', limit: 10, offset: 0 })).total, 0);
      assert.equal(await store.records.delete(ids[0]!), true);
      assert.equal(await store.records.get(ids[0]!), null);
    });

    test('analytics: aggregates agree with what was stored', async () => {
      const a = await store.analytics.aggregates();
      const runs = await store.runs.list({ limit: 1, offset: 0 });
      assert.equal(a.runs.total, runs.total);
      assert.equal(Object.values(a.runs.byStatus).reduce((x, y) => x + y, 0), a.runs.total);
      assert.equal(a.votes, 150);
      assert.ok(a.tasks.byStatus.completed! >= 1);
      assert.equal(typeof a.tasks.avgDurationMs, 'number');
      assert.equal(a.records, 49);
      assert.equal(a.dagExecutions.byStatus.completed, 1);
    });
  });
}
