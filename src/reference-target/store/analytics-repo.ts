import type { SqlDriver } from './sql-driver.ts';

export interface StatusBreakdown {
  total: number;
  byStatus: Record<string, number>;
}

export interface TimedBreakdown extends StatusBreakdown {
  /** Mean time from start to completion of completed items, milliseconds (null when none completed). */
  avgDurationMs: number | null;
}

/** Aggregates over everything stored (GET /api/analytics/metrics). */
export interface StoredAggregates {
  runs: StatusBreakdown & { steps: number; flaggedSteps: number };
  tasks: TimedBreakdown;
  a2aTasks: TimedBreakdown;
  dagExecutions: StatusBreakdown;
  dags: number;
  agents: number;
  proposals: number;
  votes: number;
  records: number;
}

interface StatusRow {
  status: string;
  n: number;
  avg_ms?: number | null;
}

function breakdown(rows: readonly StatusRow[]): TimedBreakdown {
  const byStatus: Record<string, number> = {};
  let total = 0;
  let avg: number | null = null;
  for (const r of rows) {
    byStatus[r.status] = Number(r.n);
    total += Number(r.n);
    if (r.status === 'completed' && r.avg_ms !== undefined && r.avg_ms !== null) avg = Math.round(Number(r.avg_ms) * 10) / 10;
  }
  return { total, byStatus, avgDurationMs: avg };
}

export class AnalyticsRepo {
  constructor(private readonly db: SqlDriver) {}

  async aggregates(): Promise<StoredAggregates> {
    const count = async (table: string): Promise<number> => Number((await this.db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))?.n ?? 0);
    const [runs, steps, tasks, a2a, executions, dags, agents, proposals, votes, records] = await Promise.all([
      this.db.all<StatusRow>('SELECT status, COUNT(*) AS n FROM runs GROUP BY status'),
      this.db.get<{ n: number; flagged: number | null }>('SELECT COUNT(*) AS n, SUM(CASE WHEN flag IS NULL THEN 0 ELSE 1 END) AS flagged FROM run_steps'),
      this.db.all<StatusRow>('SELECT status, COUNT(*) AS n, AVG(completed_at - started_at) AS avg_ms FROM tasks GROUP BY status'),
      this.db.all<StatusRow>('SELECT status, COUNT(*) AS n, AVG(completed_at - started_at) AS avg_ms FROM a2a_tasks GROUP BY status'),
      this.db.all<StatusRow>('SELECT status, COUNT(*) AS n FROM dag_executions GROUP BY status'),
      count('dags'),
      count('agents'),
      count('proposals'),
      count('votes'),
      count('records'),
    ]);
    const r = breakdown(runs);
    const e = breakdown(executions);
    return {
      runs: { total: r.total, byStatus: r.byStatus, steps: Number(steps?.n ?? 0), flaggedSteps: Number(steps?.flagged ?? 0) },
      tasks: breakdown(tasks),
      a2aTasks: breakdown(a2a),
      dagExecutions: { total: e.total, byStatus: e.byStatus },
      dags,
      agents,
      proposals,
      votes,
      records,
    };
  }
}
