import { performance } from 'node:perf_hooks';
import type amqp from 'amqplib';
import type { MetricHandle } from '../../metrics/metric.ts';
import { parseDuration, type DurationInput } from '../../util/duration.ts';
import { InterruptedError, type VuScope } from '../vu-scope.ts';
import { AmqpError, amqpErrorCodeOf } from './error-codes.ts';
import { amqpConnection, amqpLocation } from './connections.ts';
import { AmqpMessage, type AckTarget } from './message.ts';
import { amqpMetrics } from './metrics.ts';

/** The header publish() stamps with the publish time (ms since the epoch); consume() reads it. */
export const PUBLISHED_AT_HEADER = 'x-agentload-published-at';

export type AmqpBody = string | Buffer | Uint8Array | Readonly<Record<string, unknown>> | readonly unknown[];

export interface AmqpPublishOptions {
  /** Extra headers (the timestamp header is added). */
  headers?: Readonly<Record<string, string | number | boolean>>;
  /** Survive a broker restart (delivery mode 2). Default false. */
  persistent?: boolean;
  /** Extra tags on the sample. */
  tags?: Readonly<Record<string, string>>;
}

export interface AmqpConsumeOptions {
  /** How many messages to take (default 1). */
  count?: number;
  /** How long to wait for them (default 5s); fewer messages are returned when it elapses. */
  timeout?: DurationInput;
  tags?: Readonly<Record<string, string>>;
}

export interface AmqpQueueOptions {
  durable?: boolean;
  autoDelete?: boolean;
  exclusive?: boolean;
}

function toBuffer(body: AmqpBody): { content: Buffer; contentType: string } {
  if (typeof body === 'string') return { content: Buffer.from(body), contentType: 'text/plain' };
  if (Buffer.isBuffer(body)) return { content: body, contentType: 'application/octet-stream' };
  if (body instanceof Uint8Array) return { content: Buffer.from(body), contentType: 'application/octet-stream' };
  if (typeof body === 'object' && body !== null) return { content: Buffer.from(JSON.stringify(body)), contentType: 'application/json' };
  throw new TypeError(`amqp.publish(): the body must be a string, a Buffer or a JSON object (got ${typeof body})`);
}

function queueName(queue: unknown, what: string): string {
  if (typeof queue !== 'string' || queue === '') throw new TypeError(`amqp.${what}(): the queue must be a non-empty string (got ${JSON.stringify(queue)})`);
  return queue;
}

/**
 * A VU's channel on the worker's shared connection to one broker: a confirm
 * channel, opened on first use and again after the broker closed it (a
 * channel error such as 404 closes an AMQP channel).
 */
export class AmqpChannel implements AckTarget {
  #channel: Promise<amqp.ConfirmChannel> | null = null;

  constructor(
    private readonly scope: VuScope,
    /** The broker URL (credentials included: never printed). */
    private readonly url: string,
  ) {}

  /** The broker, without credentials. */
  get location(): string {
    return amqpLocation(this.url);
  }

  #open(): Promise<amqp.ConfirmChannel> {
    if (this.#channel !== null) return this.#channel;
    const p = amqpConnection(this.url).then(async (conn) => {
      const ch = await conn.createConfirmChannel();
      ch.on('error', () => undefined);
      ch.on('close', () => {
        if (this.#channel === p) this.#channel = null;
      });
      return ch;
    });
    this.#channel = p;
    p.catch(() => {
      if (this.#channel === p) this.#channel = null;
    });
    return p;
  }

  #record(metric: MetricHandle, queue: string, value: number, extra: Readonly<Record<string, string>> | undefined, errorCode?: string): void {
    if (this.scope.signal.aborted) return;
    let tags = this.scope.tags.with('queue', queue);
    if (extra !== undefined) tags = tags.merge(extra);
    if (errorCode !== undefined) tags = tags.with('error_code', errorCode);
    this.scope.store.add(metric, tags, value);
  }

  #fail(op: string, queue: string, e: unknown): AmqpError {
    if (e instanceof AmqpError) return e;
    const code = amqpErrorCodeOf(e);
    return new AmqpError(`amqp.${op}("${queue}") on ${this.location} failed (${code}): ${e instanceof Error ? e.message : String(e)}`, code);
  }

  /** Declare a queue (idempotent). */
  async assertQueue(queue: string, options: AmqpQueueOptions = {}): Promise<void> {
    const q = queueName(queue, 'assertQueue');
    try {
      await (await this.#open()).assertQueue(q, { durable: options.durable ?? false, autoDelete: options.autoDelete ?? false, exclusive: options.exclusive ?? false });
    } catch (e) {
      throw this.#fail('assertQueue', q, e);
    }
  }

  /** Delete a queue; resolves with the number of messages it held. */
  async deleteQueue(queue: string): Promise<number> {
    const q = queueName(queue, 'deleteQueue');
    try {
      return (await (await this.#open()).deleteQueue(q)).messageCount;
    } catch (e) {
      throw this.#fail('deleteQueue', q, e);
    }
  }

  /** Publish to a queue through the default exchange and wait for the broker's confirm: records amqp_publish_duration. */
  async publish(queue: string, body: AmqpBody, options: AmqpPublishOptions = {}): Promise<void> {
    const q = queueName(queue, 'publish');
    const { content, contentType } = toBuffer(body);
    const t0 = performance.now();
    try {
      const ch = await this.#open();
      await new Promise<void>((resolve, reject) => {
        ch.sendToQueue(
          q,
          content,
          { contentType, persistent: options.persistent === true, headers: { ...options.headers, [PUBLISHED_AT_HEADER]: Date.now() } },
          (err: unknown) => (err ? reject(err instanceof Error ? err : new Error('message nacked')) : resolve()),
        );
      });
    } catch (e) {
      const err = this.#fail('publish', q, e);
      this.#record(amqpMetrics.amqp_publish_duration, q, performance.now() - t0, options.tags, err.code);
      throw err;
    }
    this.#record(amqpMetrics.amqp_publish_duration, q, performance.now() - t0, options.tags);
  }

  /**
   * Take up to `count` messages (prefetch = count, so no more are delivered to this VU), waiting at most
   * `timeout`. Records amqp_consume_latency for each message that carries publish()'s timestamp header.
   * Ack (or nack) each message; unacked ones go back to the queue when the test ends.
   */
  async consume(queue: string, options: AmqpConsumeOptions = {}): Promise<AmqpMessage[]> {
    const q = queueName(queue, 'consume');
    const count = options.count ?? 1;
    if (!Number.isInteger(count) || count < 1) throw new TypeError(`amqp.consume("${q}"): count must be a positive integer (got ${String(count)})`);
    const timeoutMs = parseDuration(options.timeout ?? '5s', 'amqp.consume() timeout');
    let ch: amqp.ConfirmChannel;
    try {
      ch = await this.#open();
      await ch.prefetch(count);
    } catch (e) {
      throw this.#fail('consume', q, e);
    }
    const got: AmqpMessage[] = [];
    let done = false;
    let finish: (err?: Error) => void = () => undefined;
    const finished = new Promise<void>((resolve, reject) => {
      finish = (err) => {
        if (done) return;
        done = true;
        if (err === undefined) resolve();
        else reject(err);
      };
    });
    const work = { abort: (reason?: Error) => finish(reason ?? new InterruptedError()) };
    this.scope.track(work);
    const timer = setTimeout(() => finish(), timeoutMs);
    let tag: string | null = null;
    const onClose = (): void => finish(new AmqpError(`amqp.consume("${q}"): the channel closed`, 'AMQP_CHANNEL_CLOSED'));
    try {
      const reply = await ch.consume(q, (raw) => {
        if (raw === null) return finish(new AmqpError(`amqp.consume("${q}"): the broker cancelled the consumer (queue deleted?)`, 'AMQP_CHANNEL_CLOSED'));
        if (done) return ch.nack(raw, false, true);
        const published = Number((raw.properties.headers as Record<string, unknown> | undefined)?.[PUBLISHED_AT_HEADER]);
        const latency = Number.isFinite(published) && published > 0 ? Math.max(0, Date.now() - published) : null;
        got.push(new AmqpMessage(raw, this, q, latency));
        if (latency !== null) this.#record(amqpMetrics.amqp_consume_latency, q, latency, options.tags);
        if (got.length >= count) finish();
      });
      tag = reply.consumerTag;
      if (done) await finished;
      ch.once('close', onClose);
      await finished;
    } catch (e) {
      for (const m of got) if (!m.settled) m.nack(true);
      if (e instanceof InterruptedError) throw e;
      throw this.#fail('consume', q, e);
    } finally {
      clearTimeout(timer);
      ch.off('close', onClose);
      this.scope.untrack(work);
      done = true;
      if (tag !== null) await ch.cancel(tag).catch(() => undefined);
    }
    return got;
  }

  /** The queue's ready messages (checkQueue): records the amqp_queue_depth gauge. */
  async queueDepth(queue: string, options: { tags?: Readonly<Record<string, string>> } = {}): Promise<number> {
    const q = queueName(queue, 'queueDepth');
    let depth: number;
    try {
      depth = (await (await this.#open()).checkQueue(q)).messageCount;
    } catch (e) {
      throw this.#fail('queueDepth', q, e);
    }
    this.#record(amqpMetrics.amqp_queue_depth, q, depth, options.tags);
    return depth;
  }

  /** @internal AckTarget: used by AmqpMessage.ack(). */
  ack(msg: amqp.Message, receivedAt: number, queue: string): void {
    const ch = this.#channel;
    if (ch === null) throw new AmqpError(`amqp: ack() on queue "${queue}" after its channel closed (the message goes back to the queue)`, 'AMQP_CHANNEL_CLOSED');
    void ch.then((c) => c.ack(msg)).catch(() => undefined);
    this.#record(amqpMetrics.amqp_ack_duration, queue, performance.now() - receivedAt, undefined);
  }

  /** @internal AckTarget: used by AmqpMessage.nack(). */
  nack(msg: amqp.Message, requeue: boolean): void {
    void this.#channel?.then((c) => c.nack(msg, false, requeue)).catch(() => undefined);
  }

  /** Close this VU's channel (the shared connection stays open until the end of the test). */
  async close(): Promise<void> {
    const ch = this.#channel;
    this.#channel = null;
    if (ch !== null) await ch.then((c) => c.close()).catch(() => undefined);
  }
}
