/** Handles one message; the queue does not hand the consumer another until it settles. */
export type MessageHandler = (taskId: string) => Promise<void>;

/**
 * Where tasks wait for an agent worker: in process by default, RabbitMQ when
 * an AMQP URL is given. Messages are task ids; each consumer takes one at a
 * time (prefetch 1), so work spreads over the workers.
 */
export interface TaskQueue {
  readonly kind: 'memory' | 'amqp';
  publish(taskId: string): Promise<void>;
  /** Start one consumer (one agent worker). */
  consume(handler: MessageHandler): Promise<void>;
  /** Messages waiting (not yet delivered to a worker). */
  depth(): Promise<number>;
  /** Stop consuming, wait for handlers in progress, release resources. */
  close(): Promise<void>;
}

/** The in-process queue: a FIFO array and workers parked on promises. */
export class MemoryQueue implements TaskQueue {
  readonly kind = 'memory';
  private readonly items: string[] = [];
  private head = 0;
  private readonly idle: ((id: string | null) => void)[] = [];
  private readonly loops: Promise<void>[] = [];
  private closed = false;

  async publish(taskId: string): Promise<void> {
    if (this.closed) throw new Error('task queue is closed');
    const waiter = this.idle.shift();
    if (waiter !== undefined) waiter(taskId);
    else this.items.push(taskId);
  }

  private next(): Promise<string | null> {
    if (this.closed) return Promise.resolve(null);
    if (this.head < this.items.length) {
      const id = this.items[this.head++] as string;
      if (this.head > 1024 && this.head * 2 > this.items.length) {
        this.items.splice(0, this.head);
        this.head = 0;
      }
      return Promise.resolve(id);
    }
    return new Promise((resolve) => this.idle.push(resolve));
  }

  async consume(handler: MessageHandler): Promise<void> {
    const loop = async (): Promise<void> => {
      for (;;) {
        const id = await this.next();
        if (id === null) return;
        await handler(id).catch(() => undefined);
      }
    };
    this.loops.push(loop());
  }

  async depth(): Promise<number> {
    return this.items.length - this.head;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const w of this.idle.splice(0)) w(null);
    await Promise.all(this.loops);
  }
}
