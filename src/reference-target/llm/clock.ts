// Time source of the mock LLM. The real clock is performance.now() and
// setTimeout; the virtual clock runs a whole schedule in simulated time, so
// that timing (TTFT, ITL, queueing) can be checked exactly and instantly.
import { performance } from 'node:perf_hooks';

export interface LlmClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls `fn` once `ms` milliseconds have passed; returns a handle for clearTimer. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

export const REAL_CLOCK: LlmClock = Object.freeze({
  now: () => performance.now(),
  setTimer: (fn: () => void, ms: number): unknown => setTimeout(fn, ms),
  clearTimer: (handle: unknown): void => clearTimeout(handle as NodeJS.Timeout),
});

interface VirtualTimer { at: number; seq: number; fn: () => void; cancelled: boolean }

/**
 * Simulated time: timers fire in order of their due time, and time jumps
 * straight to the next one once the program has nothing else to do.
 * `run()` drives it until no timer is left (or the step budget runs out).
 */
export class VirtualClock implements LlmClock {
  private time = 0;
  private seq = 0;
  private readonly timers: VirtualTimer[] = [];

  now(): number {
    return this.time;
  }

  setTimer(fn: () => void, ms: number): unknown {
    const timer: VirtualTimer = { at: this.time + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: unknown): void {
    (handle as VirtualTimer).cancelled = true;
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /**
   * Lets pending promise work settle (a turn of the real event loop), fires
   * the earliest timer at its due time, and repeats until no timer is left.
   */
  async run(maxSteps = 1_000_000): Promise<void> {
    for (let step = 0; step < maxSteps; step++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const next = this.takeEarliest();
      if (!next) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.pending === 0) return;
        continue;
      }
      this.time = Math.max(this.time, next.at);
      next.fn();
    }
    throw new Error(`virtual clock: still busy after ${maxSteps} steps`);
  }

  private takeEarliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    let bestIndex = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i] as VirtualTimer;
      if (t.cancelled) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) {
        best = t;
        bestIndex = i;
      }
    }
    if (bestIndex >= 0) this.timers.splice(bestIndex, 1);
    if (this.timers.length > 64 && this.pending * 2 < this.timers.length) {
      const live = this.timers.filter((t) => !t.cancelled);
      this.timers.length = 0;
      this.timers.push(...live);
    }
    return best;
  }
}
