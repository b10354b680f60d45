import type { VuScope } from './vu-scope.ts';

/**
 * Attach the protocol clients (ws, sse, llm, a2a) to a new VU. Each protocol
 * module adds its namespace here; HTTP is built into the VU itself.
 */
export function attachProtocols(vu: VuScope): void {
  void vu;
}
