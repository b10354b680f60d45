/** The outcome and lifecycle of a unit of work: tasks and a2a_tasks (LifecycleRow in rows.ts). */
const LIFECYCLE_COLUMNS = `  error TEXT,
  input_tokens INTEGER,
  output_tokens INTEGER,
  created_at BIGINT NOT NULL,
  started_at BIGINT,
  completed_at BIGINT,
  updated_at BIGINT NOT NULL`;

/** The indexes of a table listed newest first, whole or by status. */
const byCreatedAndStatus = (table: string): string => `CREATE INDEX IF NOT EXISTS ${table}_by_created ON ${table} (created_at);
CREATE INDEX IF NOT EXISTS ${table}_by_status ON ${table} (status, created_at);`;

/**
 * The target's tables, in SQL both SQLite and PostgreSQL accept. Times are
 * epoch milliseconds (BIGINT), JSON documents are TEXT, flags are 0/1.
 * Created on start with IF NOT EXISTS, so a file or database is reused.
 */
export const SCHEMA_SQL = `
CREATE TABLE IF NOT EXISTS runs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  goal TEXT,
  workflow TEXT,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  metadata TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
${byCreatedAndStatus('runs')}

CREATE TABLE IF NOT EXISTS run_steps (
  id TEXT PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  parent_id TEXT REFERENCES run_steps (id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  name TEXT NOT NULL,
  agent TEXT,
  status TEXT NOT NULL,
  input TEXT,
  output TEXT,
  flag TEXT,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS run_steps_by_run ON run_steps (run_id, seq);
CREATE INDEX IF NOT EXISTS run_steps_by_parent ON run_steps (parent_id);

CREATE TABLE IF NOT EXISTS agents (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  kind TEXT NOT NULL,
  capabilities TEXT NOT NULL,
  metadata TEXT,
  created_at BIGINT NOT NULL
);

CREATE TABLE IF NOT EXISTS tasks (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  type TEXT NOT NULL,
  priority INTEGER NOT NULL,
  status TEXT NOT NULL,
  input TEXT,
  max_tokens INTEGER,
  agent_id TEXT,
  result TEXT,
${LIFECYCLE_COLUMNS}
);
${byCreatedAndStatus('tasks')}

CREATE TABLE IF NOT EXISTS dags (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT,
  nodes TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS dags_by_created ON dags (created_at);

CREATE TABLE IF NOT EXISTS dag_executions (
  id TEXT PRIMARY KEY,
  dag_id TEXT NOT NULL REFERENCES dags (id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  input TEXT,
  nodes TEXT NOT NULL,
  error TEXT,
  created_at BIGINT NOT NULL,
  completed_at BIGINT,
  updated_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS dag_executions_by_dag ON dag_executions (dag_id, created_at);
CREATE INDEX IF NOT EXISTS dag_executions_by_status ON dag_executions (status);

CREATE TABLE IF NOT EXISTS a2a_tasks (
  id TEXT PRIMARY KEY,
  agent TEXT,
  skill TEXT NOT NULL,
  input TEXT NOT NULL,
  priority INTEGER NOT NULL,
  status TEXT NOT NULL,
  output TEXT,
${LIFECYCLE_COLUMNS}
);
${byCreatedAndStatus('a2a_tasks')}

CREATE TABLE IF NOT EXISTS proposals (
  id TEXT PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT,
  options TEXT NOT NULL,
  quorum INTEGER NOT NULL,
  threshold DOUBLE PRECISION NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_by_created ON proposals (created_at);

CREATE TABLE IF NOT EXISTS votes (
  id TEXT PRIMARY KEY,
  proposal_id TEXT NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
  voter_id TEXT NOT NULL,
  choice TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  UNIQUE (proposal_id, voter_id)
);
CREATE INDEX IF NOT EXISTS votes_by_choice ON votes (proposal_id, choice);

CREATE TABLE IF NOT EXISTS records (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS records_by_kind ON records (kind, created_at);
CREATE INDEX IF NOT EXISTS records_by_created ON records (created_at);
`;
