/**
 * A push/pull queue behind an async iterator: the producer pushes values,
 * the consumer awaits them; `end()` finishes the iteration, `fail()` makes
 * the next pull throw. Values pushed while nobody waits are buffered up to
 * `limit` values and, with `weigh`, up to `maxWeight` in all (bytes: a
 * consumer that falls behind a fast stream must not hold it all in memory);
 * the oldest are dropped past either, counted in `dropped`.
 */
export class AsyncQueue<T> implements AsyncIterableIterator<T> {
  #items: T[] = [];
  #head = 0;
  #weight = 0;
  #waiter: { resolve: (r: IteratorResult<T>) => void; reject: (e: Error) => void } | null = null;
  #ended = false;
  #error: Error | null = null;
  dropped = 0;

  constructor(
    private readonly limit = 10_000,
    private readonly onReturn: () => void = () => undefined,
    private readonly weigh: ((value: T) => number) | null = null,
    private readonly maxWeight = Infinity,
  ) {}

  get size(): number {
    return this.#items.length - this.#head;
  }

  push(value: T): void {
    if (this.#ended) return;
    if (this.#waiter !== null) {
      const w = this.#waiter;
      this.#waiter = null;
      w.resolve({ value, done: false });
      return;
    }
    this.#items.push(value);
    if (this.weigh !== null) this.#weight += this.weigh(value);
    while (this.size > this.limit || (this.#weight > this.maxWeight && this.size > 1)) {
      this.#take();
      this.dropped++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
  }

  /** No more values: pending and later pulls finish after the buffered ones. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    if (this.#waiter !== null && this.size === 0) {
      const w = this.#waiter;
      this.#waiter = null;
      w.resolve({ value: undefined, done: true });
    }
  }

  /** End with an error: the next pull (after buffered values) rejects with it. */
  fail(err: Error): void {
    if (this.#ended) return;
    this.#error = err;
    this.#ended = true;
    if (this.#waiter !== null && this.size === 0) {
      const w = this.#waiter;
      this.#waiter = null;
      w.reject(err);
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.size > 0) return Promise.resolve({ value: this.#take(), done: false });
    if (this.#ended) {
      if (this.#error !== null) return Promise.reject(this.#error);
      return Promise.resolve({ value: undefined, done: true });
    }
    if (this.#waiter !== null) return Promise.reject(new Error('the iterator is already being read by another loop'));
    return new Promise((resolve, reject) => {
      this.#waiter = { resolve, reject };
    });
  }

  /** The oldest buffered value, removed. */
  #take(): T {
    const value = this.#items[this.#head] as T;
    this.#items[this.#head] = undefined as T;
    this.#head++;
    if (this.weigh !== null) this.#weight -= this.weigh(value);
    return value;
  }

  /** `break` out of a for-await loop: stop buffering. */
  return(): Promise<IteratorResult<T>> {
    this.#ended = true;
    this.#items = [];
    this.#head = 0;
    this.#weight = 0;
    this.onReturn();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<T> {
    return this;
  }
}
