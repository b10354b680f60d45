import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { ThresholdResult } from '../metrics/thresholds/evaluate.ts';
import type { TimePoint } from '../metrics/timeseries.ts';
import type { NotListed } from '../util/error-template.ts';

/** How a run ended, which sets its exit code (k6's codes). */
export type RunStatus = 'passed' | 'thresholds-failed' | 'interrupted' | 'aborted-by-script' | 'aborted-by-threshold' | 'script-error';

/** Every status a finished run can have (a partial summary.json, written while a run goes, says 'running'). */
export const RUN_STATUSES: readonly RunStatus[] = ['passed', 'thresholds-failed', 'interrupted', 'aborted-by-script', 'aborted-by-threshold', 'script-error'];

export const EXIT_CODES = {
  passed: 0,
  'thresholds-failed': 99,
  'invalid-config': 104,
  interrupted: 105,
  'script-error': 107,
  'aborted-by-script': 108,
  'aborted-by-threshold': 99,
} as const;

/** One kind of iteration error: its first message, where it was first seen, and how many there were. */
export interface IterationError {
  /** The first message of this kind (user parts of URLs masked, at most 1000 characters). */
  readonly message: string;
  readonly scenario: string;
  readonly location: string;
  readonly count: number;
  /** The message template errors are grouped by (ids, numbers, quoted values stripped; docs/results.md). */
  readonly template?: string;
}

/** What a capped list leaves out: errors not in any listed kind, and kinds not listed. */
export type ErrorsNotListed = NotListed;

export interface ScenarioSummary {
  readonly name: string;
  readonly executor: string;
  readonly description: string;
}

/** Facts about a run, for headers and summary.json. */
export interface RunMeta {
  readonly tool: 'agentload';
  readonly version: string;
  readonly name: string;
  readonly script: string;
  readonly suite: string | null;
  readonly profile: string | null;
  readonly environment: string | null;
  readonly target: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
  readonly durationMs: number;
  readonly gitCommit: string | null;
  readonly timeScale: number;
  readonly workers: number;
  readonly segment: string;
  readonly scenarios: readonly ScenarioSummary[];
  readonly status: RunStatus;
  readonly exitCode: number;
  /** Why the run stopped early, when it did. */
  readonly stopReason: string | null;
  /** Names (never values) of the -e variables given. */
  readonly envKeys: readonly string[];
}

/** Everything a run produced: what reports and outputs are built from. */
export interface RunOutcome {
  readonly meta: RunMeta;
  readonly metrics: RunMetrics;
  readonly thresholds: readonly ThresholdResult[];
  /** The most frequent kinds of iteration error (at most 100). */
  readonly errors: readonly IterationError[];
  /** What `errors` leaves out (absent: nothing). */
  readonly errorsNotListed?: ErrorsNotListed;
  readonly timeseries: readonly TimePoint[];
  readonly summaryTrendStats: readonly string[];
}
