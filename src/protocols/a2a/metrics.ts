import { registry } from '../../metrics/builtin.ts';

/**
 * A2A metrics (docs/a2a.md). Times run from the moment the message was sent
 * (or the REST task submitted) to the moment the client saw the event.
 */
export const a2aMetrics = {
  /** Send → the server acknowledged with a task (or answered with a message) (ms). */
  a2a_submit_duration: registry.define('a2a_submit_duration', 'trend', 'time'),
  /** Send → the first state past `submitted` the client saw (working, input-required or terminal) (ms). */
  a2a_first_status: registry.define('a2a_first_status', 'trend', 'time'),
  /** Send → a terminal (or interrupted) state (ms). */
  a2a_task_duration: registry.define('a2a_task_duration', 'trend', 'time'),
  /** Share of tasks that ended `completed` (failed, canceled, rejected, timed out and errors count against). */
  a2a_task_completed: registry.define('a2a_task_completed', 'rate'),
  /** Tasks by how they ended, tagged state=completed|failed|canceled|rejected|input-required|auth-required|message|timeout|error. */
  a2a_tasks: registry.define('a2a_tasks', 'counter'),
  /** Each JSON-RPC call and agent-card fetch, tagged method=send|stream|get|cancel|resubscribe|card (ms; streams until they end). */
  a2a_request_duration: registry.define('a2a_request_duration', 'trend', 'time'),
  /** Failed calls, tagged method and error_code. */
  a2a_errors: registry.define('a2a_errors', 'counter'),
} as const;
