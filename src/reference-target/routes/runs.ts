import type { FastifyInstance } from 'fastify';
import { badRequest, notFound } from '../http/errors.ts';
import { idParams, pageQuery, shortText, type IdParams, type PageQuery } from '../http/schemas.ts';
import { RUN_STATUSES, type RunStatus } from '../store/runs-repo.ts';
import { cacheKey, type TargetServices } from '../services/context.ts';
import { flagStep, graftStep, pruneStep, readRun } from '../services/run-tree.ts';

interface CreateRunBody {
  name?: string;
  goal?: string;
  workflow?: string;
  status?: RunStatus;
  input?: unknown;
  metadata?: Record<string, unknown>;
}

interface PatchRunBody {
  name?: string;
  status?: RunStatus;
  output?: unknown;
  metadata?: Record<string, unknown>;
}

interface GraftBody {
  name: string;
  parentId?: string | null;
  agent?: string;
  status?: RunStatus;
  input?: unknown;
}

interface FlagBody {
  reason?: string | null;
}

const statusSchema = { type: 'string', enum: RUN_STATUSES };
const stepParams = {
  type: 'object',
  required: ['id', 'stepId'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, stepId: { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

/** Seed 000's runs API: CRUD, listing with a status filter and pagination, and graft/prune/flag on a run's tree of steps. */
export async function registerRunRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  app.post<{ Body: CreateRunBody }>(
    '/api/runs',
    {
      schema: {
        body: {
          type: 'object',
          properties: { name: shortText(), goal: { type: 'string', minLength: 1, maxLength: 10_000 }, workflow: shortText(), status: statusSchema, input: {}, metadata: { type: 'object' } },
        },
      },
    },
    async (req, reply) => {
      const { name, goal } = req.body;
      if (name === undefined && goal === undefined) throw badRequest('name', 'is required (or give a goal)');
      return reply.code(201).send(await s.store.runs.create({ ...req.body, name: name ?? (goal as string).slice(0, 200) }));
    },
  );

  app.get<{ Querystring: PageQuery & { status?: RunStatus } }>('/api/runs', { schema: { querystring: pageQuery({ status: statusSchema }) } }, async (req) =>
    s.store.runs.list(req.query),
  );

  app.get<{ Params: IdParams }>('/api/runs/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { view, hit } = await readRun(s, req.params.id);
    if (view === null) throw notFound('run', req.params.id);
    return reply.header('x-cache', hit ? 'HIT' : 'MISS').send(view);
  });

  app.patch<{ Params: IdParams; Body: PatchRunBody }>(
    '/api/runs/:id',
    {
      schema: {
        params: idParams,
        body: { type: 'object', minProperties: 1, properties: { name: shortText(), status: statusSchema, output: {}, metadata: { type: 'object' } } },
      },
    },
    async (req) => {
      const run = await s.store.runs.update(req.params.id, req.body);
      if (run === null) throw notFound('run', req.params.id);
      await s.cache.invalidate(cacheKey.run(run.id));
      return run;
    },
  );

  app.delete<{ Params: IdParams }>('/api/runs/:id', { schema: { params: idParams } }, async (req, reply) => {
    if (!(await s.store.runs.delete(req.params.id))) throw notFound('run', req.params.id);
    await s.cache.invalidate(cacheKey.run(req.params.id));
    return reply.code(204).send();
  });

  app.post<{ Params: IdParams; Body: GraftBody }>(
    '/api/runs/:id/graft',
    {
      schema: {
        params: idParams,
        body: {
          type: 'object',
          required: ['name'],
          properties: { name: shortText(), parentId: { type: ['string', 'null'], maxLength: 200 }, agent: shortText(), status: statusSchema, input: {} },
        },
      },
    },
    async (req, reply) => {
      const step = await graftStep(s, req.params.id, { ...req.body, createdBy: 'api' });
      s.collaboration.broadcast(req.params.id, { type: 'graft', user: 'api', step });
      return reply.code(201).send(step);
    },
  );

  app.delete<{ Params: IdParams & { stepId: string } }>('/api/runs/:id/steps/:stepId', { schema: { params: stepParams } }, async (req) => {
    const removed = await pruneStep(s, req.params.id, req.params.stepId);
    s.collaboration.broadcast(req.params.id, { type: 'prune', user: 'api', stepId: req.params.stepId, removed });
    return { removed };
  });

  app.post<{ Params: IdParams & { stepId: string }; Body: FlagBody | undefined }>(
    '/api/runs/:id/steps/:stepId/flag',
    { schema: { params: stepParams, body: { type: 'object', properties: { reason: { type: ['string', 'null'], maxLength: 1000 } } } } },
    async (req) => {
      const reason = req.body?.reason === undefined ? 'flagged' : req.body.reason;
      const step = await flagStep(s, req.params.id, req.params.stepId, reason);
      s.collaboration.broadcast(req.params.id, { type: 'flag', user: 'api', step });
      return step;
    },
  );
}
