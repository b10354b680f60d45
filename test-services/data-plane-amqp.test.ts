/**
 * ctx.amqp through the built engine and CLI against RabbitMQ (npm run test:services): exact counts of
 * publishes, consumes and acks in summary.json, the queue depth gauge, and the queue removed afterwards.
 * AMQP_URL overrides the default broker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import { fixture, readSummary, runCli } from '../test/helpers/cli.ts';
import { TestScope } from '../test/protocols/ws-test-scope.ts';
import { AmqpClient } from '../src/protocols/amqp/client.ts';
import { AmqpError } from '../src/protocols/amqp/error-codes.ts';
import { closeDataPlane } from '../src/protocols/sql/close-data-plane.ts';
import { InterruptedError } from '../src/protocols/vu-scope.ts';

const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

test('20 publishes, 20 consumes with latency, 25 acks, depth 5 → 0, queue deleted', async () => {
  const queue = `agentload.test.dp.${randomBytes(5).toString('hex')}`;
  const conn = await amqp.connect(URL);
  try {
    const ch = await conn.createConfirmChannel();
    await ch.assertQueue(queue, { durable: false });
    for (let i = 0; i < 5; i++) ch.sendToQueue(queue, Buffer.from(`old ${i}`));
    await ch.waitForConfirms();
    const r = await runCli(['run', fixture('data-plane-amqp.ts'), '--quiet', '-e', `DP_QUEUE=${queue}`, '-e', `AMQP_URL=${URL}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /guest:guest/, 'the broker credentials are not printed');
    const m = readSummary(r.resultsDir).metrics;
    assert.equal(m.iteration_errors, undefined, r.stderr);
    assert.equal(m.iterations?.values.count, 10);
    assert.equal(m.amqp_publish_duration?.values.count, 20);
    assert.equal(m.amqp_consume_latency?.values.count, 20, 'the 5 messages without the timestamp header have no latency');
    assert.equal(m.amqp_ack_duration?.values.count, 25);
    assert.deepEqual([m.amqp_queue_depth?.values.max, m.amqp_queue_depth?.values.min, m.amqp_queue_depth?.values.value], [5, 0, 0]);
    assert.deepEqual([m.checks?.values.passes, m.checks?.values.fails], [21, 0]);
    assert.ok((m.amqp_consume_latency?.values.min ?? -1) >= 0);
    // teardown deleted the queue: checking it now closes a fresh channel with 404
    const probe = await conn.createChannel();
    probe.on('error', () => undefined);
    await assert.rejects(probe.checkQueue(queue), /NOT_FOUND/);
  } finally {
    const cleanup = await conn.createChannel();
    cleanup.on('error', () => undefined);
    await cleanup.deleteQueue(queue).catch(() => undefined);
    await conn.close().catch(() => undefined);
  }
});

test('consume() returns what arrived when its timeout elapses, and a VU interrupt ends the wait', async () => {
  const scope = new TestScope();
  const ch = new AmqpClient(scope).connect(URL);
  const queue = `agentload.test.dp.${randomBytes(5).toString('hex')}`;
  try {
    await ch.assertQueue(queue);
    await ch.publish(queue, 'only one');
    const got = await ch.consume(queue, { count: 3, timeout: '200ms' });
    assert.deepEqual(got.map((m) => m.text()), ['only one']);
    assert.ok(got[0]?.latencyMs !== null);
    got[0]?.ack();
    assert.throws(() => got[0]?.ack(), /already acked or nacked/);
    const waiting = ch.consume(queue, { count: 1, timeout: '30s' });
    await new Promise((r) => setTimeout(r, 50));
    scope.interrupt();
    await assert.rejects(waiting, InterruptedError);
    assert.deepEqual([scope.count('amqp_publish_duration', { queue }), scope.count('amqp_consume_latency', { queue }), scope.count('amqp_ack_duration', { queue })], [1, 1, 1]);
    const fresh = new AmqpClient(new TestScope()).connect(URL);
    assert.equal(await fresh.queueDepth(queue), 0);
    await assert.rejects(fresh.queueDepth(`${queue}.missing`), (e: unknown) => e instanceof AmqpError && e.code === 'AMQP_404');
    // the 404 closed that VU's channel; the next operation opens a new one
    assert.equal(await fresh.deleteQueue(queue), 0);
  } finally {
    await closeDataPlane();
  }
});
