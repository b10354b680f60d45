import type { SqlDriver } from './sql-driver.ts';
import { fromJson, iso, listPage, newId, NEWEST_FIRST, type Page } from './rows.ts';

/** A stored document (seed 003 "Database CRUD operations": single and batch inserts). */
export interface StoredRecord {
  id: string;
  kind: string;
  payload: unknown;
  createdAt: string;
}

interface RecordRow {
  id: string;
  kind: string;
  payload: string;
  created_at: number;
}

const toRecord = (r: RecordRow): StoredRecord => ({ id: r.id, kind: r.kind, payload: fromJson(r.payload), createdAt: iso(r.created_at) as string });

const INSERT = 'INSERT INTO records (id, kind, payload, created_at) VALUES ($1, $2, $3, $4)';

export class RecordsRepo {
  constructor(private readonly db: SqlDriver) {}

  async insert(input: { kind: string; payload: unknown }): Promise<StoredRecord> {
    const row: RecordRow = { id: newId(), kind: input.kind, payload: JSON.stringify(input.payload ?? null), created_at: Date.now() };
    await this.db.run(INSERT, [row.id, row.kind, row.payload, row.created_at]);
    return toRecord(row);
  }

  /** All in one transaction: every record is stored, or none. */
  async insertMany(inputs: readonly { kind: string; payload: unknown }[]): Promise<string[]> {
    const now = Date.now();
    const rows = inputs.map((r) => [newId(), r.kind, JSON.stringify(r.payload ?? null), now] as const);
    await this.db.runMany(INSERT, rows);
    return rows.map((r) => r[0]);
  }

  async get(id: string): Promise<StoredRecord | null> {
    const r = await this.db.get<RecordRow>('SELECT * FROM records WHERE id = $1', [id]);
    return r === undefined ? null : toRecord(r);
  }

  async list(q: { kind?: string; limit: number; offset: number }): Promise<Page<StoredRecord>> {
    return listPage(this.db, { table: 'records', where: ['kind', q.kind], order: NEWEST_FIRST, limit: q.limit, offset: q.offset }, toRecord);
  }

  async delete(id: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM records WHERE id = $1', [id])) > 0;
  }
}
