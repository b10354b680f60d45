import type { SharedIterationsScenario } from '../../config/definition.ts';
import { formatDuration } from '../../util/duration.ts';
import type { SharedIterationsPlan } from '../plan.ts';
import { ScenarioRuntime } from './base.ts';
import type { Executor } from './executor.ts';

/**
 * 'shared-iterations': a fixed number of iterations shared by the VUs, faster
 * VUs doing more. Across workers, iteration k goes with VU slot k mod vus, so
 * each slice gets iterations in proportion to its VUs.
 */
class SharedIterationsRuntime extends ScenarioRuntime<SharedIterationsPlan> {
  protected async schedule(): Promise<void> {
    const { vus, iterations, maxDurationMs } = this.plan;
    const slicer = this.deps.slicer;
    let quota = 0;
    for (let k = 0; k < iterations; k++) if (slicer.owns(k % vus)) quota++;
    let taken = 0;
    const more = (): boolean => {
      if (taken >= quota) return false;
      taken++;
      return true;
    };
    const end = this.deps.startAt + maxDurationMs;
    for (const slot of slicer.indices(vus)) this.startLoop(this.createVU(slot), more);
    await Promise.race([this.allLoopsDone(), this.waitUntil(end)]);
  }
}

export const sharedIterations: Executor<SharedIterationsPlan> = {
  name: 'shared-iterations',
  model: 'closed',
  options: ['vus', 'iterations', 'maxDuration'] satisfies readonly (keyof SharedIterationsScenario)[],
  normalize(def, f, base) {
    const vus = f.int('vus', 1, 1);
    const iterations = f.int('iterations', 1, 1);
    f.check(iterations >= vus, 'iterations', `must be at least vus (${vus}), got ${iterations}`);
    return { ...base, executor: 'shared-iterations', vus, iterations, maxDurationMs: f.duration('maxDuration', '10m') };
  },
  parallelism: (p) => p.vus,
  maxDurationMs: (p) => p.startTimeMs + p.maxDurationMs + p.gracefulStopMs,
  describe: (p) => `${p.iterations} iterations shared among ${p.vus} VUs (maxDuration: ${formatDuration(p.maxDurationMs)}, gracefulStop: ${formatDuration(p.gracefulStopMs)})`,
  create: (p, deps) => new SharedIterationsRuntime(p, deps),
};
