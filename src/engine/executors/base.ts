import type { Slicer } from '../slicer.ts';
import type { VirtualUser } from '../vu.ts';
import type { ScenarioPlan } from '../plan.ts';
import { WakeableSleep } from '../../util/wakeable-sleep.ts';

/** What a scenario's runtime needs from its worker. */
export interface ExecutorDeps {
  readonly slicer: Slicer;
  /** Worker clock (performance.now()) at which the scenario starts. */
  readonly startAt: number;
  now(): number;
  /** A new VU for a global slot of this scenario. */
  newVU(slot: number): VirtualUser;
  /**
   * Run one iteration; resolves false when the VU was interrupted (gracefulStop, ramp-down, hard stop), in
   * which case the iteration is not counted in `iterations`, even if the script caught an aborted request and
   * carried on; its aborted requests, and checks and `ctx.record` calls after the interrupt, record nothing.
   */
  iterate(vu: VirtualUser, lagMs: number | null): Promise<boolean>;
  /** Record one dropped iteration (open model: no free VU). */
  dropped(): void;
}

/**
 * Shared machinery: VU loops, the end of a scenario and its graceful stop.
 * Subclasses implement `schedule()`, which returns when the executor's own
 * schedule is over (duration elapsed, iterations used up, or stop requested).
 */
export abstract class ScenarioRuntime<P extends ScenarioPlan = ScenarioPlan> {
  /** No new iterations start once this is set. */
  protected ending = false;
  /** Loops and open-model iterations still running; waiters resolve when it drops to 0. */
  #running = 0;
  #idleWaiters: (() => void)[] = [];
  #live = new Set<VirtualUser>();
  #busy = 0;
  #allocated = 0;
  readonly #timer = new WakeableSleep();
  #done = false;
  /** Retired VUs still closing what they kept open. */
  #retiring: Promise<unknown>[] = [];

  constructor(
    readonly plan: P,
    protected readonly deps: ExecutorDeps,
  ) {}

  protected abstract schedule(): Promise<void>;

  /** VUs currently running an iteration or looping. */
  get activeVUs(): number {
    return this.#busy;
  }
  /**
   * VUs this scenario holds now (vus_max counts them): VUs are created once and reused, so this only grows
   * while the scenario runs; 0 once it is over (its VUs are released).
   */
  get allocatedVUs(): number {
    return this.#done ? 0 : this.#allocated;
  }
  get done(): boolean {
    return this.#done;
  }

  async run(): Promise<void> {
    await this.waitUntil(this.deps.startAt);
    if (!this.ending) await this.schedule();
    this.ending = true;
    await this.drain(this.plan.gracefulStopMs);
    for (const vu of this.#live) this.retireVU(vu);
    await Promise.all(this.#retiring);
    this.#done = true;
  }

  /** Stop starting iterations; the current ones get the graceful stop. */
  requestStop(): void {
    this.ending = true;
    this.#timer.wake();
  }

  /** Interrupt every VU now. */
  hardStop(): void {
    this.ending = true;
    for (const vu of this.#live) vu.interrupt('test stopped');
    this.#timer.wake();
  }

  protected createVU(slot: number): VirtualUser {
    this.#allocated++;
    const vu = this.deps.newVU(slot);
    this.#live.add(vu);
    return vu;
  }

  /** Put a VU whose loop has ended back to work (not a new allocation). */
  protected reuseVU(vu: VirtualUser): VirtualUser {
    vu.revive();
    this.#live.add(vu);
    return vu;
  }

  protected retireVU(vu: VirtualUser): void {
    this.#live.delete(vu);
    const closing = vu.interrupted ? null : vu.retire();
    if (closing !== null) this.#retiring.push(closing);
  }

  /** Run one iteration on a VU, counted as busy meanwhile. */
  protected async runOne(vu: VirtualUser, lagMs: number | null): Promise<boolean> {
    this.#busy++;
    vu.busy = true;
    try {
      return await this.deps.iterate(vu, lagMs);
    } finally {
      vu.busy = false;
      this.#busy--;
    }
  }

  /** Loop iterations on a VU while `more()` allows and nothing stops it. */
  protected startLoop(vu: VirtualUser, more: () => boolean): Promise<void> {
    this.#running++;
    return (async () => {
      try {
        while (!this.ending && !vu.stopping && !vu.interrupted && more()) {
          const ok = await this.runOne(vu, null);
          if (!ok) break;
        }
      } finally {
        this.retireVU(vu);
        this.#settled();
      }
    })();
  }

  /** Track an arbitrary promise (an open-model iteration) for the graceful stop. */
  protected track(p: Promise<unknown>): void {
    this.#running++;
    p.then(
      () => this.#settled(),
      () => this.#settled(),
    );
  }

  #settled(): void {
    this.#running--;
    if (this.#running === 0) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  /** Resolve at worker time `t`, or earlier if a stop is requested. */
  protected waitUntil(t: number): Promise<void> {
    const ms = t - this.deps.now();
    if (ms <= 0 || this.ending) return Promise.resolve();
    return this.#timer.sleep(ms);
  }

  /** Resolve when every loop has finished. */
  protected allLoopsDone(): Promise<void> {
    if (this.#running === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Give running iterations `ms` to finish, then interrupt what is left. */
  protected async drain(ms: number): Promise<void> {
    if (this.#running === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), ms);
    });
    const r = await Promise.race([this.allLoopsDone().then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (r === 'timeout') {
      for (const vu of this.#live) vu.interrupt('graceful stop elapsed');
      // interrupted iterations settle on their own; code that ignores the signal is not waited for
      await Promise.race([this.allLoopsDone(), new Promise((r2) => setTimeout(r2, 50))]);
    }
  }
}
