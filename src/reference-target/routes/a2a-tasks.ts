import type { FastifyInstance } from 'fastify';
import { conflict, notFound } from '../http/errors.ts';
import { idParams, pageQuery, shortText, type IdParams, type PageQuery } from '../http/schemas.ts';
import { A2A_STATUSES, A2A_TERMINAL, type A2aStatus, type A2aTask } from '../store/a2a-repo.ts';
import type { TargetServices } from '../services/context.ts';

interface SubmitBody {
  input: string | Record<string, unknown>;
  skill?: string;
  agent?: string;
  priority?: number;
  execute?: boolean;
}

interface ExecuteBody {
  wait?: boolean;
  timeout_ms?: number;
}

/**
 * Seed 000's A2A REST facade: submit answers at once with the task id;
 * execute starts the work (the mock LLM, in the background) and with
 * `wait: true` answers when the task has finished; cancel stops it.
 */
export async function registerA2aTaskRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  const get = async (id: string): Promise<A2aTask> => {
    const t = await s.store.a2a.get(id);
    if (t === null) throw notFound('task', id);
    return t;
  };

  app.post<{ Body: SubmitBody }>(
    '/api/a2a/tasks',
    {
      schema: {
        body: {
          type: 'object',
          required: ['input'],
          properties: {
            input: { anyOf: [{ type: 'string', minLength: 1, maxLength: 32_768 }, { type: 'object' }] },
            skill: shortText(),
            agent: shortText(),
            priority: { type: 'integer', minimum: 0, maximum: 10 },
            execute: { type: 'boolean' },
          },
        },
      },
    },
    async (req, reply) => {
      const task = await s.store.a2a.create({ input: req.body.input, skill: req.body.skill ?? 'general', agent: req.body.agent ?? null, priority: req.body.priority ?? 5 });
      if (req.body.execute === true) {
        const started = await s.a2a.execute(task.id);
        if (started !== null) return reply.code(202).send(started);
      }
      return reply.code(202).send(task);
    },
  );

  app.get<{ Querystring: PageQuery & { status?: A2aStatus } }>(
    '/api/a2a/tasks',
    { schema: { querystring: pageQuery({ status: { type: 'string', enum: A2A_STATUSES } }) } },
    async (req) => s.store.a2a.list(req.query),
  );

  app.get('/api/a2a/tasks/queue', async () => {
    const counts = await s.store.a2a.counts();
    return { depth: counts.submitted + counts.working, waiting: counts.submitted, working: counts.working, counts };
  });

  app.get<{ Params: IdParams }>('/api/a2a/tasks/:id', { schema: { params: idParams } }, async (req) => get(req.params.id));

  app.post<{ Params: IdParams; Body: ExecuteBody | undefined }>(
    '/api/a2a/tasks/:id/execute',
    {
      schema: {
        params: idParams,
        body: { type: 'object', properties: { wait: { type: 'boolean' }, timeout_ms: { type: 'integer', minimum: 1, maximum: 600_000 } } },
      },
    },
    async (req, reply) => {
      const started = await s.a2a.execute(req.params.id);
      const task = started ?? (await get(req.params.id));
      if (task.status === 'failed' || task.status === 'canceled') throw conflict(`task "${task.id}" is ${task.status}; it cannot be executed`);
      if (req.body?.wait === true && !A2A_TERMINAL.has(task.status)) {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), req.body.timeout_ms ?? 60_000);
        reply.raw.on('close', () => controller.abort());
        try {
          await s.a2a.settled(task.id, controller.signal);
        } finally {
          clearTimeout(timer);
        }
        const done = await get(task.id);
        return reply.code(A2A_TERMINAL.has(done.status) ? 200 : 202).send(done);
      }
      return reply.code(task.status === 'completed' ? 200 : 202).send(task);
    },
  );

  app.post<{ Params: IdParams }>('/api/a2a/tasks/:id/cancel', { schema: { params: idParams } }, async (req) => {
    const task = await s.a2a.cancel(req.params.id);
    if (task !== null) return task;
    const current = await get(req.params.id);
    throw conflict(`task "${current.id}" is already ${current.status}`);
  });
}
