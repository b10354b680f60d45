import type { SqlDriver } from './sql-driver.ts';
import { countsByStatus, fromJson, lifecycleOf, listPage, newId, newLifecycle, NEWEST_FIRST, toJson, type Lifecycle, type LifecycleRow, type Page } from './rows.ts';

/** A2A task states (the protocol's spelling). */
export const A2A_STATUSES = ['submitted', 'working', 'completed', 'failed', 'canceled'] as const;
export type A2aStatus = (typeof A2A_STATUSES)[number];
export const A2A_TERMINAL: ReadonlySet<A2aStatus> = new Set(['completed', 'failed', 'canceled']);

/** A task of the REST facade (/api/a2a/tasks). */
export interface A2aTask extends Lifecycle {
  id: string;
  agent: string | null;
  skill: string;
  input: unknown;
  priority: number;
  status: A2aStatus;
  output: string | null;
}

interface A2aRow extends LifecycleRow {
  id: string;
  agent: string | null;
  skill: string;
  input: string;
  priority: number;
  status: A2aStatus;
  output: string | null;
}

const toTask = (r: A2aRow): A2aTask => ({
  id: r.id,
  agent: r.agent,
  skill: r.skill,
  input: fromJson(r.input),
  priority: Number(r.priority),
  status: r.status,
  output: r.output,
  ...lifecycleOf(r),
});

/** A2A facade tasks. Every transition is a conditional update, so cancel and completion never both win. */
export class A2aRepo {
  constructor(private readonly db: SqlDriver) {}

  async create(input: { agent?: string | null; skill: string; input: unknown; priority: number }): Promise<A2aTask> {
    const now = Date.now();
    const row: A2aRow = {
      id: newId(),
      agent: input.agent ?? null,
      skill: input.skill,
      input: toJson(input.input) as string,
      priority: input.priority,
      status: 'submitted',
      output: null,
      ...newLifecycle(now),
    };
    await this.db.run(
      `INSERT INTO a2a_tasks (id, agent, skill, input, priority, status, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`,
      [row.id, row.agent, row.skill, row.input, row.priority, row.status, now],
    );
    return toTask(row);
  }

  async get(id: string): Promise<A2aTask | null> {
    const r = await this.db.get<A2aRow>('SELECT * FROM a2a_tasks WHERE id = $1', [id]);
    return r === undefined ? null : toTask(r);
  }

  async list(q: { status?: A2aStatus; limit: number; offset: number }): Promise<Page<A2aTask>> {
    // one status: the order workers take them in (highest priority, then oldest)
    const order = q.status === undefined ? NEWEST_FIRST : 'priority DESC, created_at, id';
    return listPage(this.db, { table: 'a2a_tasks', where: ['status', q.status], order, limit: q.limit, offset: q.offset }, toTask);
  }

  async counts(): Promise<Record<A2aStatus, number>> {
    const c = countsByStatus(await this.db.all<{ status: string; n: number }>('SELECT status, COUNT(*) AS n FROM a2a_tasks GROUP BY status'));
    return { submitted: c.submitted ?? 0, working: c.working ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, canceled: c.canceled ?? 0 };
  }

  /** submitted → working; null when the task is not waiting any more. */
  async start(id: string): Promise<A2aTask | null> {
    const now = Date.now();
    const rows = await this.db.all<A2aRow>(
      `UPDATE a2a_tasks SET status = 'working', started_at = $2, updated_at = $2 WHERE id = $1 AND status = 'submitted' RETURNING *`,
      [id, now],
    );
    return rows[0] === undefined ? null : toTask(rows[0]);
  }

  async complete(id: string, r: { text: string; inputTokens: number; outputTokens: number }): Promise<boolean> {
    const now = Date.now();
    return (
      (await this.db.run(
        `UPDATE a2a_tasks SET status = 'completed', output = $2, input_tokens = $3, output_tokens = $4, completed_at = $5, updated_at = $5
         WHERE id = $1 AND status = 'working'`,
        [id, r.text, r.inputTokens, r.outputTokens, now],
      )) > 0
    );
  }

  async fail(id: string, error: string): Promise<boolean> {
    const now = Date.now();
    return (
      (await this.db.run(`UPDATE a2a_tasks SET status = 'failed', error = $2, completed_at = $3, updated_at = $3 WHERE id = $1 AND status = 'working'`, [
        id,
        error,
        now,
      ])) > 0
    );
  }

  /** submitted or working → canceled; null when the task was already finished (or is unknown). */
  async cancel(id: string): Promise<A2aTask | null> {
    const now = Date.now();
    const rows = await this.db.all<A2aRow>(
      `UPDATE a2a_tasks SET status = 'canceled', completed_at = $2, updated_at = $2 WHERE id = $1 AND status IN ('submitted', 'working') RETURNING *`,
      [id, now],
    );
    return rows[0] === undefined ? null : toTask(rows[0]);
  }
}
