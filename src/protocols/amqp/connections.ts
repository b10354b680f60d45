import type amqp from 'amqplib';
import { lazyRequire } from '../lazy-require.ts';

const amqplib = lazyRequire<typeof amqp>('amqplib');

/**
 * One AMQP connection per worker thread and URL, shared by the worker's VUs
 * (each VU opens its own channel on it). Closed by the worker at the end of the test.
 */
const connections = new Map<string, Promise<amqp.ChannelModel>>();

/** The worker's connection to `url`, opened on first use; a failed attempt is forgotten so the next call retries. */
export function amqpConnection(url: string): Promise<amqp.ChannelModel> {
  let c = connections.get(url);
  if (c === undefined) {
    c = amqplib().connect(url).then((conn) => {
      // a dropped connection fails the operations in flight; the next open retries
      conn.on('error', () => undefined);
      conn.on('close', () => {
        if (connections.get(url) === c) connections.delete(url);
      });
      return conn;
    });
    connections.set(url, c);
    c.catch(() => {
      if (connections.get(url) === c) connections.delete(url);
    });
  }
  return c;
}

/** Close every AMQP connection of this worker (end of the test). */
export async function closeAmqpConnections(): Promise<void> {
  const all = [...connections.values()];
  connections.clear();
  await Promise.all(all.map((c) => c.then((conn) => conn.close()).catch(() => undefined)));
}

/** host:port/vhost of an AMQP URL, without credentials (for messages). */
export function amqpLocation(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return 'amqp URL';
  }
}
