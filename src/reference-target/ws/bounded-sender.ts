import type { WebSocket } from 'ws';

type Key = string | number;

interface Outgoing {
  payload: Record<string, unknown>;
  /** May be dropped when the queue is full (streamed tokens); others (answers, acks, errors) may not. */
  droppable: boolean;
  /** The request the message belongs to. */
  key: Key | undefined;
  /** The request's last message: it reports how many of the request's messages were dropped. */
  last: boolean;
}

export interface SenderHooks {
  onDrop?: () => void;
  onSend?: () => void;
}

/**
 * A per-connection send queue with a bound. Messages go to the socket only
 * while its buffered bytes (ws's bufferedAmount: what the kernel has not
 * taken yet) stay under the high-water mark; the rest wait here. When a slow
 * client lets the queue fill, the oldest droppable message is dropped and
 * counted. Every message is sent with `backpressure: { drops, queue_size }`,
 * and a request's last message with `dropped`, its own messages dropped.
 * If the queue is full of messages that may not be dropped, the client is
 * hopelessly behind: the connection is closed with 1008.
 */
export class BoundedSender {
  private readonly queue: Outgoing[] = [];
  private readonly droppedByKey = new Map<Key, number>();
  private dropCount = 0;
  private retry: NodeJS.Timeout | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly maxQueue: number,
    private readonly highWaterBytes: number,
    private readonly hooks: SenderHooks = {},
  ) {}

  get drops(): number {
    return this.dropCount;
  }

  get queueSize(): number {
    return this.queue.length;
  }

  send(payload: Record<string, unknown>, options: { droppable?: boolean; key?: Key; last?: boolean } = {}): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    const msg: Outgoing = { payload, droppable: options.droppable === true, key: options.key, last: options.last === true };
    if (this.queue.length >= this.maxQueue) {
      const victim = this.queue.findIndex((m) => m.droppable);
      if (victim >= 0) {
        this.drop(this.queue.splice(victim, 1)[0] as Outgoing);
      } else if (msg.droppable) {
        this.drop(msg);
        return;
      } else {
        this.socket.close(1008, 'send queue overflow: the client is not reading');
        return;
      }
    }
    this.queue.push(msg);
    this.pump();
  }

  private drop(msg: Outgoing): void {
    this.dropCount++;
    if (msg.key !== undefined) this.droppedByKey.set(msg.key, (this.droppedByKey.get(msg.key) ?? 0) + 1);
    this.hooks.onDrop?.();
  }

  private readonly pump = (): void => {
    if (this.retry !== undefined) {
      clearTimeout(this.retry);
      this.retry = undefined;
    }
    while (this.queue.length > 0 && this.socket.readyState === this.socket.OPEN && this.socket.bufferedAmount < this.highWaterBytes) {
      const msg = this.queue.shift() as Outgoing;
      const out: Record<string, unknown> = { ...msg.payload, backpressure: { drops: this.dropCount, queue_size: this.queue.length } };
      if (msg.last && msg.key !== undefined) {
        out.dropped = this.droppedByKey.get(msg.key) ?? 0;
        this.droppedByKey.delete(msg.key);
      }
      this.socket.send(JSON.stringify(out), this.flushed);
      this.hooks.onSend?.();
    }
    if (this.queue.length > 0 && this.socket.readyState === this.socket.OPEN) {
      // Blocked on a slow client: the write callbacks resume the pump; the timer is a safety net.
      this.retry = setTimeout(this.pump, 50);
      this.retry.unref();
    }
  };

  private readonly flushed = (err?: Error): void => {
    if (err === undefined && this.queue.length > 0) this.pump();
  };

  close(): void {
    if (this.retry !== undefined) clearTimeout(this.retry);
    this.queue.length = 0;
    this.droppedByKey.clear();
  }
}
