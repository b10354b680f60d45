import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * A CommonJS package loaded on first use, so that a test that never touches
 * it does not pay its import at start-up (amqplib, pg and ioredis together
 * cost about 350 ms in every worker otherwise).
 */
export function lazyRequire<T>(id: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= requireHere(id) as T);
}
