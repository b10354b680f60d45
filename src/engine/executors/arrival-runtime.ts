import type { ConstantArrivalRatePlan, RampingArrivalRatePlan } from '../plan.ts';
import type { ArrivalSchedule } from '../stages.ts';
import type { VirtualUser } from '../vu.ts';
import { ScenarioRuntime } from './base.ts';

/**
 * Open model: arrival k starts at its scheduled time on a free VU; with no
 * free VU and none left to allocate (maxVUs), it is dropped and counted in
 * dropped_iterations. The delay between the scheduled and the actual start is
 * recorded as iteration_lag.
 */
export abstract class ArrivalRuntime<P extends ConstantArrivalRatePlan | RampingArrivalRatePlan> extends ScenarioRuntime<P> {
  #idle: VirtualUser[] = [];
  #slots: number[] = [];
  #nextSlot = 0;

  protected abstract arrivals(): ArrivalSchedule;

  protected async schedule(): Promise<void> {
    const sched = this.arrivals();
    const slicer = this.deps.slicer;
    this.#slots = [...slicer.indices(this.plan.maxVUs)];
    const pre = slicer.count(this.plan.preAllocatedVUs);
    for (let i = 0; i < pre; i++) {
      const vu = this.#allocate();
      if (vu !== undefined) this.#idle.push(vu);
    }
    // lowest slots first
    this.#idle.reverse();
    const start = this.deps.startAt;
    const step = slicer.step;
    let burstStart = this.deps.now();
    for (let k = slicer.first; ; k += step) {
      const at = sched.timeOf(k);
      if (at === undefined) break;
      const due = start + at;
      if (due > this.deps.now() + 0.5) {
        await this.waitUntil(due);
        burstStart = this.deps.now();
      } else if (this.deps.now() - burstStart > 5) {
        // behind schedule: let I/O run before starting more
        await new Promise<void>((r) => setImmediate(r));
        burstStart = this.deps.now();
      }
      if (this.ending) return;
      this.#start(due);
    }
    await this.waitUntil(start + sched.durationMs);
  }

  #allocate(): VirtualUser | undefined {
    const slot = this.#slots[this.#nextSlot];
    if (slot === undefined) return undefined;
    this.#nextSlot++;
    return this.createVU(slot);
  }

  #start(due: number): void {
    const vu = this.#idle.pop() ?? this.#allocate();
    if (vu === undefined) {
      this.deps.dropped();
      return;
    }
    const lag = Math.max(0, this.deps.now() - due);
    const p = this.runOne(vu, lag).then((ok) => {
      if (ok && !vu.interrupted) this.#idle.push(vu);
      else this.retireVU(vu);
    });
    this.track(p);
  }
}
