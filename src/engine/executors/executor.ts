import type { ScenarioDefinition } from '../../config/definition.ts';
import type { ScenarioPlan, ScenarioPlanBase } from '../plan.ts';
import type { ExecutorDeps, ScenarioRuntime } from './base.ts';
import type { Fields } from './fields.ts';

/** One executor: how its options are checked, how long it runs, and its runtime. */
export interface Executor<P extends ScenarioPlan = ScenarioPlan> {
  readonly name: P['executor'];
  /** Closed model (VUs loop) or open model (arrivals at a rate). */
  readonly model: 'closed' | 'open';
  /** The scenario fields it takes besides COMMON_OPTIONS (fields.ts); any other is refused, as k6 does. */
  readonly options: readonly string[];
  normalize(def: ScenarioDefinition, f: Fields, base: ScenarioPlanBase): P;
  /** VU slots the scenario can use (its split across workers follows it). */
  parallelism(plan: P): number;
  /** Longest time the scenario can take from its start, graceful stop included. */
  maxDurationMs(plan: P): number;
  /** One line for the run header, like k6's. */
  describe(plan: P): string;
  create(plan: P, deps: ExecutorDeps): ScenarioRuntime<P>;
}
