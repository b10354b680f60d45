/**
 * The target's read cache on Redis (npm run test:services): hits and misses,
 * invalidation on writes, keys under an instance prefix that are removed on
 * close. REDIS_URL overrides the default server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startTarget } from '../src/reference-target/index.ts';
import { api, fastTarget } from '../test/reference-target/target-fixture.ts';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

async function targetKeys(redis: Redis): Promise<Set<string>> {
  const keys = new Set<string>();
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', 'agentload:target:*', 'COUNT', 1000);
    cursor = next;
    for (const k of batch) keys.add(k);
  } while (cursor !== '0');
  return keys;
}

test('Redis mode: MISS then HIT, writes invalidate, stats say redis, keys are removed on close', async () => {
  const redis = new Redis(URL);
  const before = await targetKeys(redis);
  const t = await fastTarget({ redisUrl: URL });
  try {
    const health = await api<{ components: { cache: { backend: string } } }>(t.url, 'GET', '/health');
    assert.equal(health.body.components.cache.backend, 'redis');
    const run = await api<{ id: string }>(t.url, 'POST', '/api/runs', { name: 'redis' });
    assert.equal((await api(t.url, 'GET', `/api/runs/${run.body.id}`)).headers.get('x-cache'), 'MISS');
    const hit = await api<{ name: string }>(t.url, 'GET', `/api/runs/${run.body.id}`);
    assert.equal(hit.headers.get('x-cache'), 'HIT');
    assert.equal(hit.body.name, 'redis');
    await api(t.url, 'PATCH', `/api/runs/${run.body.id}`, { name: 'renamed' });
    const fresh = await api<{ name: string }>(t.url, 'GET', `/api/runs/${run.body.id}`);
    assert.equal(fresh.headers.get('x-cache'), 'MISS');
    assert.equal(fresh.body.name, 'renamed');

    const p = await api<{ id: string }>(t.url, 'POST', '/api/proposals', { title: 'cached tally' });
    await api(t.url, 'GET', `/api/proposals/${p.body.id}`);
    await Promise.all(Array.from({ length: 20 }, (_, i) => api(t.url, 'POST', `/api/proposals/${p.body.id}/votes`, { voterId: `v${i}`, choice: 'approve' })));
    assert.equal((await api<{ totalVotes: number }>(t.url, 'GET', `/api/proposals/${p.body.id}`)).body.totalVotes, 20, 'no stale tally after concurrent votes');

    const stats = await api<{ backend: string; hits: number; misses: number; size: number | null }>(t.url, 'GET', '/api/cache/stats');
    assert.equal(stats.body.backend, 'redis');
    assert.ok(stats.body.hits >= 1 && stats.body.misses >= 2);
    assert.equal(stats.body.size, null);
    const during = [...(await targetKeys(redis))].filter((k) => !before.has(k));
    assert.ok(during.length >= 1, 'the target keeps its entries in Redis');
    assert.equal(new Set(during.map((k) => k.split(':').slice(0, 3).join(':'))).size, 1, 'all under one instance prefix');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(metrics, /^cache_hits_total [1-9]\d*$/m);
    await t.close();
    const left = [...(await targetKeys(redis))].filter((k) => during.includes(k));
    assert.deepEqual(left, [], 'closing removes the instance keys');
  } finally {
    await t.close();
    redis.disconnect();
  }
});

test('an unreachable Redis fails the start with a clear error', async () => {
  await assert.rejects(startTarget({ redisUrl: 'redis://127.0.0.1:1', db: ':memory:' }), /cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
});
