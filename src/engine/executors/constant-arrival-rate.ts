import type { ConstantArrivalRateScenario } from '../../config/definition.ts';
import { formatDuration } from '../../util/duration.ts';
import type { ConstantArrivalRatePlan } from '../plan.ts';
import { ArrivalSchedule } from '../stages.ts';
import { ArrivalRuntime } from './arrival-runtime.ts';
import type { Executor } from './executor.ts';

/** 'constant-arrival-rate': `rate` iterations per `timeUnit`, evenly spaced, for `duration`. */
class ConstantArrivalRateRuntime extends ArrivalRuntime<ConstantArrivalRatePlan> {
  protected arrivals(): ArrivalSchedule {
    const r = this.plan.rate / this.plan.timeUnitMs;
    return new ArrivalSchedule(r, [{ durationMs: this.plan.durationMs, ratePerMs: r }]);
  }
}

export const constantArrivalRate: Executor<ConstantArrivalRatePlan> = {
  name: 'constant-arrival-rate',
  model: 'open',
  options: ['rate', 'timeUnit', 'duration', 'preAllocatedVUs', 'maxVUs'] satisfies readonly (keyof ConstantArrivalRateScenario)[],
  normalize(def, f, base) {
    const preAllocatedVUs = f.int('preAllocatedVUs', undefined, 0);
    const maxVUs = f.int('maxVUs', preAllocatedVUs, 0);
    f.check(maxVUs >= preAllocatedVUs, 'maxVUs', `must be at least preAllocatedVUs (${preAllocatedVUs})`);
    f.check(maxVUs > 0, 'maxVUs', 'must be more than 0');
    const durationMs = f.duration('duration', undefined);
    f.check(durationMs > 0, 'duration', 'must be more than 0');
    const rate = f.num('rate', undefined, 0);
    f.check(rate > 0, 'rate', 'must be more than 0');
    const timeUnitMs = f.duration('timeUnit', '1s', false);
    f.check(timeUnitMs > 0, 'timeUnit', 'must be more than 0');
    return { ...base, executor: 'constant-arrival-rate', rate, timeUnitMs, durationMs, preAllocatedVUs, maxVUs };
  },
  parallelism: (p) => p.maxVUs,
  maxDurationMs: (p) => p.startTimeMs + p.durationMs + p.gracefulStopMs,
  describe: (p) =>
    `${p.rate} iterations/${formatDuration(p.timeUnitMs)} for ${formatDuration(p.durationMs)} (maxVUs: ${p.preAllocatedVUs}-${p.maxVUs}, gracefulStop: ${formatDuration(p.gracefulStopMs)})`,
  create: (p, deps) => new ConstantArrivalRateRuntime(p, deps),
};
