/**
 * Task distribution through RabbitMQ (npm run test:services): tasks posted
 * to /api/v1/tasks travel through a queue to the agent workers and complete;
 * the queue depth is exported while workers are busy. AMQP_URL overrides
 * the default broker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTarget } from '../src/reference-target/index.ts';
import { api, fastTarget } from '../test/reference-target/target-fixture.ts';

const URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

interface Task {
  id: string;
  status: string;
  agentId: string | null;
}

test('RabbitMQ mode: tasks are distributed to the workers, the depth is exported, all complete', async () => {
  const t = await fastTarget({ amqpUrl: URL, agentWorkers: 2, llm: { ttftMs: 150, ttftSpreadMs: 0 } });
  try {
    const health = await api<{ components: { queue: { backend: string } } }>(t.url, 'GET', '/health');
    assert.equal(health.body.components.queue.backend, 'amqp');
    const created = await Promise.all(Array.from({ length: 12 }, (_, i) => api<Task>(t.url, 'POST', '/api/v1/tasks', { title: `amqp task ${i}`, max_tokens: 2 })));
    assert.ok(created.every((c) => c.status === 201));
    const depth = Number(/^agent_task_queue_depth (\d+)$/m.exec(await (await fetch(`${t.url}/metrics`)).text())?.[1]);
    assert.ok(depth > 0 && depth <= 10, `two busy workers leave tasks waiting in RabbitMQ (depth ${depth})`);
    const agents = new Set<string>();
    for (const c of created) {
      let task: Task = c.body;
      for (let i = 0; i < 500 && task.status !== 'completed'; i++) {
        await new Promise((r) => setTimeout(r, 20));
        task = (await api<Task>(t.url, 'GET', `/api/v1/tasks/${c.body.id}`)).body;
      }
      assert.equal(task.status, 'completed');
      agents.add(task.agentId as string);
    }
    assert.deepEqual([...agents].sort(), ['worker-1', 'worker-2']);
    const after = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(after, /^agent_task_queue_depth 0$/m);
    assert.match(after, /^agent_tasks_processed_total\{status="completed"\} 12$/m);
  } finally {
    await t.close();
  }
});

test('an unreachable broker fails the start with a clear error', async () => {
  await assert.rejects(startTarget({ amqpUrl: 'amqp://guest:guest@127.0.0.1:1', db: ':memory:' }), /cannot reach RabbitMQ at amqp:\/\/127\.0\.0\.1:1/);
});
