import type { SetupContext, VuContext } from '../engine/context.ts';
import type { StatusSpec } from '../protocols/http/client.ts';
import type { LlmOptions } from '../protocols/llm/options.ts';
import type { A2aOptions } from '../protocols/a2a/options.ts';
import type { DurationInput } from '../util/duration.ts';

export type ScenarioFn<Data = unknown> = (ctx: VuContext<Data>) => unknown;

export interface Stage {
  duration: DurationInput;
  target: number;
}

/** Threshold written as k6 does: 'p(95)<500', or the long form with abortOnFail. */
export type ThresholdInput = string | { threshold: string; abortOnFail?: boolean; delayAbortEval?: DurationInput };

/** A Locust-style task: picked by weight at each iteration. */
export interface TaskDefinition<Data = unknown> {
  weight?: number;
  fn: ScenarioFn<Data>;
}

interface ScenarioCommon<Data> {
  /** The function each iteration runs. Either `exec` or `tasks`. */
  exec?: ScenarioFn<Data>;
  /** Weighted tasks: each iteration runs one, picked by weight (seed 004's @task(3)/@task(2)/@task(1)). */
  tasks?: Readonly<Record<string, TaskDefinition<Data> | ScenarioFn<Data>>>;
  /** Think time after each iteration, seconds: a number or [min, max] (Locust's wait_time = between(min, max)). */
  waitTime?: number | readonly [number, number];
  /** Offset from the start of the test (default 0s). */
  startTime?: DurationInput;
  /** Time iterations in progress get to finish after the scenario ends (default 30s). */
  gracefulStop?: DurationInput;
  env?: Readonly<Record<string, string>>;
  tags?: Readonly<Record<string, string>>;
  /** Share of a profile's VUs this scenario gets, relative to other scenarios (default 1). */
  weight?: number;
}

export interface SharedIterationsScenario<Data = unknown> extends ScenarioCommon<Data> {
  executor: 'shared-iterations';
  vus?: number;
  iterations?: number;
  maxDuration?: DurationInput;
}
export interface PerVuIterationsScenario<Data = unknown> extends ScenarioCommon<Data> {
  executor: 'per-vu-iterations';
  vus?: number;
  iterations?: number;
  maxDuration?: DurationInput;
}
export interface ConstantVusScenario<Data = unknown> extends ScenarioCommon<Data> {
  executor: 'constant-vus';
  vus?: number;
  duration: DurationInput;
}
export interface RampingVusScenario<Data = unknown> extends ScenarioCommon<Data> {
  executor: 'ramping-vus';
  startVUs?: number;
  stages: readonly Stage[];
  gracefulRampDown?: DurationInput;
}
export interface ConstantArrivalRateScenario<Data = unknown> extends ScenarioCommon<Data> {
  executor: 'constant-arrival-rate';
  rate: number;
  timeUnit?: DurationInput;
  duration: DurationInput;
  preAllocatedVUs: number;
  maxVUs?: number;
}
export interface RampingArrivalRateScenario<Data = unknown> extends ScenarioCommon<Data> {
  executor: 'ramping-arrival-rate';
  startRate?: number;
  timeUnit?: DurationInput;
  stages: readonly Stage[];
  preAllocatedVUs: number;
  maxVUs?: number;
}

export type ScenarioDefinition<Data = unknown> =
  | SharedIterationsScenario<Data>
  | PerVuIterationsScenario<Data>
  | ConstantVusScenario<Data>
  | RampingVusScenario<Data>
  | ConstantArrivalRateScenario<Data>
  | RampingArrivalRateScenario<Data>;

export type ExecutorName = ScenarioDefinition['executor'];

/** A load profile: a stage shape for VU-based scenarios (and optionally arrival rates) plus default thresholds. */
export interface ProfileDefinition {
  description?: string;
  /** VUs at the start (default 0). */
  startVUs?: number;
  /** VU targets over time; split between VU-based scenarios by their `weight`. */
  stages: readonly Stage[];
  /** Arrival-rate stages (iterations per timeUnit); when absent, arrival-rate scenarios follow the VU shape scaled to their own rate. */
  rateStages?: readonly Stage[];
  thresholds?: Readonly<Record<string, readonly ThresholdInput[]>>;
}

export interface HttpOptions {
  /** Prefix for URLs that start with "/". */
  baseUrl?: string;
  /** Default request timeout (60s): a deadline for the whole request, from its start to the end of its body. */
  timeout?: DurationInput;
  /**
   * Largest response body kept, in bytes (default 10 MiB = 10_485_760; 0 = no limit). A larger body fails
   * its request with error_code RESPONSE_TOO_LARGE; a request may raise it (`params.maxResponseBytes`). It also
   * bounds SSE events, WebSocket messages and LLM/A2A responses (docs/http.md#response-size).
   */
  maxResponseBytes?: number;
  maxRedirects?: number;
  discardResponseBodies?: boolean;
  insecureSkipTLSVerify?: boolean;
  /** Statuses that count as success for http_req_failed (default 200–399). */
  expectedStatuses?: readonly StatusSpec[];
  headers?: Readonly<Record<string, string>>;
  userAgent?: string;
  /** Keep a cookie jar per VU (default true). */
  cookies?: boolean;
  /**
   * Connections per origin in each worker thread (default 1000; 0 = no limit).
   * Requests past it wait for a free connection (counted in http_req_blocked).
   * Raise it for many long-lived streams (SSE, LLM) to one host.
   */
  maxConnectionsPerHost?: number;
}

/** What a test script's default export holds. */
export interface TestDefinition<Data = unknown> {
  name?: string;
  scenarios?: Readonly<Record<string, ScenarioDefinition<Data>>>;
  /** The function of the implicit scenario made by `vus`/`duration`/`iterations`/`stages` (or CLI shortcuts). */
  exec?: ScenarioFn<Data>;
  vus?: number;
  duration?: DurationInput;
  iterations?: number;
  stages?: readonly Stage[];
  thresholds?: Readonly<Record<string, readonly ThresholdInput[]>>;
  profiles?: Readonly<Record<string, ProfileDefinition>>;
  /**
   * Set when the test runs fixed amounts of work that a load profile must not
   * reshape; the text says why. `--profile` is then refused (exit 104), except
   * under `run --suite all`, where such a suite runs as written.
   */
  fixedLoad?: string;
  env?: Readonly<Record<string, string>>;
  tags?: Readonly<Record<string, string>>;
  http?: HttpOptions;
  /** `ctx.llm`: base URL, model, API key variable, prices, SLOs (docs/llm.md). */
  llm?: LlmOptions;
  /** `ctx.a2a`: agent URL, version, token variable, REST task paths (docs/a2a.md). */
  a2a?: A2aOptions;
  summaryTrendStats?: readonly string[];
  /**
   * Most series (one per metric and distinct set of tags) the run keeps, in each worker and in total
   * (default 100,000). Past it, samples with new tags are folded into series tagged overflow=true and
   * still count in every metric's totals; a warning says so (docs/metrics.md#series-cap).
   */
  maxSeries?: number;
  setup?: (ctx: SetupContext) => Data | Promise<Data>;
  teardown?: (ctx: SetupContext, data: Data) => unknown;
}

/** Declare a test; returns it unchanged, typed. */
export function defineTest<Data = undefined>(definition: TestDefinition<Data>): TestDefinition<Data> {
  return definition;
}
