import type * as IORedis from 'ioredis';
import type { Redis } from 'ioredis';
import { lazyRequire } from '../lazy-require.ts';

const ioredis = lazyRequire<typeof IORedis>('ioredis');

/** One ioredis client per worker thread, URL and command timeout, shared by its VUs (commands pipeline on it); closed at the end of the test. */
const clients = new Map<string, Promise<Redis>>();

/**
 * The worker's client for `url`, connected on first use. A failed first connect (refused, unknown host)
 * is forgotten, so that the command fails with the system's code and the next one tries again.
 */
export function redisClient(url: string, commandTimeoutMs: number): Promise<Redis> {
  const key = `${commandTimeoutMs} ${url}`;
  let c = clients.get(key);
  if (c === undefined) {
    let ready = false;
    let lastError: unknown = null;
    const client = new (ioredis().Redis)(url, {
      lazyConnect: true,
      commandTimeout: commandTimeoutMs,
      maxRetriesPerRequest: 1,
      // reconnect after a drop, a few times; a failed first connect is not retried
      retryStrategy: (times) => (!ready || times > 5 ? null : Math.min(times * 100, 1000)),
    });
    client.on('error', (e: unknown) => (lastError = e));
    client.once('ready', () => (ready = true));
    c = client.connect().then(
      () => client,
      (e: unknown) => {
        client.disconnect();
        // ioredis rejects with "Connection is closed": the socket's error says why
        throw lastError ?? e;
      },
    );
    clients.set(key, c);
    c.catch(() => {
      if (clients.get(key) === c) clients.delete(key);
    });
  }
  return c;
}

/** Close every Redis client of this worker (end of the test). */
export async function closeRedisClients(): Promise<void> {
  const all = [...clients.values()];
  clients.clear();
  await Promise.all(
    all.map((c) =>
      c.then(
        (client) => client.quit().catch(() => client.disconnect()),
        () => undefined,
      ),
    ),
  );
}
