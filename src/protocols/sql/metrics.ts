import { registry } from '../../metrics/builtin.ts';

/** PostgreSQL metrics (docs/data-plane.md). */
export const sqlMetrics = {
  /** Pool checkout + query round trip (ms), tagged with the query's `name` (and `error_code` on failures). */
  db_query_duration: registry.define('db_query_duration', 'trend', 'time'),
  /** Connections of the worker's pool in use (totalCount - idleCount), sampled as each query starts. */
  db_pool_in_use: registry.define('db_pool_in_use', 'gauge'),
} as const;
