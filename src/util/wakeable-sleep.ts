/**
 * A sleep that something else can end early. `sleep(ms)` resolves after `ms`
 * or at the next `wake()`, whichever comes first; `wake()` with no sleep in
 * progress does nothing. One sleep at a time.
 */
export class WakeableSleep {
  #wake: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout;
      // a Node timer waits at most 2^31 − 1 ms (a longer one fires after 1 ms): a schedule stretched by
      // --time-scale past that waits in steps
      const arm = (left: number): void => {
        timer = setTimeout(() => {
          if (left > MAX_TIMER_MS) {
            arm(left - MAX_TIMER_MS);
            return;
          }
          this.#wake = null;
          resolve();
        }, Math.min(left, MAX_TIMER_MS));
      };
      arm(ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
    });
  }

  wake(): void {
    this.#wake?.();
  }
}

const MAX_TIMER_MS = 2_147_483_647;
