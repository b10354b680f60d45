import { randomBytes } from 'node:crypto';
import amqp from 'amqplib';
import type { MessageHandler, TaskQueue } from './task-queue.ts';

/** host:port/vhost of an AMQP URL, without credentials. */
export function describeAmqpUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'amqp';
  }
}

/**
 * RabbitMQ through amqplib. Publishing waits for the broker's confirm; each
 * agent worker is a consumer on its own channel with prefetch 1 and acks
 * after its handler settles. The queue is exclusive to this target instance
 * (its name carries a random suffix) and disappears with its connection.
 */
export class AmqpQueue implements TaskQueue {
  readonly kind = 'amqp';
  readonly queue: string;
  readonly location: string;
  private readonly consumers: { channel: amqp.Channel; tag: string }[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;

  private constructor(
    private readonly connection: amqp.ChannelModel,
    private readonly publisher: amqp.ConfirmChannel,
    queue: string,
    url: string,
  ) {
    this.queue = queue;
    this.location = describeAmqpUrl(url);
  }

  static async connect(url: string): Promise<AmqpQueue> {
    let connection: amqp.ChannelModel;
    try {
      connection = await amqp.connect(url);
    } catch (e) {
      throw new Error(`cannot reach RabbitMQ at ${describeAmqpUrl(url)}: ${(e as Error).message}`);
    }
    connection.on('error', () => undefined);
    const publisher = await connection.createConfirmChannel();
    const queue = `agentload.target.tasks.${randomBytes(6).toString('hex')}`;
    await publisher.assertQueue(queue, { exclusive: true, durable: false });
    return new AmqpQueue(connection, publisher, queue, url);
  }

  publish(taskId: string): Promise<void> {
    if (this.closed) return Promise.reject(new Error('task queue is closed'));
    return new Promise((resolve, reject) => {
      this.publisher.sendToQueue(this.queue, Buffer.from(taskId), { contentType: 'text/plain' }, (err) => (err ? reject(err as Error) : resolve()));
    });
  }

  async consume(handler: MessageHandler): Promise<void> {
    const channel = await this.connection.createChannel();
    channel.on('error', () => undefined);
    await channel.prefetch(1);
    const { consumerTag } = await channel.consume(this.queue, (msg) => {
      if (msg === null) return;
      const work = handler(msg.content.toString())
        .catch(() => undefined)
        .then(() => {
          if (!this.closed) channel.ack(msg);
        });
      this.inFlight.add(work);
      void work.finally(() => this.inFlight.delete(work));
    });
    this.consumers.push({ channel, tag: consumerTag });
  }

  async depth(): Promise<number> {
    if (this.closed) return 0;
    return (await this.publisher.checkQueue(this.queue)).messageCount;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    for (const c of this.consumers) await c.channel.cancel(c.tag).catch(() => undefined);
    await Promise.all([...this.inFlight]);
    this.closed = true;
    await this.connection.close().catch(() => undefined);
  }
}
