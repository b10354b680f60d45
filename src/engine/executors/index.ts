import type { ExecutorName } from '../../config/definition.ts';
import type { ScenarioPlan } from '../plan.ts';
import { constantArrivalRate } from './constant-arrival-rate.ts';
import { constantVus } from './constant-vus.ts';
import type { Executor } from './executor.ts';
import { perVuIterations } from './per-vu-iterations.ts';
import { rampingArrivalRate } from './ramping-arrival-rate.ts';
import { rampingVus } from './ramping-vus.ts';
import { sharedIterations } from './shared-iterations.ts';

export const EXECUTORS: Readonly<Record<ExecutorName, Executor>> = {
  'shared-iterations': sharedIterations as unknown as Executor,
  'per-vu-iterations': perVuIterations as unknown as Executor,
  'constant-vus': constantVus as unknown as Executor,
  'ramping-vus': rampingVus as unknown as Executor,
  'constant-arrival-rate': constantArrivalRate as unknown as Executor,
  'ramping-arrival-rate': rampingArrivalRate as unknown as Executor,
};

export function executorOf(plan: ScenarioPlan): Executor {
  return EXECUTORS[plan.executor];
}

export function isExecutorName(name: unknown): name is ExecutorName {
  return typeof name === 'string' && Object.hasOwn(EXECUTORS, name);
}
