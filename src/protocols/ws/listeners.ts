type Listener = (arg: never) => void;

/**
 * Typed event callbacks for sessions and streams. A listener that throws does
 * not stop the others: its error is rethrown outside the protocol's code, so
 * the worker reports it as an uncaught error of the script (iteration_errors).
 */
export class Listeners<Events extends { [K in keyof Events]: (arg: never) => void }> {
  readonly #byEvent = new Map<keyof Events, Set<Listener>>();

  constructor(
    private readonly what: string,
    private readonly known: readonly (keyof Events & string)[],
  ) {}

  on<E extends keyof Events>(event: E, listener: Events[E]): void {
    if (!this.known.includes(event as keyof Events & string)) {
      throw new TypeError(`on(): unknown ${this.what} event "${String(event)}" (known: ${this.known.join(', ')})`);
    }
    if (typeof listener !== 'function') throw new TypeError(`on("${String(event)}"): the listener must be a function`);
    let set = this.#byEvent.get(event);
    if (set === undefined) {
      set = new Set();
      this.#byEvent.set(event, set);
    }
    set.add(listener as Listener);
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    this.#byEvent.get(event)?.delete(listener as Listener);
  }

  emit<E extends keyof Events>(event: E, arg: Parameters<Events[E]>[0]): void {
    const set = this.#byEvent.get(event);
    if (set === undefined) return;
    for (const fn of set) {
      try {
        (fn as (a: typeof arg) => void)(arg);
      } catch (e) {
        queueMicrotask(() => {
          throw e;
        });
      }
    }
  }
}
