import type { SqlDriver } from './sql-driver.ts';
import { fromJson, iso, listPage, newId, NEWEST_FIRST, toJson, type Page } from './rows.ts';

/** One LLM step of a DAG. */
export interface DagNode {
  id: string;
  /** What the step asks the LLM (default: the node id). */
  prompt: string | null;
  agent: string | null;
  dependsOn: string[];
  maxTokens: number | null;
}

export interface Dag {
  id: string;
  name: string;
  description: string | null;
  nodes: DagNode[];
  createdAt: string;
}

export const NODE_STATUSES = ['pending', 'running', 'completed', 'failed', 'skipped', 'cancelled'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

/** A node's progress in one execution; seq numbers order every start and end in the execution. */
export interface NodeState {
  status: NodeStatus;
  startedAt: string | null;
  completedAt: string | null;
  startSeq: number | null;
  endSeq: number | null;
  output: string | null;
  usage: { inputTokens: number; outputTokens: number } | null;
  error: string | null;
}

export const EXECUTION_STATUSES = ['running', 'completed', 'failed', 'cancelled'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface DagExecution {
  id: string;
  dagId: string;
  status: ExecutionStatus;
  input: unknown;
  nodes: Record<string, NodeState>;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
  updatedAt: string;
}

interface DagRow {
  id: string;
  name: string;
  description: string | null;
  nodes: string;
  created_at: number;
}

interface ExecutionRow {
  id: string;
  dag_id: string;
  status: ExecutionStatus;
  input: string | null;
  nodes: string;
  error: string | null;
  created_at: number;
  completed_at: number | null;
  updated_at: number;
}

const toDag = (r: DagRow): Dag => ({
  id: r.id,
  name: r.name,
  description: r.description,
  nodes: fromJson<DagNode[]>(r.nodes) ?? [],
  createdAt: iso(r.created_at) as string,
});

const toExecution = (r: ExecutionRow): DagExecution => ({
  id: r.id,
  dagId: r.dag_id,
  status: r.status,
  input: fromJson(r.input),
  nodes: fromJson<Record<string, NodeState>>(r.nodes) ?? {},
  error: r.error,
  createdAt: iso(r.created_at) as string,
  completedAt: iso(r.completed_at),
  updatedAt: iso(r.updated_at) as string,
});

/** DAG definitions and their executions (node states kept as one JSON document per execution). */
export class DagsRepo {
  constructor(private readonly db: SqlDriver) {}

  async create(input: { name: string; description?: string | null; nodes: DagNode[] }): Promise<Dag> {
    const row: DagRow = { id: newId(), name: input.name, description: input.description ?? null, nodes: JSON.stringify(input.nodes), created_at: Date.now() };
    await this.db.run('INSERT INTO dags (id, name, description, nodes, created_at) VALUES ($1, $2, $3, $4, $5)', [
      row.id,
      row.name,
      row.description,
      row.nodes,
      row.created_at,
    ]);
    return toDag(row);
  }

  async get(id: string): Promise<Dag | null> {
    const r = await this.db.get<DagRow>('SELECT * FROM dags WHERE id = $1', [id]);
    return r === undefined ? null : toDag(r);
  }

  async list(q: { limit: number; offset: number }): Promise<Page<Dag>> {
    return listPage(this.db, { table: 'dags', order: NEWEST_FIRST, limit: q.limit, offset: q.offset }, toDag);
  }

  async createExecution(dag: Dag, input: unknown): Promise<DagExecution> {
    const now = Date.now();
    const nodes: Record<string, NodeState> = {};
    for (const n of dag.nodes) {
      nodes[n.id] = { status: 'pending', startedAt: null, completedAt: null, startSeq: null, endSeq: null, output: null, usage: null, error: null };
    }
    const row: ExecutionRow = {
      id: newId(),
      dag_id: dag.id,
      status: 'running',
      input: toJson(input) as string | null,
      nodes: JSON.stringify(nodes),
      error: null,
      created_at: now,
      completed_at: null,
      updated_at: now,
    };
    await this.db.run(
      'INSERT INTO dag_executions (id, dag_id, status, input, nodes, error, created_at, completed_at, updated_at) VALUES ($1, $2, $3, $4, $5, NULL, $6, NULL, $6)',
      [row.id, row.dag_id, row.status, row.input, row.nodes, now],
    );
    return toExecution(row);
  }

  async getExecution(dagId: string, id: string): Promise<DagExecution | null> {
    const r = await this.db.get<ExecutionRow>('SELECT * FROM dag_executions WHERE id = $1 AND dag_id = $2', [id, dagId]);
    return r === undefined ? null : toExecution(r);
  }

  async listExecutions(dagId: string, q: { limit: number; offset: number }): Promise<Page<DagExecution>> {
    return listPage(this.db, { table: 'dag_executions', where: ['dag_id', dagId], order: NEWEST_FIRST, limit: q.limit, offset: q.offset }, toExecution);
  }

  /** Writes an execution's status and node states. */
  async saveExecution(e: { id: string; status: ExecutionStatus; nodes: Record<string, NodeState>; error: string | null; completedAt: number | null }): Promise<void> {
    await this.db.run('UPDATE dag_executions SET status = $2, nodes = $3, error = $4, completed_at = $5, updated_at = $6 WHERE id = $1', [
      e.id,
      e.status,
      JSON.stringify(e.nodes),
      e.error,
      e.completedAt,
      Date.now(),
    ]);
  }
}
