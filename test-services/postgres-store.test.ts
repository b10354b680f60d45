/**
 * The target on PostgreSQL (npm run test:services): the store conformance
 * suite, then the HTTP API end to end. Each run uses a schema of its own and
 * drops it at the end. DATABASE_URL overrides the default database.
 */
import { randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { openStore } from '../src/reference-target/store/store.ts';
import { storeConformance } from '../test/reference-target/store-conformance.ts';
import { api, fastTarget } from '../test/reference-target/target-fixture.ts';
import type { TargetHandle } from '../src/reference-target/index.ts';

const URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const schemas: string[] = [];
const schemaName = (): string => {
  const s = `agentload_test_${randomBytes(4).toString('hex')}`;
  schemas.push(s);
  return s;
};

after(async () => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS "${s}" CASCADE`);
  await client.end();
});

storeConformance('PostgreSQL', () => openStore(URL, { schema: schemaName(), poolSize: 5 }));

let target: TargetHandle;
before(async () => {
  target = await fastTarget({ db: URL, dbSchema: schemaName(), dbPoolSize: 4 });
});
after(() => target.close());

test('the target on PostgreSQL: health names the backend, runs and grafts persist, pool metrics are exported', async () => {
  const h = await api<{ components: { db: { kind: string; location: string } } }>(target.url, 'GET', '/health');
  assert.equal(h.status, 200);
  assert.equal(h.body.components.db.kind, 'postgres');
  assert.doesNotMatch(h.text, /postgres@/, 'no user name or password in the health answer');
  const run = await api<{ id: string }>(target.url, 'POST', '/api/runs', { name: 'pg run' });
  assert.equal(run.status, 201);
  const step = await api<{ id: string }>(target.url, 'POST', `/api/runs/${run.body.id}/graft`, { name: 'a' });
  assert.equal(step.status, 201);
  const read = await api<{ steps: { id: string }[]; stepCount: number }>(target.url, 'GET', `/api/runs/${run.body.id}`);
  assert.equal(read.body.stepCount, 1);
  assert.equal(read.body.steps[0]?.id, step.body.id);
  const metrics = await (await fetch(`${target.url}/metrics`)).text();
  assert.match(metrics, /^db_pool_size [1-4]$/m);
  assert.match(metrics, /^db_query_duration_seconds_count\{op="insert"\} [1-9]/m);
});

test('the target on PostgreSQL: concurrent votes are tallied exactly', async () => {
  const p = await api<{ id: string }>(target.url, 'POST', '/api/proposals', { title: 'pg vote', options: ['a', 'b'], quorum: 5 });
  const results = await Promise.all(
    Array.from({ length: 60 }, (_, i) => api(target.url, 'POST', `/api/proposals/${p.body.id}/votes`, { voterId: `v${i % 40}`, choice: i % 4 === 0 ? 'b' : 'a' })),
  );
  assert.equal(results.filter((r) => r.status === 201).length, 40);
  assert.equal(results.filter((r) => r.status === 409).length, 20);
  const tally = await api<{ counts: Record<string, number>; totalVotes: number }>(target.url, 'GET', `/api/proposals/${p.body.id}`);
  assert.equal(tally.body.totalVotes, 40);
  assert.deepEqual(tally.body.counts, { a: 30, b: 10 });
});
