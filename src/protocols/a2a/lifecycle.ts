import type { SampleStore } from '../../metrics/sample-store.ts';
import type { TagSet } from '../../metrics/tags.ts';
import { a2aMetrics as M } from './metrics.ts';
import type { A2aTaskState } from './types.ts';
import { INTERRUPTED_STATES, TERMINAL_STATES } from './wire.ts';

/** How a task's lifecycle ended, as the `state` tag of `a2a_tasks`. */
export type LifecycleEnd = A2aTaskState | 'message' | 'timeout' | 'error';

/**
 * One task as the client follows it, from the moment its message was sent:
 * records `a2a_submit_duration` at the first sign of the task,
 * `a2a_first_status` at the first state past `submitted`,
 * `a2a_task_duration`, `a2a_tasks{state}` and `a2a_task_completed` when it
 * ends (a terminal or interrupted state, a direct message reply, a timeout
 * or an error). Each metric is recorded at most once per lifecycle.
 */
export class TaskLifecycle {
  taskId: string | null = null;
  #submitted = false;
  #firstStatus = false;
  #ended: LifecycleEnd | null = null;

  /** `store` null: follow the task without recording (a task this VU did not send). */
  constructor(
    private readonly store: SampleStore | null,
    private readonly tags: TagSet,
    /** `performance.now()` when the message was sent. */
    readonly t0: number,
  ) {}

  #add(metric: (typeof M)[keyof typeof M], tags: TagSet, value: number): void {
    this.store?.add(metric, tags, value);
  }

  get ended(): LifecycleEnd | null {
    return this.#ended;
  }

  /** The client saw the task in `state` at `at` (performance.now()). Returns true if that ended the lifecycle. */
  observe(state: A2aTaskState, at: number): boolean {
    if (this.#ended !== null) return true;
    const ms = at - this.t0;
    if (!this.#submitted) {
      this.#submitted = true;
      this.#add(M.a2a_submit_duration, this.tags, ms);
    }
    if (!this.#firstStatus && state !== 'submitted' && state !== 'unknown') {
      this.#firstStatus = true;
      this.#add(M.a2a_first_status, this.tags, ms);
    }
    if (TERMINAL_STATES.has(state) || INTERRUPTED_STATES.has(state)) {
      this.#end(state, ms);
      return true;
    }
    return false;
  }

  /** The agent answered with a message instead of a task: submitted, answered and done at once. */
  message(at: number): void {
    if (this.#ended !== null) return;
    const ms = at - this.t0;
    if (!this.#submitted) this.#add(M.a2a_submit_duration, this.tags, ms);
    if (!this.#firstStatus) this.#add(M.a2a_first_status, this.tags, ms);
    this.#submitted = this.#firstStatus = true;
    this.#end('message', ms);
  }

  /** The lifecycle ended without a state: the call failed, or waiting timed out. */
  fail(reason: 'timeout' | 'error', at: number): void {
    if (this.#ended !== null) return;
    this.#end(reason, at - this.t0);
  }

  #end(how: LifecycleEnd, ms: number): void {
    this.#ended = how;
    this.#add(M.a2a_tasks, this.tags.with('state', how), 1);
    // interrupted tasks wait for the client: neither completed nor failed
    if (how === 'input-required' || how === 'auth-required') {
      this.#add(M.a2a_task_duration, this.tags, ms);
      return;
    }
    this.#add(M.a2a_task_completed, this.tags, how === 'completed' || how === 'message' ? 1 : 0);
    if (how !== 'error' && how !== 'timeout') this.#add(M.a2a_task_duration, this.tags, ms);
  }
}

/** Open lifecycles of one VU, by task id (bounded: the oldest is forgotten past `max`). */
export class LifecycleTable {
  readonly #open = new Map<string, TaskLifecycle>();
  constructor(private readonly max = 256) {}

  remember(l: TaskLifecycle): void {
    if (l.taskId === null || l.ended !== null) return;
    this.#open.delete(l.taskId);
    this.#open.set(l.taskId, l);
    if (this.#open.size > this.max) {
      const oldest = this.#open.keys().next().value;
      if (oldest !== undefined) this.#open.delete(oldest);
    }
  }

  get(taskId: string): TaskLifecycle | undefined {
    const l = this.#open.get(taskId);
    if (l !== undefined && l.ended !== null) {
      this.#open.delete(taskId);
      return undefined;
    }
    return l;
  }

  forget(taskId: string): void {
    this.#open.delete(taskId);
  }

  get size(): number {
    return this.#open.size;
  }
}
