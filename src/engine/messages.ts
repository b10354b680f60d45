import type { EncodedSeries } from '../metrics/sample-store.ts';
import type { RunPlan } from './plan.ts';

export interface WorkerInit {
  readonly bundlePath: string;
  readonly sourcePath: string;
  readonly plan: RunPlan;
  readonly workerIndex: number;
  readonly workerCount: number;
  /** Forward every sample as a JSON line (`--out json=` and `--out csv=`). */
  readonly rawSamples: boolean;
}

export type ToWorker =
  | { type: 'setup' }
  | { type: 'start'; startAtEpochMs: number; data: unknown }
  | { type: 'stop' }
  | { type: 'hard-stop' }
  | { type: 'teardown'; data: unknown }
  | { type: 'exit' };

export interface IterationErrorInfo {
  readonly message: string;
  /** The kind of error (util/error-template.ts): errors are grouped and counted by it. */
  readonly template: string;
  readonly scenario: string;
  readonly location: string;
  count: number;
}

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; kind: 'script' | 'internal'; message: string; location: string }
  | { type: 'metrics'; series: EncodedSeries[]; vus: number; vusMax: number; samples: string | null; iterationsDone: number }
  | { type: 'iteration-error'; error: IterationErrorInfo }
  /** Something worth one line on the console (shown once per distinct message, whatever the number of workers). */
  | { type: 'warning'; message: string }
  | { type: 'setup-done'; data: unknown; error: { message: string; location: string } | null }
  | { type: 'abort'; reason: string }
  | { type: 'done'; errors: IterationErrorInfo[] }
  | { type: 'teardown-done'; error: { message: string; location: string } | null };
