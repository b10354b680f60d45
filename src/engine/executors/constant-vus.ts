import type { ConstantVusScenario } from '../../config/definition.ts';
import { formatDuration } from '../../util/duration.ts';
import type { ConstantVusPlan } from '../plan.ts';
import { ScenarioRuntime } from './base.ts';
import type { Executor } from './executor.ts';

/** 'constant-vus': a fixed number of VUs loop for the duration. */
class ConstantVusRuntime extends ScenarioRuntime<ConstantVusPlan> {
  protected async schedule(): Promise<void> {
    for (const slot of this.deps.slicer.indices(this.plan.vus)) this.startLoop(this.createVU(slot), () => true);
    await this.waitUntil(this.deps.startAt + this.plan.durationMs);
  }
}

export const constantVus: Executor<ConstantVusPlan> = {
  name: 'constant-vus',
  model: 'closed',
  options: ['vus', 'duration'] satisfies readonly (keyof ConstantVusScenario)[],
  normalize(def, f, base) {
    const durationMs = f.duration('duration', undefined);
    f.check(durationMs > 0, 'duration', 'must be more than 0');
    return { ...base, executor: 'constant-vus', vus: f.int('vus', 1, 1), durationMs };
  },
  parallelism: (p) => p.vus,
  maxDurationMs: (p) => p.startTimeMs + p.durationMs + p.gracefulStopMs,
  describe: (p) => `${p.vus} looping VUs for ${formatDuration(p.durationMs)} (gracefulStop: ${formatDuration(p.gracefulStopMs)})`,
  create: (p, deps) => new ConstantVusRuntime(p, deps),
};
