/** ctx.a2a.rest against a REST task API shaped like seed 000's /api/a2a/tasks. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { A2aClient } from '../../src/protocols/a2a/client.ts';
import { resolveA2aPlan, type A2aOptions } from '../../src/protocols/a2a/options.ts';
import { startRestTasks, type TestAgent } from '../fixtures/a2a-servers.ts';
import { TestScope } from '../fixtures/llm-scope.ts';

let api: TestAgent;
let scope: TestScope;

before(async () => {
  api = await startRestTasks();
  scope = new TestScope({ A2A_TOKEN: 'rest-token' });
});
after(async () => {
  await scope.close();
  await api.close();
});

function rest(options: A2aOptions = {}): A2aClient['rest'] {
  const errors: string[] = [];
  const plan = resolveA2aPlan({ url: api.url, pollInterval: '10ms', ...options }, errors);
  assert.deepEqual(errors, []);
  return new A2aClient(scope, scope.agent.dispatcher, scope.http, plan).rest;
}

const states = (): string[] => scope.of('a2a_tasks').map((s) => s.tags.state as string);

test('run(): submit, poll until the state (normalized) is terminal; lifecycle and HTTP metrics', async () => {
  scope.clear();
  const r = await rest().run({ type: 'work' }, { name: 'plan' });
  assert.equal(r.ok, true, r.error ?? '');
  assert.equal(r.state, 'completed', '"succeeded" is a completed task');
  assert.match(r.id ?? '', /^task-\d+$/);
  assert.ok(r.polls >= 1);
  assert.deepEqual(states(), ['completed']);
  assert.deepEqual(scope.values('a2a_task_completed'), [1]);
  const [submit] = scope.values('a2a_submit_duration');
  const [first] = scope.values('a2a_first_status');
  const [duration] = scope.values('a2a_task_duration');
  assert.ok(submit !== undefined && first !== undefined && duration !== undefined);
  assert.ok(submit <= first && first <= duration);
  assert.equal(scope.of('a2a_tasks')[0]?.tags.name, 'plan');
  // requests went through ctx.http with stable names
  assert.equal(scope.values('http_reqs', { name: 'a2a_submit' }).length, 1);
  assert.equal(scope.values('http_reqs', { name: 'a2a_get' }).length, r.polls);
  assert.equal(api.calls.get('POST /api/a2a/tasks'), 1);
  assert.ok(api.auth.every((a) => a === 'Bearer rest-token') && api.auth.length > 0);
});

test('failed, cancelled and never-ending tasks; a refused submit', async () => {
  scope.clear();
  const client = rest();
  const failed = await client.run({ type: 'fail' });
  assert.equal(failed.state, 'failed');
  assert.equal(failed.ok, true, 'the calls worked; the task failed');

  const s = await client.submit({ type: 'never' });
  assert.equal(s.state, 'submitted', '"queued" is submitted');
  const c = await client.cancel(s.id as string);
  assert.equal(c.state, 'canceled', '"cancelled" is canceled');

  // the task never ends: the timeout ends the run (long enough for a poll to see its state on a loaded machine)
  const never = await client.run({ type: 'never' }, { timeout: '1s' });
  assert.equal(never.ok, false);
  assert.equal(never.errorCode, 'WAIT_TIMEOUT');
  assert.equal(never.state, 'working', '"running" is working');

  const refused = await client.submit({ type: 'reject' });
  assert.equal(refused.ok, false);
  assert.equal(refused.errorCode, 'HTTP_503');

  assert.deepEqual(states(), ['failed', 'canceled', 'timeout', 'error']);
  assert.deepEqual(scope.values('a2a_task_completed'), [0, 0, 0, 0]);
});

test('an unknown task id: 404 ends a poll at once', async () => {
  scope.clear();
  const r = await rest().poll('task-999');
  assert.equal(r.ok, false);
  assert.equal(r.errorCode, 'HTTP_404');
  assert.equal(r.polls, 1);
});

test('configurable paths and cancel method', async () => {
  scope.clear();
  const client = rest({ rest: { tasksPath: `${api.url}/api/a2a/tasks`, taskPath: '/api/a2a/tasks/{id}', cancelPath: '/api/a2a/tasks/{id}/cancel', cancelMethod: 'POST' } });
  const r = await client.run({ type: 'work' });
  assert.equal(r.state, 'completed');
  await assert.rejects(() => client.poll(''), /task id/);
});
