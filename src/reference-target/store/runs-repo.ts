import { violatedConstraint, type SqlDriver } from './sql-driver.ts';
import { fromJson, iso, listPage, newId, NEWEST_FIRST, nextSeq, toJson, type Page } from './rows.ts';

export const RUN_STATUSES = ['pending', 'running', 'completed', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface Run {
  id: string;
  name: string;
  /** What the run is for, in the user's words. */
  goal: string | null;
  workflow: string | null;
  status: RunStatus;
  input: unknown;
  output: unknown;
  metadata: unknown;
  createdAt: string;
  updatedAt: string;
}

/** A node of a run's tree of steps. */
export interface Step {
  id: string;
  runId: string;
  parentId: string | null;
  name: string;
  agent: string | null;
  status: RunStatus;
  input: unknown;
  output: unknown;
  /** Why the step was flagged, or null. */
  flag: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface StepNode extends Step {
  children: StepNode[];
}

export interface NewRun {
  name: string;
  goal?: string | null;
  workflow?: string | null;
  status?: RunStatus;
  input?: unknown;
  metadata?: unknown;
}

export interface RunPatch {
  name?: string;
  status?: RunStatus;
  output?: unknown;
  metadata?: unknown;
}

export interface NewStep {
  parentId?: string | null;
  name: string;
  agent?: string | null;
  status?: RunStatus;
  input?: unknown;
  output?: unknown;
  createdBy?: string | null;
}

interface RunRow {
  id: string;
  name: string;
  goal: string | null;
  workflow: string | null;
  status: RunStatus;
  input: string | null;
  output: string | null;
  metadata: string | null;
  created_at: number;
  updated_at: number;
}

interface StepRow {
  id: string;
  run_id: string;
  parent_id: string | null;
  name: string;
  agent: string | null;
  status: RunStatus;
  input: string | null;
  output: string | null;
  flag: string | null;
  created_by: string | null;
  created_at: number;
  updated_at: number;
}

const toRun = (r: RunRow): Run => ({
  id: r.id,
  name: r.name,
  goal: r.goal,
  workflow: r.workflow,
  status: r.status,
  input: fromJson(r.input),
  output: fromJson(r.output),
  metadata: fromJson(r.metadata),
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

const toStep = (r: StepRow): Step => ({
  id: r.id,
  runId: r.run_id,
  parentId: r.parent_id,
  name: r.name,
  agent: r.agent,
  status: r.status,
  input: fromJson(r.input),
  output: fromJson(r.output),
  flag: r.flag,
  createdBy: r.created_by,
  createdAt: iso(r.created_at) as string,
  updatedAt: iso(r.updated_at) as string,
});

/** Steps (in the order they were added) as a forest under their parents. */
export function buildTree(steps: readonly Step[]): StepNode[] {
  const nodes = new Map<string, StepNode>();
  for (const s of steps) nodes.set(s.id, { ...s, children: [] });
  const roots: StepNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.parentId === null ? undefined : nodes.get(n.parentId);
    if (parent === undefined) roots.push(n);
    else parent.children.push(n);
  }
  return roots;
}

const STEP_COLUMNS = 'id, run_id, parent_id, name, agent, status, input, output, flag, created_by, created_at, updated_at';

/** Workflow runs and their trees of steps. */
export class RunsRepo {
  constructor(private readonly db: SqlDriver) {}

  async create(input: NewRun): Promise<Run> {
    const now = Date.now();
    const row: RunRow = {
      id: newId(),
      name: input.name,
      goal: input.goal ?? null,
      workflow: input.workflow ?? null,
      status: input.status ?? 'pending',
      input: toJson(input.input) as string | null,
      output: null,
      metadata: toJson(input.metadata) as string | null,
      created_at: now,
      updated_at: now,
    };
    await this.db.run(
      'INSERT INTO runs (id, name, goal, workflow, status, input, output, metadata, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [row.id, row.name, row.goal, row.workflow, row.status, row.input, row.output, row.metadata, row.created_at, row.updated_at],
    );
    return toRun(row);
  }

  async get(id: string): Promise<Run | null> {
    const r = await this.db.get<RunRow>('SELECT * FROM runs WHERE id = $1', [id]);
    return r === undefined ? null : toRun(r);
  }

  async steps(runId: string): Promise<Step[]> {
    const rows = await this.db.all<StepRow>(`SELECT ${STEP_COLUMNS} FROM run_steps WHERE run_id = $1 ORDER BY seq`, [runId]);
    return rows.map(toStep);
  }

  async list(q: { status?: RunStatus; limit: number; offset: number }): Promise<Page<Run>> {
    return listPage(this.db, { table: 'runs', where: ['status', q.status], order: NEWEST_FIRST, limit: q.limit, offset: q.offset }, toRun);
  }

  async update(id: string, patch: RunPatch): Promise<Run | null> {
    const rows = await this.db.all<RunRow>(
      `UPDATE runs SET name = COALESCE($2, name), status = COALESCE($3, status), output = COALESCE($4, output),
         metadata = COALESCE($5, metadata), updated_at = $6 WHERE id = $1 RETURNING *`,
      [id, patch.name ?? null, patch.status ?? null, toJson(patch.output), toJson(patch.metadata), Date.now()],
    );
    return rows[0] === undefined ? null : toRun(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM runs WHERE id = $1', [id])) > 0;
  }

  /** Adds a step under `parentId` (or at the root); says which id is unknown otherwise. */
  async addStep(runId: string, input: NewStep): Promise<Step | 'no-run' | 'no-parent'> {
    const now = Date.now();
    const row: StepRow = {
      id: newId(),
      run_id: runId,
      parent_id: input.parentId ?? null,
      name: input.name,
      agent: input.agent ?? null,
      status: input.status ?? 'pending',
      input: toJson(input.input) as string | null,
      output: toJson(input.output) as string | null,
      flag: null,
      created_by: input.createdBy ?? null,
      created_at: now,
      updated_at: now,
    };
    const inserted = await this.db.run(
      `INSERT INTO run_steps (${STEP_COLUMNS}, seq)
       SELECT $1, $2, $3, $4, $5, $6, $7, $10, NULL, $8, CAST($9 AS BIGINT), CAST($9 AS BIGINT), CAST($11 AS BIGINT)
       WHERE EXISTS (SELECT 1 FROM runs WHERE id = $2)
         AND (CAST($3 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM run_steps WHERE id = $3 AND run_id = $2))`,
      [row.id, row.run_id, row.parent_id, row.name, row.agent, row.status, row.input, row.created_by, now, row.output, nextSeq()],
    ).catch((e: unknown) => {
      // The parent (or run) was deleted between the check and the insert.
      if (violatedConstraint(e) === 'foreign_key') return 0;
      throw e;
    });
    if (inserted === 1) return toStep(row);
    return (await this.get(runId)) === null ? 'no-run' : 'no-parent';
  }

  async updateStep(runId: string, stepId: string, patch: { status?: RunStatus; output?: unknown }): Promise<Step | null> {
    const rows = await this.db.all<StepRow>(
      `UPDATE run_steps SET status = COALESCE($3, status), output = COALESCE($4, output), updated_at = $5
       WHERE id = $2 AND run_id = $1 RETURNING ${STEP_COLUMNS}`,
      [runId, stepId, patch.status ?? null, toJson(patch.output), Date.now()],
    );
    return rows[0] === undefined ? null : toStep(rows[0]);
  }

  /**
   * Removes a step and everything under it (the foreign keys cascade);
   * resolves to the ids removed, none when the step is unknown.
   */
  async pruneStep(runId: string, stepId: string): Promise<string[]> {
    const rows = await this.db.all<{ id: string }>(
      `WITH RECURSIVE subtree (id) AS (
         SELECT id FROM run_steps WHERE id = $2 AND run_id = $1
         UNION ALL
         SELECT s.id FROM run_steps s JOIN subtree t ON s.parent_id = t.id
       )
       SELECT id FROM subtree`,
      [runId, stepId],
    );
    const removed = await this.db.run('DELETE FROM run_steps WHERE id = $2 AND run_id = $1', [runId, stepId]);
    return removed === 0 ? [] : rows.map((r) => r.id);
  }

  /** Sets (or with null clears) a step's flag. */
  async flagStep(runId: string, stepId: string, flag: string | null): Promise<Step | null> {
    const rows = await this.db.all<StepRow>(
      `UPDATE run_steps SET flag = $3, updated_at = $4 WHERE id = $2 AND run_id = $1 RETURNING ${STEP_COLUMNS}`,
      [runId, stepId, flag, Date.now()],
    );
    return rows[0] === undefined ? null : toStep(rows[0]);
  }
}
