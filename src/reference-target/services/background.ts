/**
 * Work that outlives the request that started it (task execution, DAG runs,
 * agent workers). Closing aborts it all and waits until it has settled, so
 * that the store is closed only after the last write.
 */
export class Background {
  private readonly shutdown = new AbortController();
  private readonly jobs = new Set<Promise<void>>();

  /** Aborted when the target closes. */
  get signal(): AbortSignal {
    return this.shutdown.signal;
  }

  get closing(): boolean {
    return this.shutdown.signal.aborted;
  }

  /**
   * Run `fn` in the background with a signal that aborts when `controller`
   * does or the target closes. The returned promise settles with the job and
   * never rejects.
   */
  run(fn: (signal: AbortSignal) => Promise<void>, controller: AbortController = new AbortController()): Promise<void> {
    const signal = AbortSignal.any([controller.signal, this.shutdown.signal]);
    const job = (async () => {
      try {
        await fn(signal);
      } catch {
        // A job records its own failures; nothing may escape as an unhandled rejection.
      }
    })();
    this.jobs.add(job);
    void job.finally(() => this.jobs.delete(job));
    return job;
  }

  get size(): number {
    return this.jobs.size;
  }

  async close(): Promise<void> {
    this.shutdown.abort(new Error('the target is shutting down'));
    while (this.jobs.size > 0) await Promise.all([...this.jobs]);
  }
}

/** Whether an error is an abort (the client left, the task was cancelled, the target is closing). */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  if (signal?.aborted === true) return true;
  const name = (error as { name?: unknown } | null)?.name;
  return name === 'AbortError';
}

/** A short, log-safe description of an error. */
export function describeError(error: unknown): string {
  const e = error as { status?: unknown; code?: unknown; message?: unknown } | null;
  const status = typeof e?.status === 'number' ? `${e.status} ` : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return `${status}${message}`.slice(0, 500);
}
