import type { ExecutorName } from '../config/definition.ts';
import type { PlannedStage } from './stages.ts';
import type { LlmPlan } from '../protocols/llm/options.ts';
import type { A2aPlan } from '../protocols/a2a/options.ts';

/** What every scenario has after validation (durations in ms, time scale applied). */
export interface ScenarioPlanBase {
  readonly name: string;
  readonly executor: ExecutorName;
  readonly startTimeMs: number;
  readonly gracefulStopMs: number;
  readonly env: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  /** [min, max] seconds of think time after each iteration; null for none. */
  readonly waitTime: readonly [number, number] | null;
  /** Offset added to VU slot numbers to make VU ids unique across scenarios. */
  readonly vuIdOffset: number;
}

export interface SharedIterationsPlan extends ScenarioPlanBase {
  readonly executor: 'shared-iterations';
  readonly vus: number;
  readonly iterations: number;
  readonly maxDurationMs: number;
}
export interface PerVuIterationsPlan extends ScenarioPlanBase {
  readonly executor: 'per-vu-iterations';
  readonly vus: number;
  readonly iterations: number;
  readonly maxDurationMs: number;
}
export interface ConstantVusPlan extends ScenarioPlanBase {
  readonly executor: 'constant-vus';
  readonly vus: number;
  readonly durationMs: number;
}
export interface RampingVusPlan extends ScenarioPlanBase {
  readonly executor: 'ramping-vus';
  readonly startVUs: number;
  readonly stages: readonly PlannedStage[];
  readonly gracefulRampDownMs: number;
}
export interface ConstantArrivalRatePlan extends ScenarioPlanBase {
  readonly executor: 'constant-arrival-rate';
  readonly rate: number;
  readonly timeUnitMs: number;
  readonly durationMs: number;
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}
export interface RampingArrivalRatePlan extends ScenarioPlanBase {
  readonly executor: 'ramping-arrival-rate';
  readonly startRate: number;
  readonly timeUnitMs: number;
  readonly stages: readonly PlannedStage[];
  readonly preAllocatedVUs: number;
  readonly maxVUs: number;
}

export type ScenarioPlan =
  | SharedIterationsPlan
  | PerVuIterationsPlan
  | ConstantVusPlan
  | RampingVusPlan
  | ConstantArrivalRatePlan
  | RampingArrivalRatePlan;

export interface ThresholdPlan {
  readonly key: string;
  readonly expression: string;
  readonly abortOnFail: boolean;
  readonly delayAbortEvalMs: number;
}

export interface HttpPlan {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly discardResponseBodies: boolean;
  readonly insecureSkipTLSVerify: boolean;
  /** Per origin and worker; 0 = no limit. */
  readonly maxConnectionsPerHost: number;
  readonly expectedStatuses: readonly (number | { min: number; max: number })[];
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: boolean;
  /** Largest response body kept, in bytes; 0 = no limit. */
  readonly maxResponseBytes: number;
}

/** A run, fully resolved: the controller and every worker act on the same plan. */
export interface RunPlan {
  readonly name: string;
  readonly scenarios: readonly ScenarioPlan[];
  readonly thresholds: readonly ThresholdPlan[];
  readonly env: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly http: HttpPlan;
  readonly llm: LlmPlan;
  readonly a2a: A2aPlan;
  readonly summaryTrendStats: readonly string[];
  /** Most series (metric × tag set) per worker and in the controller; samples past it fold into overflow series. */
  readonly maxSeries: number;
  readonly profile: string | null;
  readonly timeScale: number;
  readonly segment: { readonly index: number; readonly count: number };
}
