import type { SampleStore } from '../metrics/sample-store.ts';
import type { TagSet } from '../metrics/tags.ts';

/** Something in flight that a VU interrupt must cancel. */
export interface Abortable {
  abort(reason?: Error): void;
  /**
   * End gracefully because the VU has retired (its scenario is over) while this
   * is still open, e.g. a WebSocket session kept across iterations. Optional.
   */
  release?(): Promise<unknown>;
  /**
   * True for work that may rightly outlive the iteration that started it (a WebSocket session, an SSE
   * stream); other work still running when its iteration ends was not awaited (the engine warns).
   */
  readonly outlivesIteration?: boolean;
}

/**
 * What a protocol module sees of the VU it works for: where to record, the
 * tags to record with (scenario, group, user tags), and the VU's interrupt.
 */
export interface VuScope {
  readonly vuId: number;
  readonly store: SampleStore;
  /** Current base tags: scenario, group and user tags. Changes inside `group()`. */
  readonly tags: TagSet;
  readonly env: Readonly<Record<string, string>>;
  /** Aborted when the VU is interrupted (graceful stop elapsed, ramp-down, Ctrl-C). */
  readonly signal: AbortSignal;
  /** Register work in flight, so that an interrupt aborts it; `untrack` when it is done. */
  track(work: Abortable): void;
  untrack(work: Abortable): void;
}

/** Thrown into VU code when the VU is interrupted; the engine does not count the iteration. */
export class InterruptedError extends Error {
  constructor(reason = 'VU interrupted') {
    super(reason);
    this.name = 'InterruptedError';
  }
}
