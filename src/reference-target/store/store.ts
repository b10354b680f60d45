import { isPostgresUrl } from '../options.ts';
import { A2aRepo } from './a2a-repo.ts';
import { AnalyticsRepo } from './analytics-repo.ts';
import { DagsRepo } from './dags-repo.ts';
import { PostgresDriver } from './postgres-driver.ts';
import { ProposalsRepo } from './proposals-repo.ts';
import { RecordsRepo } from './records-repo.ts';
import { RunsRepo } from './runs-repo.ts';
import { SCHEMA_SQL } from './schema.ts';
import type { QueryObserver, SqlDriver } from './sql-driver.ts';
import { SqliteDriver } from './sqlite-driver.ts';
import { TasksRepo } from './tasks-repo.ts';

/** Everything the target stores, over one SQL driver (SQLite or PostgreSQL). */
export class Store {
  readonly runs: RunsRepo;
  readonly tasks: TasksRepo;
  readonly dags: DagsRepo;
  readonly a2a: A2aRepo;
  readonly proposals: ProposalsRepo;
  readonly records: RecordsRepo;
  readonly analytics: AnalyticsRepo;

  constructor(readonly driver: SqlDriver) {
    this.runs = new RunsRepo(driver);
    this.tasks = new TasksRepo(driver);
    this.dags = new DagsRepo(driver);
    this.a2a = new A2aRepo(driver);
    this.proposals = new ProposalsRepo(driver);
    this.records = new RecordsRepo(driver);
    this.analytics = new AnalyticsRepo(driver);
  }

  /** A trivial query: is the database answering? */
  async ping(): Promise<void> {
    await this.driver.get('SELECT 1 AS ok');
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}

/** Open the database `db` names (':memory:', a SQLite file, or postgres://…) and create the schema. */
export async function openStore(db: string, options: { schema: string; poolSize: number }, observe?: QueryObserver): Promise<Store> {
  let driver: SqlDriver;
  if (isPostgresUrl(db)) {
    driver = new PostgresDriver(db, options, observe);
    try {
      await driver.exec(`CREATE SCHEMA IF NOT EXISTS "${options.schema}"`);
      await driver.exec(SCHEMA_SQL);
    } catch (e) {
      await driver.close().catch(() => undefined);
      throw e;
    }
  } else {
    driver = new SqliteDriver(db, observe);
    await driver.exec(SCHEMA_SQL);
  }
  return new Store(driver);
}
