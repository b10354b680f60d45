/**
 * A sleep that something else can end early. `sleep(ms)` resolves after `ms`
 * or at the next `wake()`, whichever comes first; `wake()` with no sleep in
 * progress does nothing. One sleep at a time.
 */
export class WakeableSleep {
  #wake: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      // a Node timer waits at most 2^31 − 1 ms (a longer one fires after 1 ms): a schedule stretched by
      // --time-scale past that waits in steps
      let left = ms;
      const fire = (): void => {
        if (left > MAX_TIMER_MS) {
          left -= MAX_TIMER_MS;
          timer = setTimeout(fire, Math.min(left, MAX_TIMER_MS));
          return;
        }
        this.#wake = null;
        resolve();
      };
      let timer = setTimeout(fire, Math.min(left, MAX_TIMER_MS));
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
