/**
 * ctx.redis through the built engine and CLI against Redis (npm run test:services): exact command counts
 * and cache hits/misses for a scripted key sequence, a WRONGTYPE error code, keys removed afterwards.
 * REDIS_URL overrides the default server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { fixture, readSummary, runCli } from '../test/helpers/cli.ts';

const URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

test('cache hits and misses exact for a key sequence, 21 commands, WRONGTYPE tagged, keys removed', async () => {
  const prefix = `agentload:test:dp:${randomBytes(5).toString('hex')}`;
  const redis = new Redis(URL);
  try {
    const r = await runCli(['run', fixture('data-plane-redis.ts'), '--quiet', '-e', `DP_PREFIX=${prefix}`, '-e', `REDIS_URL=${URL}`]);
    assert.equal(r.code, 0, r.stderr);
    const m = readSummary(r.resultsDir).metrics;
    assert.equal(m.iteration_errors, undefined, r.stderr);
    assert.equal(m.iterations?.values.count, 12);
    assert.deepEqual([m.cache_hit_rate?.values.passes, m.cache_hit_rate?.values.fails, m.cache_hit_rate?.values.rate], [6, 6, 0.5]);
    assert.equal(m['cache_hit_rate{name:profile}']?.values.passes, 6);
    assert.equal(m.redis_cmd_duration?.values.count, 21);
    assert.equal(m['redis_cmd_duration{command:get}']?.values.count, 12);
    assert.equal(m['redis_cmd_duration{command:set}']?.values.count, 7);
    assert.equal(m['redis_cmd_duration{error_code:REDIS_WRONGTYPE}']?.values.count, 1);
    assert.deepEqual([m.checks?.values.passes, m.checks?.values.fails], [14, 0]);
    assert.deepEqual(await redis.keys(`${prefix}:*`), [], 'teardown deleted every key');
  } finally {
    const left = await redis.keys(`${prefix}:*`);
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
  }
});
