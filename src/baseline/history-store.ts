import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { SummaryThreshold } from '../report/summary-json.ts';
import type { TimePoint } from '../metrics/timeseries.ts';
import type { RunMeta, RunStatus } from '../types/run-outcome.ts';
import { testOf, valueOf, type RecordMetric, type RunRecord } from './run-record.ts';

/** Where the history lives unless configured otherwise (relative to the working directory). */
export const DEFAULT_HISTORY_PATH = '.agentload/history.db';

/** The schema version this build writes; older files are migrated on open. */
export const HISTORY_SCHEMA_VERSION = 1;

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     recorded_at TEXT NOT NULL,
     started_at TEXT NOT NULL,
     duration_ms REAL NOT NULL,
     test TEXT NOT NULL,
     name TEXT NOT NULL,
     script TEXT NOT NULL,
     suite TEXT,
     environment TEXT,
     profile TEXT,
     time_scale REAL NOT NULL,
     git_commit TEXT,
     branch TEXT,
     status TEXT NOT NULL,
     exit_code INTEGER NOT NULL,
     results_dir TEXT,
     compared_with TEXT,
     regression INTEGER,
     meta TEXT NOT NULL,
     metrics TEXT NOT NULL,
     thresholds TEXT NOT NULL,
     timeseries BLOB
   );
   CREATE INDEX runs_by_test ON runs (test, environment, profile, started_at);`,
];

/** What recording a run takes. */
export interface HistoryEntry {
  readonly meta: RunMeta;
  readonly metrics: Readonly<Record<string, RecordMetric>>;
  readonly thresholds: readonly SummaryThreshold[];
  readonly timeseries?: readonly TimePoint[];
  readonly resultsDir?: string | null;
  readonly branch?: string | null;
}

/** A run read back from the history. */
export interface HistoryRun extends RunRecord {
  readonly meta: RunMeta;
  readonly id: number;
  readonly recordedAt: string;
  readonly resultsDir: string | null;
  readonly branch: string | null;
  /** The baseline it was compared with at the end of the run, if any. */
  readonly comparedWith: string | null;
  /** The verdict of that comparison: true regression, false none, null not compared. */
  readonly regression: boolean | null;
}

export interface HistoryFilter {
  /** The suite, or the test's name for scripts. */
  readonly test?: string;
  /** null matches runs without an environment. */
  readonly environment?: string | null;
  readonly profile?: string | null;
  readonly timeScale?: number;
  readonly branch?: string;
  readonly statuses?: readonly RunStatus[];
  /** Leave these runs out (the run being compared). */
  readonly excludeIds?: readonly number[];
  /** Runs that started at exactly this time (ISO 8601, as recorded): finds the record of a results folder. */
  readonly startedAt?: string;
  /** Runs up to this one in the list's order: started before it, or at the same time with an id not above it (a trend ending at a run). */
  readonly upTo?: { readonly startedAt: string; readonly id: number };
  /** Newest first, at most this many (default 20). */
  readonly limit?: number;
}

export interface TrendPoint {
  readonly id: number;
  readonly startedAt: string;
  readonly value: number;
  readonly gitCommit: string | null;
  readonly status: RunStatus;
}

export class HistoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HistoryError';
  }
}

interface Row {
  id: number;
  recorded_at: string;
  results_dir: string | null;
  branch: string | null;
  compared_with: string | null;
  regression: number | null;
  meta: string;
  metrics: string;
  thresholds: string;
}

const COLUMNS = 'id, recorded_at, results_dir, branch, compared_with, regression, meta, metrics, thresholds';

/**
 * The run history: one SQLite file, one row per run with its facts as
 * columns (for filtering, and for anyone's SQL) and its metrics, thresholds
 * and gzipped per-second time series. Safe for several processes at once
 * (WAL, busy timeout).
 */
export class HistoryStore {
  readonly #db: Database.Database;

  private constructor(
    readonly path: string,
    db: Database.Database,
  ) {
    this.#db = db;
  }

  /** Open (creating the file, its folder and the schema when needed). */
  static open(path: string, options: { readonly?: boolean } = {}): HistoryStore {
    let db: Database.Database;
    try {
      if (options.readonly !== true && path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { readonly: options.readonly === true, fileMustExist: options.readonly === true, timeout: 10_000 });
    } catch (e) {
      throw new HistoryError(`${path}: cannot open the history (${(e as Error).message})`);
    }
    try {
      if (options.readonly !== true) db.pragma('journal_mode = WAL');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > HISTORY_SCHEMA_VERSION) {
        throw new HistoryError(`${path}: history schema ${version} was written by a newer agentload (this one reads up to ${HISTORY_SCHEMA_VERSION})`);
      }
      if (version < HISTORY_SCHEMA_VERSION) {
        if (options.readonly === true) throw new HistoryError(`${path}: history schema ${version} needs an upgrade; open it once without --readonly`);
        db.transaction(() => {
          for (let v = version; v < HISTORY_SCHEMA_VERSION; v++) db.exec(MIGRATIONS[v] as string);
          db.pragma(`user_version = ${HISTORY_SCHEMA_VERSION}`);
        }).immediate();
      }
    } catch (e) {
      db.close();
      if (e instanceof HistoryError) throw e;
      throw new HistoryError(`${path}: not a usable history file (${(e as Error).message})`);
    }
    return new HistoryStore(path, db);
  }

  /** Record a run; returns its id. */
  record(entry: HistoryEntry): number {
    const m = entry.meta;
    const ts = entry.timeseries === undefined ? null : gzipSync(JSON.stringify(entry.timeseries));
    const r = this.#db
      .prepare(
        `INSERT INTO runs (recorded_at, started_at, duration_ms, test, name, script, suite, environment, profile, time_scale, git_commit, branch,
                           status, exit_code, results_dir, meta, metrics, thresholds, timeseries)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        new Date().toISOString(),
        m.startedAt,
        m.durationMs,
        testOf(m),
        m.name,
        m.script,
        m.suite,
        m.environment,
        m.profile,
        m.timeScale,
        m.gitCommit,
        entry.branch ?? null,
        m.status,
        m.exitCode,
        entry.resultsDir ?? null,
        JSON.stringify(m),
        JSON.stringify(entry.metrics),
        JSON.stringify(entry.thresholds),
        ts,
      );
    return Number(r.lastInsertRowid);
  }

  /** Note the baseline verdict of a recorded run. */
  setVerdict(id: number, comparedWith: string, regression: boolean): void {
    this.#db.prepare('UPDATE runs SET compared_with = ?, regression = ? WHERE id = ?').run(comparedWith, regression ? 1 : 0, id);
  }

  get(id: number): HistoryRun | undefined {
    const row = this.#db.prepare(`SELECT ${COLUMNS} FROM runs WHERE id = ?`).get(id) as Row | undefined;
    return row === undefined ? undefined : this.#fromRow(row);
  }

  /** Runs matching the filter, newest first. */
  list(filter: HistoryFilter = {}): HistoryRun[] {
    const where: string[] = [];
    const args: (string | number)[] = [];
    const eq = (col: string, v: string | number | null | undefined): void => {
      if (v === undefined) return;
      if (v === null) where.push(`${col} IS NULL`);
      else {
        where.push(`${col} = ?`);
        args.push(v);
      }
    };
    eq('test', filter.test);
    eq('environment', filter.environment);
    eq('profile', filter.profile);
    eq('time_scale', filter.timeScale);
    eq('branch', filter.branch);
    eq('started_at', filter.startedAt);
    if (filter.upTo !== undefined) {
      where.push('(started_at < ? OR (started_at = ? AND id <= ?))');
      args.push(filter.upTo.startedAt, filter.upTo.startedAt, filter.upTo.id);
    }
    if (filter.statuses !== undefined) {
      where.push(`status IN (${filter.statuses.map(() => '?').join(', ')})`);
      args.push(...filter.statuses);
    }
    if (filter.excludeIds !== undefined && filter.excludeIds.length > 0) {
      where.push(`id NOT IN (${filter.excludeIds.map(() => '?').join(', ')})`);
      args.push(...filter.excludeIds);
    }
    const sql = `SELECT ${COLUMNS} FROM runs ${where.length === 0 ? '' : `WHERE ${where.join(' AND ')}`} ORDER BY started_at DESC, id DESC LIMIT ?`;
    args.push(filter.limit ?? 20);
    return (this.#db.prepare(sql).all(...args) as Row[]).map((r) => this.#fromRow(r));
  }

  /** The per-second time series of a run (null when it was recorded without one). */
  timeseries(id: number): TimePoint[] | null {
    const row = this.#db.prepare('SELECT timeseries FROM runs WHERE id = ?').get(id) as { timeseries: Buffer | null } | undefined;
    if (row === undefined || row.timeseries === null) return null;
    return JSON.parse(gunzipSync(row.timeseries).toString('utf8')) as TimePoint[];
  }

  /** One statistic of one metric over the matching runs, oldest first (for trend lines and charts). */
  trend(key: string, stat: string, filter: HistoryFilter = {}): TrendPoint[] {
    const out: TrendPoint[] = [];
    for (const run of this.list(filter).reverse()) {
      const v = valueOf(run, key, stat);
      if (v !== undefined) out.push({ id: run.id, startedAt: run.meta.startedAt, value: v, gitCommit: run.meta.gitCommit, status: run.meta.status });
    }
    return out;
  }

  count(): number {
    return (this.#db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n;
  }

  close(): void {
    this.#db.close();
  }

  #fromRow(row: Row): HistoryRun {
    return {
      id: row.id,
      source: `history:${row.id}`,
      recordedAt: row.recorded_at,
      resultsDir: row.results_dir,
      branch: row.branch,
      comparedWith: row.compared_with,
      regression: row.regression === null ? null : row.regression === 1,
      meta: JSON.parse(row.meta) as RunMeta,
      metrics: JSON.parse(row.metrics) as Record<string, RecordMetric>,
      thresholds: JSON.parse(row.thresholds) as SummaryThreshold[],
    };
  }
}
