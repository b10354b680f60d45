/**
 * The data-plane clients without any service: bad input gets a clear error,
 * and a refused port fails the operation with error_code ECONNREFUSED on its
 * duration sample (ports are those of a server that was just closed).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { AmqpClient } from '../../src/protocols/amqp/client.ts';
import { AmqpError, amqpErrorCodeOf } from '../../src/protocols/amqp/error-codes.ts';
import { SqlClient } from '../../src/protocols/sql/client.ts';
import { SqlError, sqlErrorCodeOf } from '../../src/protocols/sql/error-codes.ts';
import { RedisClient } from '../../src/protocols/redis/client.ts';
import { RedisError, redisErrorCodeOf } from '../../src/protocols/redis/error-codes.ts';
import { closeDataPlane } from '../../src/protocols/sql/close-data-plane.ts';
import { TestScope } from './ws-test-scope.ts';

after(() => closeDataPlane());

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

test('connect() names a missing or malformed URL', () => {
  const scope = new TestScope();
  assert.throws(() => new AmqpClient(scope).connect(), /amqp\.connect\(\): give the broker URL .* AMQP_URL/);
  assert.throws(() => new AmqpClient(scope).connect('http://x'), /must start with amqp:\/\/ or amqps:\/\/ \(got http:\/\/\)/);
  assert.throws(() => new SqlClient(scope).connect(), /DATABASE_URL/);
  assert.throws(() => new SqlClient(scope).connect('not a url'), /sql\.connect\(\): the connection string could not be parsed/);
  assert.throws(() => new SqlClient(scope).connect('postgresql://127.0.0.1:1/x', { max: 0 }), /max must be a positive integer \(got 0\)/);
  assert.throws(() => new RedisClient(scope).connect('mysql://x'), /must start with redis:\/\/ or rediss:\/\//);
  // the URL can come from the VU's environment
  assert.equal(new RedisClient(new TestScope({ REDIS_URL: 'redis://127.0.0.1:1/2' })).connect().location, 'redis://127.0.0.1:1/2');
});

test('operation arguments are checked before any connection', async () => {
  const scope = new TestScope();
  const ch = new AmqpClient(scope).connect('amqp://guest:guest@127.0.0.1:1');
  await assert.rejects(ch.publish('', 'x'), /amqp\.publish\(\): the queue must be a non-empty string/);
  await assert.rejects(ch.consume('q', { count: 0 }), /count must be a positive integer \(got 0\)/);
  const db = new SqlClient(scope).connect('postgresql://127.0.0.1:1/x');
  await assert.rejects(db.query('  '), /sql\.query\(\): the query text must be a non-empty string/);
  const r = new RedisClient(scope).connect('redis://127.0.0.1:1');
  await assert.rejects(r.call('GET key'), /the command must be a command name/);
  assert.equal(scope.samples.length, 0);
});

test('a refused port: each client records its duration metric with error_code ECONNREFUSED', async () => {
  const port = await closedPort();
  const scope = new TestScope();
  const ch = new AmqpClient(scope).connect(`amqp://guest:guest@127.0.0.1:${port}`);
  const e1 = await ch.publish('jobs', { n: 1 }).then(() => null, (e: unknown) => e);
  assert.ok(e1 instanceof AmqpError);
  assert.equal(e1.code, 'ECONNREFUSED');
  assert.doesNotMatch(e1.message, /guest:guest/, 'credentials are not printed');
  assert.deepEqual(scope.of('amqp_publish_duration').map((s) => [s.tags.queue, s.tags.error_code]), [['jobs', 'ECONNREFUSED']]);

  const db = new SqlClient(scope).connect(`postgresql://u:secret@127.0.0.1:${port}/x`, { connectionTimeoutMs: 5000 });
  const e2 = await db.query('SELECT 1', [], { name: 'ping' }).then(() => null, (e: unknown) => e);
  assert.ok(e2 instanceof SqlError);
  assert.equal(e2.code, 'ECONNREFUSED');
  assert.doesNotMatch(e2.message, /secret/);
  assert.deepEqual(scope.of('db_query_duration').map((s) => [s.tags.name, s.tags.error_code]), [['ping', 'ECONNREFUSED']]);
  assert.equal(scope.count('db_pool_in_use'), 0, 'no connection was ever in use');

  const r = new RedisClient(scope).connect(`redis://127.0.0.1:${port}`);
  const e3 = await r.get('k').then(() => null, (e: unknown) => e);
  assert.ok(e3 instanceof RedisError);
  assert.equal(e3.code, 'ECONNREFUSED');
  // a second command tries again (the failed connection is not kept) and fails the same way
  await assert.rejects(r.cacheGet('k', () => 'v'), RedisError);
  assert.deepEqual(scope.of('redis_cmd_duration').map((s) => [s.tags.command, s.tags.error_code]), [['get', 'ECONNREFUSED'], ['get', 'ECONNREFUSED']]);
  assert.equal(scope.count('cache_hit_rate'), 0, 'a failed lookup is neither a hit nor a miss');
});

test('error codes of server replies', () => {
  assert.equal(sqlErrorCodeOf(Object.assign(new Error('relation "x" does not exist'), { code: '42P01', severity: 'ERROR' })), 'PG_42P01');
  assert.equal(redisErrorCodeOf(Object.assign(new Error('WRONGTYPE Operation against a key holding the wrong kind of value'), { name: 'ReplyError' })), 'REDIS_WRONGTYPE');
  assert.equal(redisErrorCodeOf(new Error('Command timed out')), 'REDIS_TIMEOUT');
  assert.equal(amqpErrorCodeOf(Object.assign(new Error('Operation failed: QueueDeclare; 404 (NOT-FOUND)'), { code: 404 })), 'AMQP_404');
  assert.equal(amqpErrorCodeOf(new Error('message nacked')), 'AMQP_NACK');
  assert.equal(amqpErrorCodeOf(new Error('channel closed')), 'AMQP_CHANNEL_CLOSED');
  assert.equal(amqpErrorCodeOf(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })), 'ECONNREFUSED');
});
