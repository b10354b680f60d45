/**
 * Seed 003 scenario A, agent task distribution: N VUs submit the tasks back
 * to back (so all of them are in the system at once), then each follows its
 * own tasks to the end. Tasks finish about in submission order, so a VU polls
 * only its oldest unfinished task.
 *
 * Recorded: enqueue latency (http_req_duration{name:enqueue_task}), the
 * agent's processing time from the server's own timestamps (startedAt →
 * completedAt, `task_processing_latency`), the wait in the queue
 * (`task_queue_wait`), submit → completed (`task_e2e`), whether each task
 * completed (`task_completed`), tasks queued (`tasks_enqueued`: the queue
 * message rate) and agents available (a check on GET /api/v1/agents).
 */
import { Counter, Rate, Trend, type VuContext } from 'agentload';
import { authHeaders, fieldOf, jsonOf, ok } from './requests.ts';
import { jsonSetting, numberSetting, pathSetting } from './settings.ts';

export const taskProcessing = new Trend('task_processing_latency', true);
export const taskQueueWait = new Trend('task_queue_wait', true);
export const taskE2e = new Trend('task_e2e', true);
export const taskCompleted = new Rate('task_completed');
export const tasksEnqueued = new Counter('tasks_enqueued');

interface TaskView {
  id?: string;
  status?: string;
  createdAt?: string;
  startedAt?: string | null;
  completedAt?: string | null;
}

const TERMINAL = new Set(['completed', 'failed', 'cancelled', 'canceled']);
const ms = (iso: string | null | undefined): number | null => (typeof iso === 'string' ? Date.parse(iso) : null);

/** Tasks VU slot `slot` of `vus` submits when `total` are shared out. */
export function shareOf(slot: number, vus: number, total: number): number {
  return Math.floor(total / vus) + (slot < total % vus ? 1 : 0);
}

async function agentsAvailable(ctx: VuContext): Promise<void> {
  const res = await ctx.http.get(pathSetting('AGENTS_PATH', '/api/v1/agents', ctx), { name: 'list_agents', headers: authHeaders(ctx) });
  const body = jsonOf<{ items?: unknown[]; workers?: { total?: number } }>(res);
  ctx.check(res, { 'agents: at least one available': (r) => r.status === 200 && ((body?.workers?.total ?? 0) > 0 || (body?.items?.length ?? 0) > 0) });
}

/** One VU's part: submit its share of `total` tasks, then follow them until each ends (or TASK_TIMEOUT seconds pass). */
export async function distributeTasks(ctx: VuContext, vus: number, total: number): Promise<void> {
  await agentsAvailable(ctx);
  const count = shareOf((ctx.vu - 1) % vus, vus, total);
  const headers = authHeaders(ctx);
  const submitted: { id: string; at: number }[] = [];
  for (let i = 0; i < count; i++) {
    const body = jsonSetting('TASK_BODY', { title: `agentload task ${ctx.vu}-${i}`, description: 'Route this request to the right agent', type: 'distribution', priority: 5, max_tokens: 2 }, ctx);
    const res = await ctx.http.post(pathSetting('TASKS_PATH', '/api/v1/tasks', ctx), body, { name: 'enqueue_task', headers });
    const id = fieldOf(jsonOf(res));
    if (ctx.check(res, { 'task: enqueued': (r) => ok(r) && id !== null }) && id !== null) {
      submitted.push({ id, at: Date.now() });
      ctx.record(tasksEnqueued, 1);
    }
  }
  const interval = numberSetting('TASK_POLL_INTERVAL', 0.5, ctx, { min: 0.01, max: 60 });
  const deadline = Date.now() + numberSetting('TASK_TIMEOUT', 120, ctx, { min: 1 }) * 1000;
  for (const task of submitted) {
    let view: TaskView | null = null;
    while (Date.now() < deadline) {
      const res = await ctx.http.get(pathSetting('TASK_PATH', '/api/v1/tasks/{id}', ctx, { id: task.id }), { name: 'poll_task', headers });
      view = jsonOf<TaskView>(res);
      if (view?.status !== undefined && TERMINAL.has(view.status)) break;
      await ctx.sleep(interval);
    }
    const done = view?.status === 'completed';
    ctx.record(taskCompleted, done ? 1 : 0);
    if (!done) continue;
    const created = ms(view?.createdAt);
    const started = ms(view?.startedAt);
    const completed = ms(view?.completedAt);
    if (started !== null && completed !== null) ctx.record(taskProcessing, completed - started);
    if (created !== null && started !== null) ctx.record(taskQueueWait, started - created);
    ctx.record(taskE2e, (completed !== null && created !== null ? completed - created : Date.now() - task.at));
  }
}
