/**
 * A sleep that something else can end early. `sleep(ms)` resolves after `ms`
 * or at the next `wake()`, whichever comes first; `wake()` with no sleep in
 * progress does nothing. One sleep at a time.
 */
export class WakeableSleep {
  #wake: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#wake = null;
        resolve();
      }, ms);
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
