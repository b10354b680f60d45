import type { FastifyInstance, FastifyReply } from 'fastify';
import type { TargetServices } from '../services/context.ts';
import { VERSION } from '../../version.ts';

/** Health (and its Spring-style alias), Prometheus metrics, cache statistics and analytics. */
export async function registerSystemRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  const health = async (_req: unknown, reply: FastifyReply): Promise<unknown> => {
    let db: { status: 'UP' | 'DOWN'; kind: string; location: string; error?: string };
    try {
      await s.store.ping();
      db = { status: 'UP', kind: s.store.driver.kind, location: s.store.driver.location };
    } catch (e) {
      db = { status: 'DOWN', kind: s.store.driver.kind, location: s.store.driver.location, error: (e as Error).message };
    }
    const status = db.status;
    return reply.code(status === 'UP' ? 200 : 503).send({
      status,
      version: VERSION,
      uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000),
      components: {
        db,
        cache: { status: 'UP', backend: s.cache.kind },
        queue: { status: 'UP', backend: s.queue.kind },
        llm: { status: 'UP', ...s.llm.stats() },
      },
    });
  };
  app.get('/health', health);
  app.get('/actuator/health', health);

  app.get('/metrics', async (_req, reply) => reply.header('content-type', s.metrics.contentType).send(await s.metrics.text()));

  app.get('/api/cache/stats', async () => s.cache.stats());

  app.get('/api/analytics/metrics', async () => {
    const stored = await s.store.analytics.aggregates();
    return {
      generatedAt: new Date().toISOString(),
      uptimeSeconds: Math.round((Date.now() - s.startedAt) / 1000),
      ...stored,
      chat: { requests: s.counters.chatRequests, streamed: s.counters.chatStreams, failed: s.counters.chatFailures, websocketMessages: s.counters.wsChatMessages },
      workflows: { executions: s.counters.workflowRuns, failed: s.counters.workflowFailures },
      llm: s.llm.stats(),
      cache: s.cache.stats(),
      queue: { backend: s.queue.kind, depth: await s.queue.depth().catch(() => null), workers: s.workers.size, busyWorkers: s.workers.busy() },
      websockets: { collaboration: s.collaboration.connections, rooms: s.collaboration.roomCount },
    };
  });
}
