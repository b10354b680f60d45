import type { FastifyInstance } from 'fastify';
import { ApiError, conflict, notFound } from '../http/errors.ts';
import { idParams, pageQuery, shortText, type IdParams, type PageQuery } from '../http/schemas.ts';
import { AGENT_KINDS, TASK_STATUSES, type Agent, type TaskStatus } from '../store/tasks-repo.ts';
import { cacheKey, type TargetServices } from '../services/context.ts';

interface CreateTaskBody {
  title: string;
  description?: string;
  type?: string;
  priority?: number;
  input?: unknown;
  max_tokens?: number;
}

interface CreateAgentBody {
  name: string;
  capabilities?: string[];
  metadata?: Record<string, unknown>;
}

/** Seed 002's /api/v1/tasks and /api/v1/agents; tasks go through the queue to the agent workers (seed 003). */
export async function registerV1TaskRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  app.post<{ Body: CreateTaskBody }>(
    '/api/v1/tasks',
    {
      schema: {
        body: {
          type: 'object',
          required: ['title'],
          properties: {
            title: shortText(),
            description: { type: 'string', maxLength: 32_768 },
            type: shortText(100),
            priority: { type: 'integer', minimum: 0, maximum: 10 },
            input: {},
            max_tokens: { type: 'integer', minimum: 1, maximum: 4096 },
          },
        },
      },
    },
    async (req, reply) => {
      const b = req.body;
      const task = await s.store.tasks.create({ title: b.title, description: b.description ?? null, type: b.type, priority: b.priority, input: b.input, maxTokens: b.max_tokens ?? null });
      try {
        await s.workers.submit(task);
      } catch (e) {
        await s.store.tasks.fail(task.id, `could not queue the task: ${(e as Error).message}`);
        throw new ApiError(503, 'queue_unavailable', 'the task queue is not accepting tasks');
      }
      return reply.code(201).send(task);
    },
  );

  app.get<{ Querystring: PageQuery & { status?: TaskStatus } }>(
    '/api/v1/tasks',
    { schema: { querystring: pageQuery({ status: { type: 'string', enum: TASK_STATUSES } }) } },
    async (req) => s.store.tasks.list(req.query),
  );

  app.get<{ Params: IdParams }>('/api/v1/tasks/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { value, hit } = await s.cache.read(cacheKey.task(req.params.id), () => s.store.tasks.get(req.params.id));
    if (value === null) throw notFound('task', req.params.id);
    return reply.header('x-cache', hit ? 'HIT' : 'MISS').send(value);
  });

  const withState = (a: Agent): Agent & { status: string; currentTaskId: string | null; completed: number; failed: number; lastActiveAt: string | null } => {
    const st = s.workers.state(a.id);
    return st === undefined
      ? { ...a, status: 'registered', currentTaskId: null, completed: 0, failed: 0, lastActiveAt: null }
      : { ...a, status: st.status, currentTaskId: st.currentTaskId, completed: st.completed, failed: st.failed, lastActiveAt: st.lastActiveAt };
  };

  app.get<{ Querystring: PageQuery & { kind?: Agent['kind'] } }>(
    '/api/v1/agents',
    { schema: { querystring: pageQuery({ kind: { type: 'string', enum: AGENT_KINDS } }) } },
    async (req) => {
      const page = await s.store.tasks.listAgents(req.query);
      return { ...page, items: page.items.map(withState), workers: { total: s.workers.size, busy: s.workers.busy() } };
    },
  );

  app.post<{ Body: CreateAgentBody }>(
    '/api/v1/agents',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: shortText(), capabilities: { type: 'array', maxItems: 50, items: shortText(100) }, metadata: { type: 'object' } },
        },
      },
    },
    async (req, reply) => {
      const agent = await s.store.tasks.createAgent({ name: req.body.name, kind: 'external', capabilities: req.body.capabilities ?? [], metadata: req.body.metadata });
      return reply.code(201).send(withState(agent as Agent));
    },
  );

  app.get<{ Params: IdParams }>('/api/v1/agents/:id', { schema: { params: idParams } }, async (req) => {
    const agent = await s.store.tasks.getAgent(req.params.id);
    if (agent === null) throw notFound('agent', req.params.id);
    return withState(agent);
  });

  app.delete<{ Params: IdParams }>('/api/v1/agents/:id', { schema: { params: idParams } }, async (req, reply) => {
    const agent = await s.store.tasks.getAgent(req.params.id);
    if (agent === null) throw notFound('agent', req.params.id);
    if (agent.kind === 'worker') throw conflict(`agent "${agent.id}" is one of the target's own workers; it cannot be removed`);
    await s.store.tasks.deleteAgent(agent.id);
    return reply.code(204).send();
  });
}
