import type { RampingArrivalRateScenario } from '../../config/definition.ts';
import { formatDuration } from '../../util/duration.ts';
import type { RampingArrivalRatePlan } from '../plan.ts';
import { ArrivalSchedule, peakTarget, totalMs } from '../stages.ts';
import { ArrivalRuntime } from './arrival-runtime.ts';
import type { Executor } from './executor.ts';

/** 'ramping-arrival-rate': the iteration rate ramps linearly between stage targets. */
class RampingArrivalRateRuntime extends ArrivalRuntime<RampingArrivalRatePlan> {
  protected arrivals(): ArrivalSchedule {
    const u = this.plan.timeUnitMs;
    return new ArrivalSchedule(
      this.plan.startRate / u,
      this.plan.stages.map((s) => ({ durationMs: s.durationMs, ratePerMs: s.target / u })),
    );
  }
}

export const rampingArrivalRate: Executor<RampingArrivalRatePlan> = {
  name: 'ramping-arrival-rate',
  model: 'open',
  options: ['startRate', 'timeUnit', 'stages', 'preAllocatedVUs', 'maxVUs'] satisfies readonly (keyof RampingArrivalRateScenario)[],
  normalize(def, f, base) {
    const preAllocatedVUs = f.int('preAllocatedVUs', undefined, 0);
    const maxVUs = f.int('maxVUs', preAllocatedVUs, 0);
    f.check(maxVUs >= preAllocatedVUs, 'maxVUs', `must be at least preAllocatedVUs (${preAllocatedVUs})`);
    f.check(maxVUs > 0, 'maxVUs', 'must be more than 0');
    const timeUnitMs = f.duration('timeUnit', '1s', false);
    f.check(timeUnitMs > 0, 'timeUnit', 'must be more than 0');
    return {
      ...base,
      executor: 'ramping-arrival-rate',
      startRate: f.num('startRate', 0, 0),
      timeUnitMs,
      stages: f.stages('stages'),
      preAllocatedVUs,
      maxVUs,
    };
  },
  parallelism: (p) => p.maxVUs,
  maxDurationMs: (p) => p.startTimeMs + totalMs(p.stages) + p.gracefulStopMs,
  describe: (p) =>
    `up to ${peakTarget(p.startRate, p.stages)} iterations/${formatDuration(p.timeUnitMs)} for ${formatDuration(totalMs(p.stages))} over ${p.stages.length} stages (maxVUs: ${p.preAllocatedVUs}-${p.maxVUs}, gracefulStop: ${formatDuration(p.gracefulStopMs)})`,
  create: (p, deps) => new RampingArrivalRateRuntime(p, deps),
};
