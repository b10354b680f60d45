// A counting semaphore with a FIFO waiting line: the mock LLM's "batch slots".
// Requests past the limit wait in arrival order; a waiting request whose
// signal aborts leaves the line at once.

interface Waiter {
  resolve: () => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export class SlotQueue {
  private readonly limit: number;
  private activeCount = 0;
  private readonly waiting: (Waiter | undefined)[] = [];
  private head = 0;

  /** `limit` 0 means unlimited. */
  constructor(limit: number) {
    this.limit = limit;
  }

  get active(): number {
    return this.activeCount;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Resolves when a slot is held; rejects with the signal's reason if it aborts first. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.limit === 0 || (this.activeCount < this.limit && this.queued === 0)) {
      this.activeCount++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const at = this.waiting.indexOf(waiter, this.head);
          if (at >= 0) this.waiting.splice(at, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiting.push(waiter);
    });
  }

  /** Gives a slot back and hands it to the longest-waiting request. */
  release(): void {
    if (this.queued > 0) {
      const waiter = this.waiting[this.head] as Waiter;
      this.waiting[this.head] = undefined;
      this.head++;
      if (this.head > 1024 && this.head * 2 > this.waiting.length) {
        this.waiting.splice(0, this.head);
        this.head = 0;
      }
      if (waiter.onAbort) waiter.signal?.removeEventListener('abort', waiter.onAbort);
      waiter.resolve(); // the slot passes over: activeCount stays the same
      return;
    }
    if (this.activeCount > 0) this.activeCount--;
  }
}

/** The reason an aborted signal carries, or a standard AbortError. */
export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
