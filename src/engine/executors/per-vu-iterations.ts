import type { PerVuIterationsScenario } from '../../config/definition.ts';
import { formatDuration } from '../../util/duration.ts';
import type { PerVuIterationsPlan } from '../plan.ts';
import { ScenarioRuntime } from './base.ts';
import type { Executor } from './executor.ts';

/** 'per-vu-iterations': each VU runs exactly `iterations` iterations. */
class PerVuIterationsRuntime extends ScenarioRuntime<PerVuIterationsPlan> {
  protected async schedule(): Promise<void> {
    const { vus, iterations, maxDurationMs } = this.plan;
    for (const slot of this.deps.slicer.indices(vus)) {
      let left = iterations;
      this.startLoop(this.createVU(slot), () => left-- > 0);
    }
    await Promise.race([this.allLoopsDone(), this.waitUntil(this.deps.startAt + maxDurationMs)]);
  }
}

export const perVuIterations: Executor<PerVuIterationsPlan> = {
  name: 'per-vu-iterations',
  model: 'closed',
  options: ['vus', 'iterations', 'maxDuration'] satisfies readonly (keyof PerVuIterationsScenario)[],
  normalize(def, f, base) {
    return {
      ...base,
      executor: 'per-vu-iterations',
      vus: f.int('vus', 1, 1),
      iterations: f.int('iterations', 1, 1),
      maxDurationMs: f.duration('maxDuration', '10m'),
    };
  },
  parallelism: (p) => p.vus,
  maxDurationMs: (p) => p.startTimeMs + p.maxDurationMs + p.gracefulStopMs,
  describe: (p) => `${p.iterations} iterations for each of ${p.vus} VUs (maxDuration: ${formatDuration(p.maxDurationMs)}, gracefulStop: ${formatDuration(p.gracefulStopMs)})`,
  create: (p, deps) => new PerVuIterationsRuntime(p, deps),
};
