import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { registerA2aAgent } from './a2a/a2a-agent.ts';
import { LruBackend, type CacheBackend } from './cache/cache-backend.ts';
import { ReadCache } from './cache/read-cache.ts';
import { RedisBackend } from './cache/redis-backend.ts';
import { installBearerAuth } from './http/auth.ts';
import { installErrorHandling } from './http/errors.ts';
import { installJsonBodies } from './http/json-body.ts';
import { TargetMetrics } from './http/metrics.ts';
import { installValidation } from './http/validation.ts';
import { MockLlm } from './llm/mock-llm.ts';
import { registerMockLlmRoutes } from './llm/routes.ts';
import type { TargetOptions } from './options.ts';
import { AmqpQueue } from './queue/amqp-queue.ts';
import { MemoryQueue, type TaskQueue } from './queue/task-queue.ts';
import { registerA2aTaskRoutes } from './routes/a2a-tasks.ts';
import { registerChatRoutes } from './routes/chat.ts';
import { registerProposalRoutes } from './routes/proposals.ts';
import { registerRecordRoutes } from './routes/records.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerSystemRoutes } from './routes/system.ts';
import { registerV1DagRoutes } from './routes/v1-dags.ts';
import { registerV1TaskRoutes } from './routes/v1-tasks.ts';
import { registerWorkflowRoutes } from './routes/workflows.ts';
import { A2aRunner } from './services/a2a-runner.ts';
import { AgentWorkers } from './services/agent-workers.ts';
import { Background } from './services/background.ts';
import type { TargetServices } from './services/context.ts';
import { DagExecutions } from './services/dag-executions.ts';
import { openStore, type Store } from './store/store.ts';
import { registerChatSocket } from './ws/chat-socket.ts';
import { CollaborationHub } from './ws/collaboration-hub.ts';
import { registerCollaborationSocket } from './ws/collaboration.ts';

/** A started target. */
export interface TargetServer {
  /** http://host:port */
  readonly url: string;
  /** ws://host:port */
  readonly wsUrl: string;
  readonly port: number;
  readonly app: FastifyInstance;
  readonly services: TargetServices;
  /** Stop accepting, end sockets, abort background work, then close the queue, cache and store. */
  close(): Promise<void>;
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

function registerGauges(m: TargetMetrics, s: Omit<TargetServices, 'metrics'>): void {
  m.gauge('agent_task_queue_depth', 'Tasks waiting in the queue for an agent worker', () => s.queue.depth().catch(() => 0));
  m.gauge('agent_workers_busy', 'Agent workers processing a task', () => s.workers.busy());
  m.gauge('a2a_task_queue_size', 'A2A facade tasks submitted or working', async () => {
    const c = await s.store.a2a.counts();
    return c.submitted + c.working;
  });
  m.gauge('dag_executions_running', 'DAG executions in progress', () => s.dags.running);
  m.gauge('db_pool_size', 'Database connections open', () => s.store.driver.pool().size);
  m.gauge('db_pool_in_use', 'Database connections running a statement', () => s.store.driver.pool().inUse);
  m.gauge('db_pool_waiting', 'Callers waiting for a database connection', () => s.store.driver.pool().waiting);
  m.gauge('cache_entries', 'Entries in the in-process read cache (-1 for Redis)', () => s.cache.stats().size ?? -1);
  m.gauge('collaboration_rooms', 'Runs with at least one collaborator connected', () => s.collaboration.roomCount);
  m.gauge('mock_llm_active_requests', 'Mock LLM requests generating', () => s.llm.stats().active);
  m.gauge('mock_llm_queued_requests', 'Mock LLM requests waiting for a concurrency slot', () => s.llm.stats().queued);
  m.counter('mock_llm_requests_completed_total', 'Mock LLM requests answered in full', () => s.llm.stats().completed);
  m.counter('mock_llm_requests_failed_total', 'Mock LLM requests failed or aborted', () => s.llm.stats().failed);
  m.counter('mock_llm_output_tokens_total', 'Tokens the mock LLM generated', () => s.llm.stats().outputTokens);
}

/** Build the services and the HTTP/WebSocket server, and listen. */
export async function createTargetServer(o: TargetOptions): Promise<TargetServer> {
  const undo: (() => Promise<void>)[] = [];
  const unwind = async (): Promise<void> => {
    for (const u of undo.reverse()) await u().catch(() => undefined);
  };
  try {
    const metrics = new TargetMetrics();
    const store: Store = await openStore(o.db, { schema: o.dbSchema, poolSize: o.dbPoolSize }, (op, seconds) => metrics.dbQueryDuration.observe({ op }, seconds));
    undo.push(() => store.close());
    const backend: CacheBackend = o.redisUrl === null ? new LruBackend(o.cacheMaxEntries) : await RedisBackend.connect(o.redisUrl);
    const cache = new ReadCache(backend, o.cacheTtlMs, { hit: () => metrics.cacheHits.inc(), miss: () => metrics.cacheMisses.inc() });
    undo.push(() => cache.close());
    const queue: TaskQueue = o.amqpUrl === null ? new MemoryQueue() : await AmqpQueue.connect(o.amqpUrl);
    undo.push(() => queue.close());
    const llm = new MockLlm(o.llm);
    const background = new Background();
    undo.push(() => background.close());
    const collaboration = new CollaborationHub(o.presenceTimeoutMs, (n) => metrics.wsMessages.inc({ endpoint: 'collaboration', direction: 'out' }, n));
    undo.push(async () => collaboration.close());
    const workers = new AgentWorkers(store, queue, llm, cache, background, metrics, o.agentWorkers);
    const services: TargetServices = {
      options: o,
      store,
      cache,
      queue,
      llm,
      metrics,
      background,
      workers,
      a2a: new A2aRunner(store, llm, background),
      dags: new DagExecutions(store, llm, background),
      collaboration,
      counters: { chatRequests: 0, chatStreams: 0, chatFailures: 0, workflowRuns: 0, workflowFailures: 0, wsChatMessages: 0 },
      startedAt: Date.now(),
    };
    registerGauges(metrics, services);

    const app = Fastify({ logger: o.logger, bodyLimit: o.bodyLimit, forceCloseConnections: true, return503OnClosing: true });
    undo.push(() => app.close());
    installValidation(app);
    installJsonBodies(app);
    installErrorHandling(app, o.bodyLimit);
    app.addHook('onResponse', async (req, reply) => {
      const labels = { method: req.method, route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) };
      metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
      metrics.httpRequests.inc(labels);
    });
    await app.register(websocket, { options: { maxPayload: o.bodyLimit } });
    // After the websocket plugin: its onRequest hook marks upgrades, so a refused upgrade's socket is destroyed.
    installBearerAuth(app, o.token);

    let publicUrl: string | null = null;
    await registerSystemRoutes(app, services);
    await registerRunRoutes(app, services);
    await registerChatRoutes(app, services);
    await registerWorkflowRoutes(app, services);
    await registerA2aTaskRoutes(app, services);
    await registerV1TaskRoutes(app, services);
    await registerV1DagRoutes(app, services);
    await registerProposalRoutes(app, services);
    await registerRecordRoutes(app, services);
    await registerCollaborationSocket(app, services);
    await registerChatSocket(app, services);
    await registerMockLlmRoutes(app, llm);
    await registerA2aAgent(app, {
      llm,
      publicUrl: () => {
        if (publicUrl === null) throw new Error('the target is not listening yet');
        return publicUrl;
      },
    });
    await workers.start();
    await app.listen({ port: o.port, host: o.host });
    const port = (app.server.address() as AddressInfo).port;
    const host = urlHost(o.host);
    publicUrl = `http://${host}:${port}`;
    const url = publicUrl;

    let closing: Promise<void> | null = null;
    return {
      url,
      wsUrl: `ws://${host}:${port}`,
      port,
      app,
      services,
      close: () => {
        closing ??= (async () => {
          collaboration.close();
          // A client that does not answer the close handshake is cut off after a grace period.
          for (const client of app.websocketServer.clients) client.close(1001, 'server shutting down');
          const cutOff = setTimeout(() => {
            for (const client of app.websocketServer.clients) client.terminate();
          }, 2000);
          cutOff.unref();
          await app.close();
          clearTimeout(cutOff);
          await background.close();
          await queue.close();
          await cache.close();
          await store.close();
        })();
        return closing;
      },
    };
  } catch (e) {
    await unwind();
    throw e;
  }
}
