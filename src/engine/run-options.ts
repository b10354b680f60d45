import type { CliOverrides } from '../config/resolve.ts';
import type { RunOutcome } from '../types/run-outcome.ts';
import type { RunPlan } from './plan.ts';

/** Options that fail validation: exit code 104, every error listed. */
export class ConfigError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`invalid configuration:\n${errors.map((e) => `  - ${e}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Stopped (second signal) before the plan was known (bundling, loading the script): nothing was measured. */
export class StoppedBeforeStartError extends Error {
  constructor(readonly reason: string) {
    super(`${reason} before the test started: nothing was measured`);
    this.name = 'StoppedBeforeStartError';
  }
}

export interface ProgressState {
  readonly elapsedMs: number;
  readonly totalMs: number;
  readonly vus: number;
  readonly vusMax: number;
  readonly iterations: number;
  readonly iterationsPerSec: number;
  readonly requestsPerSec: number;
  readonly p95Ms: number | null;
  readonly errorRate: number | null;
  readonly stopping: boolean;
}

export interface RunOptions {
  readonly script: string;
  readonly cli?: CliOverrides;
  /** Worker threads (default: one per core, at most the scenarios' parallelism). */
  readonly workers?: number;
  /** `--out json=FILE` */
  readonly jsonOut?: string;
  /** `--out csv=FILE` (k6's CSV columns) */
  readonly csvOut?: string;
  readonly suite?: string | null;
  readonly environment?: string | null;
  readonly target?: string | null;
  /** Called once a second while the test runs. */
  readonly onProgress?: (p: ProgressState) => void;
  /** Called with lines worth showing (first occurrence of an iteration error, setup errors). */
  readonly onLog?: (line: string) => void;
  /** Called once the plan is known, before the test starts. */
  readonly onPlan?: (plan: RunPlan, workers: number) => void;
  /**
   * Secret values (tokens from --env) replaced by *** in everything the run emits: raw samples
   * (--out json/csv), tags of every series, iteration errors, stop reasons, log lines and the script's
   * own output. The run adds the secrets the plan names (see plan-secrets.ts): `secrets` has them all.
   */
  readonly secrets?: readonly string[];
  /**
   * Called with what was measured so far (status as it stands) once the plan is known, at most every
   * `checkpointMs` (default 5000) and right after a tick while the test runs, so that it never delays
   * one: the CLI writes the partial results with it (a killed run leaves them).
   */
  readonly onCheckpoint?: (partial: RunOutcome) => void;
  readonly checkpointMs?: number;
}
