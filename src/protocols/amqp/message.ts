import { performance } from 'node:perf_hooks';
import type amqp from 'amqplib';
import { compileSelector, selectSteps } from '../json-path.ts';

/** What a message needs of the channel it came from. */
export interface AckTarget {
  ack(msg: amqp.Message, receivedAt: number, queue: string): void;
  nack(msg: amqp.Message, requeue: boolean): void;
}

/** A message delivered by `consume()`. Ack it (or nack it) once handled. */
export class AmqpMessage {
  #settled = false;
  /** performance.now() at delivery. */
  readonly receivedAt = performance.now();

  constructor(
    private readonly raw: amqp.Message,
    private readonly target: AckTarget,
    /** The queue it was consumed from. */
    readonly queue: string,
    /** Publish → delivery (ms), when the publisher set the timestamp header (publish() does); else null. */
    readonly latencyMs: number | null,
  ) {}

  get content(): Buffer {
    return this.raw.content;
  }
  text(): string {
    return this.raw.content.toString('utf8');
  }
  /** The content parsed as JSON; with a selector, the value at that path (the paths of `res.json()`, docs/http.md). */
  json<T = unknown>(selector?: string): T {
    const steps = selector === undefined ? null : compileSelector(selector);
    const value = JSON.parse(this.text()) as unknown;
    return (steps === null ? value : selectSteps(value, steps)) as T;
  }
  get headers(): Readonly<Record<string, unknown>> {
    return (this.raw.properties.headers ?? {}) as Record<string, unknown>;
  }
  /** True when the broker delivered it before (a nack with requeue, a consumer that went away). */
  get redelivered(): boolean {
    return this.raw.fields.redelivered;
  }
  get settled(): boolean {
    return this.#settled;
  }

  /** Acknowledge: records amqp_ack_duration (delivery → ack). A second ack or nack throws. */
  ack(): void {
    this.#settle('ack');
    this.target.ack(this.raw, this.receivedAt, this.queue);
  }
  /** Reject; `requeue` (default true) puts it back in the queue. */
  nack(requeue = true): void {
    this.#settle('nack');
    this.target.nack(this.raw, requeue);
  }

  #settle(what: string): void {
    if (this.#settled) throw new Error(`amqp: ${what}() on a message of queue "${this.queue}" that was already acked or nacked`);
    this.#settled = true;
  }
}
