// An in-memory A2A task store that keeps at most `maxTasks` tasks, dropping
// the least recently updated one past the limit, so that a long soak test
// against the agent keeps memory flat. (The SDK's InMemoryTaskStore never
// forgets a task.) Tasks are scoped by tenant; the agent has no users.
import type { ListTasksRequest, ListTasksResponse, Task } from '@a2a-js/sdk';
import type { ServerCallContext, TaskStore } from '@a2a-js/sdk/server';

export const DEFAULT_MAX_A2A_TASKS = 10_000;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;

export class BoundedTaskStore implements TaskStore {
  private readonly tasks = new Map<string, Task>(); // insertion order = least recently saved first
  private readonly maxTasks: number;
  private evictedCount = 0;

  constructor(maxTasks = DEFAULT_MAX_A2A_TASKS) {
    if (!Number.isInteger(maxTasks) || maxTasks < 1) throw new RangeError(`maxTasks must be an integer >= 1 (got ${maxTasks})`);
    this.maxTasks = maxTasks;
  }

  /** Tasks held now. */
  get size(): number {
    return this.tasks.size;
  }

  /** Tasks dropped so far to stay under the limit. */
  get evicted(): number {
    return this.evictedCount;
  }

  async load(taskId: string, context: ServerCallContext): Promise<Task | undefined> {
    const task = this.tasks.get(key(context, taskId));
    return task ? structuredClone(task) : undefined;
  }

  async save(task: Task, context: ServerCallContext): Promise<void> {
    const k = key(context, task.id);
    this.tasks.delete(k); // re-insert: most recently saved goes last
    this.tasks.set(k, structuredClone(task));
    while (this.tasks.size > this.maxTasks) {
      const oldest = this.tasks.keys().next().value as string;
      this.tasks.delete(oldest);
      this.evictedCount++;
    }
  }

  async list(params: ListTasksRequest, context: ServerCallContext): Promise<ListTasksResponse> {
    const prefix = `${context.tenant ?? ''}\u0000`;
    const after = params.statusTimestampAfter ? Date.parse(params.statusTimestampAfter) : Number.NaN;
    const matching: Task[] = [];
    for (const [k, task] of this.tasks) {
      if (!k.startsWith(prefix)) continue;
      if (params.contextId && task.contextId !== params.contextId) continue;
      if (params.status && task.status?.state !== params.status) continue;
      if (!Number.isNaN(after) && !(Date.parse(task.status?.timestamp ?? '') >= after)) continue;
      matching.push(task);
    }
    // Newest status first, then id, as the SDK's store orders them.
    matching.sort((a, b) => compare(b.status?.timestamp ?? '', a.status?.timestamp ?? '') || compare(b.id, a.id));
    const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, params.pageSize ?? DEFAULT_PAGE_SIZE));
    let start = 0;
    if (params.pageToken) {
      const cursor = Buffer.from(params.pageToken, 'base64url').toString('utf8');
      start = matching.findIndex((t) => cursorOf(t) === cursor) + 1;
      if (start === 0) start = matching.length; // unknown or evicted cursor: nothing after it
    }
    const page = matching.slice(start, start + pageSize);
    const last = page.at(-1);
    const more = start + page.length < matching.length;
    return {
      tasks: page.map((task) => {
        const copy = structuredClone(task);
        if (params.includeArtifacts !== true) copy.artifacts = [];
        if (params.historyLength !== undefined) copy.history = params.historyLength > 0 ? copy.history.slice(-params.historyLength) : [];
        return copy;
      }),
      nextPageToken: more && last ? Buffer.from(cursorOf(last), 'utf8').toString('base64url') : '',
      pageSize,
      totalSize: matching.length,
    };
  }
}

const key = (context: ServerCallContext, taskId: string): string => `${context.tenant ?? ''}\u0000${taskId}`;
const cursorOf = (task: Task): string => `${task.status?.timestamp ?? ''}|${task.id}`;
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
