/** What a signal acts on: the run (TestRun's stop and hardStop). */
export interface Stoppable {
  stop(reason: string): void;
  hardStop(reason: string): void;
}

export interface StopGuardOptions {
  readonly log: (line: string) => void;
  /**
   * Called when a hard stop (second signal) has not let the command finish within `boundMs`: write
   * what was measured and exit. Never called if the command finished first (see finished()).
   */
  readonly force: () => void;
  /** How long a hard-stopped run may take to return (workers get 3 s to stop, then are terminated). */
  readonly boundMs?: number;
}

/** A hard-stopped run that has not returned after this long is written as it stands and the process exits. */
export const STOP_BOUND_MS = 10_000;

/**
 * Ctrl-C and SIGTERM during a run: the first stops gracefully, the second stops now, whatever the
 * phase (bundling, loading the script, setup(), the test, teardown(), writing the results). After the
 * second, the command gets `boundMs` to finish; if it has not, `force` is called. A signal while the
 * results are written only says so: the write is short and must not be cut.
 */
export class StopGuard {
  #signals = 0;
  #writing = false;
  #finished = false;
  #bound: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: Stoppable,
    private readonly options: StopGuardOptions,
  ) {}

  /** Signals received so far. */
  get signals(): number {
    return this.#signals;
  }

  /** A second signal came: the command must not outlive its bound, nor wait for handles the script left open. */
  get hard(): boolean {
    return this.#signals >= 2;
  }

  readonly onSignal = (sig: NodeJS.Signals): void => {
    this.#signals++;
    if (this.#finished) return;
    if (this.#writing) {
      this.options.log(`${sig}: the test has stopped; writing the summary`);
    } else if (this.#signals === 1) {
      this.options.log(`${sig}: stopping gracefully (iterations get their gracefulStop); press Ctrl-C again to stop now`);
      this.run.stop(`stopped by ${sig}`);
    } else {
      this.options.log(`${sig}: stopping now`);
      this.run.hardStop(`stopped by ${sig}`);
    }
    if (this.#signals >= 2 && this.#bound === null) {
      this.#bound = setTimeout(() => {
        if (!this.#finished) this.options.force();
      }, this.options.boundMs ?? STOP_BOUND_MS);
    }
  };

  /** The run returned: from now on the results are written. */
  writing(): void {
    this.#writing = true;
  }

  /** The command is over: no force. */
  finished(): void {
    this.#finished = true;
    if (this.#bound !== null) clearTimeout(this.#bound);
    this.#bound = null;
  }
}
