import type { SqlDriver } from './sql-driver.ts';
import { fromJson, iso, lifecycleOf, listPage, newId, newLifecycle, NEWEST_FIRST, toJson, type Lifecycle, type LifecycleRow, type Page } from './rows.ts';

export const TASK_STATUSES = ['queued', 'running', 'completed', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** A unit of work distributed to the agent workers (seed 002 /api/v1/tasks, seed 003 task distribution). */
export interface Task extends Lifecycle {
  id: string;
  title: string;
  description: string | null;
  type: string;
  priority: number;
  status: TaskStatus;
  input: unknown;
  maxTokens: number | null;
  agentId: string | null;
  result: string | null;
}

export interface NewTask {
  title: string;
  description?: string | null;
  type?: string;
  priority?: number;
  input?: unknown;
  maxTokens?: number | null;
}

interface TaskRow extends LifecycleRow {
  id: string;
  title: string;
  description: string | null;
  type: string;
  priority: number;
  status: TaskStatus;
  input: string | null;
  max_tokens: number | null;
  agent_id: string | null;
  result: string | null;
}

const toTask = (r: TaskRow): Task => ({
  id: r.id,
  title: r.title,
  description: r.description,
  type: r.type,
  priority: Number(r.priority),
  status: r.status,
  input: fromJson(r.input),
  maxTokens: r.max_tokens === null ? null : Number(r.max_tokens),
  agentId: r.agent_id,
  result: r.result,
  ...lifecycleOf(r),
});

export const AGENT_KINDS = ['worker', 'external'] as const;

/** An agent: the target's own workers, or one registered through the API. */
export interface Agent {
  id: string;
  name: string;
  kind: (typeof AGENT_KINDS)[number];
  capabilities: string[];
  metadata: unknown;
  createdAt: string;
}

interface AgentRow {
  id: string;
  name: string;
  kind: Agent['kind'];
  capabilities: string;
  metadata: string | null;
  created_at: number;
}

const toAgent = (r: AgentRow): Agent => ({
  id: r.id,
  name: r.name,
  kind: r.kind,
  capabilities: fromJson<string[]>(r.capabilities) ?? [],
  metadata: fromJson(r.metadata),
  createdAt: iso(r.created_at) as string,
});

/** Tasks and their state changes; claims are conditional updates, so two workers never run one task. */
export class TasksRepo {
  constructor(private readonly db: SqlDriver) {}

  async create(input: NewTask): Promise<Task> {
    const now = Date.now();
    const row: TaskRow = {
      id: newId(),
      title: input.title,
      description: input.description ?? null,
      type: input.type ?? 'generic',
      priority: input.priority ?? 5,
      status: 'queued',
      input: toJson(input.input) as string | null,
      max_tokens: input.maxTokens ?? null,
      agent_id: null,
      result: null,
      ...newLifecycle(now),
    };
    await this.db.run(
      `INSERT INTO tasks (id, title, description, type, priority, status, input, max_tokens, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)`,
      [row.id, row.title, row.description, row.type, row.priority, row.status, row.input, row.max_tokens, now],
    );
    return toTask(row);
  }

  async get(id: string): Promise<Task | null> {
    const r = await this.db.get<TaskRow>('SELECT * FROM tasks WHERE id = $1', [id]);
    return r === undefined ? null : toTask(r);
  }

  async list(q: { status?: TaskStatus; limit: number; offset: number }): Promise<Page<Task>> {
    return listPage(this.db, { table: 'tasks', where: ['status', q.status], order: NEWEST_FIRST, limit: q.limit, offset: q.offset }, toTask);
  }

  /** queued → running for this agent; null when the task is gone or someone else has it. */
  async claim(id: string, agentId: string): Promise<Task | null> {
    const now = Date.now();
    const rows = await this.db.all<TaskRow>(
      `UPDATE tasks SET status = 'running', agent_id = $2, started_at = $3, updated_at = $3 WHERE id = $1 AND status = 'queued' RETURNING *`,
      [id, agentId, now],
    );
    return rows[0] === undefined ? null : toTask(rows[0]);
  }

  async complete(id: string, result: { text: string; inputTokens: number; outputTokens: number }): Promise<boolean> {
    const now = Date.now();
    const n = await this.db.run(
      `UPDATE tasks SET status = 'completed', result = $2, input_tokens = $3, output_tokens = $4, completed_at = $5, updated_at = $5
       WHERE id = $1 AND status = 'running'`,
      [id, result.text, result.inputTokens, result.outputTokens, now],
    );
    return n > 0;
  }

  async fail(id: string, error: string): Promise<boolean> {
    const now = Date.now();
    const n = await this.db.run(
      `UPDATE tasks SET status = 'failed', error = $2, completed_at = $3, updated_at = $3 WHERE id = $1 AND status IN ('queued', 'running')`,
      [id, error, now],
    );
    return n > 0;
  }

  async createAgent(input: { id?: string; name: string; kind: Agent['kind']; capabilities?: readonly string[]; metadata?: unknown }): Promise<Agent | null> {
    const row: AgentRow = {
      id: input.id ?? newId(),
      name: input.name,
      kind: input.kind,
      capabilities: JSON.stringify(input.capabilities ?? []),
      metadata: toJson(input.metadata) as string | null,
      created_at: Date.now(),
    };
    const n = await this.db.run(
      'INSERT INTO agents (id, name, kind, capabilities, metadata, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (id) DO NOTHING',
      [row.id, row.name, row.kind, row.capabilities, row.metadata, row.created_at],
    );
    return n === 0 ? null : toAgent(row);
  }

  async getAgent(id: string): Promise<Agent | null> {
    const r = await this.db.get<AgentRow>('SELECT * FROM agents WHERE id = $1', [id]);
    return r === undefined ? null : toAgent(r);
  }

  async listAgents(q: { kind?: Agent['kind']; limit: number; offset: number }): Promise<Page<Agent>> {
    return listPage(this.db, { table: 'agents', where: ['kind', q.kind], order: 'created_at, id', limit: q.limit, offset: q.offset }, toAgent);
  }

  async deleteAgent(id: string): Promise<boolean> {
    return (await this.db.run(`DELETE FROM agents WHERE id = $1 AND kind = 'external'`, [id])) > 0;
  }
}
