import type { RampingVusScenario } from '../../config/definition.ts';
import { formatDuration } from '../../util/duration.ts';
import type { RampingVusPlan } from '../plan.ts';
import { peakTarget, totalMs, vuSteps } from '../stages.ts';
import type { VirtualUser } from '../vu.ts';
import { ScenarioRuntime } from './base.ts';
import type { Executor } from './executor.ts';

interface Slot {
  readonly vu: VirtualUser;
  loopDone: boolean;
  rampDownTimer: NodeJS.Timeout | null;
}

/**
 * 'ramping-vus': the VU count follows the stages. A VU above the target
 * finishes its iteration (up to gracefulRampDown), then stops; the highest
 * slots stop first, the lowest start first. As in k6, the VUs of the peak
 * stage are initialized at the start and reused: ramping down then up again
 * restarts the same VUs (same ids, iteration counters go on), so vus_max is
 * the peak, not the number of ramp-ups.
 */
class RampingVusRuntime extends ScenarioRuntime<RampingVusPlan> {
  #slots: Slot[] = [];
  /** The local VU target last applied: a step only touches the slots between it and the new one. */
  #current = 0;

  protected async schedule(): Promise<void> {
    const { startVUs, stages } = this.plan;
    const slicer = this.deps.slicer;
    for (const id of slicer.indices(peakTarget(startVUs, stages))) this.#slots.push({ vu: this.createVU(id), loopDone: true, rampDownTimer: null });
    const steps = vuSteps(startVUs, stages);
    for (let i = 0; i < steps.length; i++) {
      // apply the last of several steps due at the same time
      const next = steps[i + 1];
      if (next !== undefined && next.atMs === (steps[i] as (typeof steps)[number]).atMs) continue;
      await this.waitUntil(this.deps.startAt + (steps[i] as (typeof steps)[number]).atMs);
      if (this.ending) return;
      // a busy event loop may wake late: jump to the last step already due (ramping 50,000 VUs)
      const elapsed = this.deps.now() - this.deps.startAt;
      while (i + 1 < steps.length && (steps[i + 1] as (typeof steps)[number]).atMs <= elapsed) i++;
      this.#apply(slicer.count((steps[i] as (typeof steps)[number]).vus));
    }
    await this.waitUntil(this.deps.startAt + totalMs(stages));
  }

  #apply(localTarget: number): void {
    const from = Math.min(this.#current, localTarget);
    const to = Math.min(this.#slots.length, Math.max(this.#current, localTarget));
    this.#current = localTarget;
    for (let i = from; i < to; i++) {
      const s = this.#slots[i] as Slot;
      if (i < localTarget) {
        if (!s.loopDone && s.vu.stopping && !s.vu.interrupted) {
          // asked to stop but still in its iteration: keep it
          s.vu.stopping = false;
          if (s.rampDownTimer !== null) clearTimeout(s.rampDownTimer);
          s.rampDownTimer = null;
        } else if (s.loopDone) {
          const vu = this.reuseVU(s.vu);
          s.loopDone = false;
          void this.startLoop(vu, () => true).then(() => {
            s.loopDone = true;
            if (s.rampDownTimer !== null) clearTimeout(s.rampDownTimer);
            s.rampDownTimer = null;
          });
        }
      } else if (!s.loopDone && !s.vu.stopping) {
        const vu = s.vu;
        vu.stopping = true;
        s.rampDownTimer = setTimeout(() => vu.interrupt('gracefulRampDown elapsed'), this.plan.gracefulRampDownMs);
      }
    }
  }
}

export const rampingVus: Executor<RampingVusPlan> = {
  name: 'ramping-vus',
  model: 'closed',
  options: ['startVUs', 'stages', 'gracefulRampDown'] satisfies readonly (keyof RampingVusScenario)[],
  normalize(def, f, base) {
    const stages = f.stages('stages');
    for (const [i, s] of stages.entries()) f.check(Number.isInteger(s.target), `stages[${i}].target`, `must be an integer number of VUs, got ${s.target}`);
    return {
      ...base,
      executor: 'ramping-vus',
      startVUs: f.int('startVUs', 1, 0),
      stages,
      gracefulRampDownMs: f.duration('gracefulRampDown', '30s'),
    };
  },
  parallelism: (p) => peakTarget(p.startVUs, p.stages),
  maxDurationMs: (p) => p.startTimeMs + totalMs(p.stages) + p.gracefulStopMs,
  describe: (p) =>
    `up to ${peakTarget(p.startVUs, p.stages)} looping VUs for ${formatDuration(totalMs(p.stages))} over ${p.stages.length} stages (gracefulRampDown: ${formatDuration(p.gracefulRampDownMs)}, gracefulStop: ${formatDuration(p.gracefulStopMs)})`,
  create: (p, deps) => new RampingVusRuntime(p, deps),
};
