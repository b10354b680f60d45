import type { ReadCache } from '../cache/read-cache.ts';
import type { TargetMetrics } from '../http/metrics.ts';
import type { MockLlm } from '../llm/mock-llm.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import type { Store } from '../store/store.ts';
import type { Task } from '../store/tasks-repo.ts';
import { describeError, type Background } from './background.ts';
import { cacheKey } from './context.ts';

/** What an agent worker is doing now. */
export interface WorkerState {
  status: 'idle' | 'busy';
  currentTaskId: string | null;
  completed: number;
  failed: number;
  lastActiveAt: string | null;
}

const workerId = (i: number): string => `worker-${i}`;

/**
 * The agent workers: each consumes the task queue one message at a time,
 * claims the task in the store (queued → running), asks the mock LLM, and
 * records the result (completed or failed).
 */
export class AgentWorkers {
  private readonly states = new Map<string, WorkerState>();

  constructor(
    private readonly store: Store,
    private readonly queue: TaskQueue,
    private readonly llm: MockLlm,
    private readonly cache: ReadCache,
    private readonly background: Background,
    private readonly metrics: TargetMetrics,
    private readonly count: number,
  ) {}

  async start(): Promise<void> {
    for (let i = 1; i <= this.count; i++) {
      const id = workerId(i);
      await this.store.tasks.createAgent({ id, name: `Agent worker ${i}`, kind: 'worker', capabilities: ['llm', 'task'] });
      this.states.set(id, { status: 'idle', currentTaskId: null, completed: 0, failed: 0, lastActiveAt: null });
      await this.queue.consume((taskId) => this.handle(id, taskId));
    }
  }

  /** Queue a stored task for the workers. */
  submit(task: Task): Promise<void> {
    return this.queue.publish(task.id);
  }

  state(agentId: string): WorkerState | undefined {
    return this.states.get(agentId);
  }

  busy(): number {
    let n = 0;
    for (const s of this.states.values()) if (s.status === 'busy') n++;
    return n;
  }

  get size(): number {
    return this.states.size;
  }

  private handle(agentId: string, taskId: string): Promise<void> {
    if (this.background.closing) return Promise.resolve();
    return this.background.run(async (signal) => {
      const task = await this.store.tasks.claim(taskId, agentId);
      if (task === null) return;
      const state = this.states.get(agentId) as WorkerState;
      state.status = 'busy';
      state.currentTaskId = task.id;
      await this.cache.invalidate(cacheKey.task(task.id));
      try {
        const prompt = [task.title, task.description ?? '', task.input === null ? '' : JSON.stringify(task.input)].filter((p) => p !== '').join('\n');
        const r = await this.llm.complete(
          {
            messages: [
              { role: 'system', content: `You are ${agentId}, handling a ${task.type} task.` },
              { role: 'user', content: prompt },
            ],
            maxTokens: task.maxTokens ?? undefined,
          },
          signal,
        );
        await this.store.tasks.complete(task.id, r);
        state.completed++;
        this.metrics.tasksProcessed.inc({ status: 'completed' });
      } catch (e) {
        await this.store.tasks.fail(task.id, signal.aborted ? 'the target shut down before the task finished' : describeError(e));
        state.failed++;
        this.metrics.tasksProcessed.inc({ status: 'failed' });
      } finally {
        state.status = 'idle';
        state.currentTaskId = null;
        state.lastActiveAt = new Date().toISOString();
        await this.cache.invalidate(cacheKey.task(task.id));
      }
    });
  }
}
