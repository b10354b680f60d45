import { setTimeout as delay } from 'node:timers/promises';
import type { VuScope } from '../vu-scope.ts';

/** Sleep `ms`, cut short by the VU's interrupt (which is then thrown, as the engine expects). */
export async function interruptibleSleep(scope: VuScope, ms: number): Promise<void> {
  const signal = scope.signal;
  if (signal.aborted) throw signal.reason;
  try {
    await delay(ms, undefined, { signal });
  } catch (e) {
    if (signal.aborted) throw signal.reason;
    throw e;
  }
}
