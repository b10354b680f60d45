import { closeAmqpConnections } from '../amqp/connections.ts';
import { closeRedisClients } from '../redis/clients.ts';
import { closeSqlPools } from './pools.ts';

/**
 * Close the connections a worker's VUs share (AMQP connections, PostgreSQL
 * pools, Redis clients), at the end of the test. Bounded: a broker that does
 * not answer the close is dropped with the thread after `timeoutMs` (the controller waits 2s for a worker to exit).
 */
export async function closeDataPlane(timeoutMs = 1500): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  try {
    await Promise.race([Promise.all([closeAmqpConnections(), closeSqlPools(), closeRedisClients()]), bound]);
  } finally {
    clearTimeout(timer);
  }
}
