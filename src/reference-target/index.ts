/**
 * The reference target: an AI orchestrator with a mock LLM and an A2A agent,
 * to load-test against (`agentload target`, `agentload demo`). The server
 * modules load on the first start, so importing agentload stays light.
 */
import { resolveTargetOptions, type TargetOptions } from './options.ts';

export type { TargetOptions } from './options.ts';
export type { MockLlmOptions } from './llm/mock-llm.ts';
export { DEFAULT_TARGET_OPTIONS, TargetOptionsError } from './options.ts';

/** A running target. */
export interface TargetHandle {
  /** Base URL, e.g. http://127.0.0.1:8088 */
  url: string;
  /** WebSocket base URL, e.g. ws://127.0.0.1:8088 */
  wsUrl: string;
  port: number;
  /** Stop: end connections, abort background work, close the store, cache and queue. */
  close(): Promise<void>;
}

/**
 * Start the reference target. Options not given come from the environment
 * (DATABASE_URL, REDIS_URL, AMQP_URL, AGENTLOAD_TARGET_TOKEN) or the
 * defaults (127.0.0.1, a free port, SQLite in memory, in-process cache and
 * queue, no token). Throws TargetOptionsError for options that cannot work.
 */
export async function startTarget(options: Partial<TargetOptions> = {}): Promise<TargetHandle> {
  const resolved = resolveTargetOptions(options);
  const { createTargetServer } = await import('./server.ts');
  const server = await createTargetServer(resolved);
  return { url: server.url, wsUrl: server.wsUrl, port: server.port, close: () => server.close() };
}
