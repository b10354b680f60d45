import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors.ts';
import { idParams, pageQuery, shortText, type IdParams, type PageQuery } from '../http/schemas.ts';
import type { Dag } from '../store/dags-repo.ts';
import { cacheKey, type TargetServices } from '../services/context.ts';
import { validateDag } from '../services/dag-validate.ts';

interface NodeBody {
  id: string;
  prompt?: string;
  agent?: string;
  dependsOn?: string[];
  maxTokens?: number;
}

interface CreateDagBody {
  name: string;
  description?: string;
  nodes: NodeBody[];
}

const nodeSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[A-Za-z0-9_.:-]{1,64}$' },
    prompt: { type: 'string', minLength: 1, maxLength: 8192 },
    agent: shortText(),
    dependsOn: { type: 'array', maxItems: 100, items: { type: 'string' } },
    maxTokens: { type: 'integer', minimum: 1, maximum: 4096 },
  },
} as const;

/** Seed 002's DAGs: definitions of dependent LLM steps, executions that respect the dependencies, and their status. */
export async function registerV1DagRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  const getDag = async (id: string): Promise<{ dag: Dag; hit: boolean }> => {
    const { value, hit } = await s.cache.read(cacheKey.dag(id), () => s.store.dags.get(id));
    if (value === null) throw notFound('dag', id);
    return { dag: value, hit };
  };

  app.post<{ Body: CreateDagBody }>(
    '/api/v1/dags',
    {
      schema: {
        body: {
          type: 'object',
          required: ['name', 'nodes'],
          properties: { name: shortText(), description: { type: 'string', maxLength: 10_000 }, nodes: { type: 'array', minItems: 1, maxItems: 100, items: nodeSchema } },
        },
      },
    },
    async (req, reply) => {
      const nodes = req.body.nodes.map((n) => ({ id: n.id, prompt: n.prompt ?? null, agent: n.agent ?? null, dependsOn: n.dependsOn ?? [], maxTokens: n.maxTokens ?? null }));
      validateDag(nodes);
      return reply.code(201).send(await s.store.dags.create({ name: req.body.name, description: req.body.description ?? null, nodes }));
    },
  );

  app.get<{ Querystring: PageQuery }>('/api/v1/dags', { schema: { querystring: pageQuery() } }, async (req) => s.store.dags.list(req.query));

  app.get<{ Params: IdParams }>('/api/v1/dags/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { dag, hit } = await getDag(req.params.id);
    return reply.header('x-cache', hit ? 'HIT' : 'MISS').send(dag);
  });

  app.post<{ Params: IdParams; Body: { input?: unknown } | undefined }>(
    '/api/v1/dags/:id/execute',
    { schema: { params: idParams, body: { type: 'object', properties: { input: {} } } } },
    async (req, reply) => {
      const { dag } = await getDag(req.params.id);
      const execution = await s.dags.start(dag, req.body?.input);
      return reply
        .code(202)
        .header('location', `/api/v1/dags/${dag.id}/executions/${execution.id}`)
        .send({ ...execution, statusUrl: `/api/v1/dags/${dag.id}/executions/${execution.id}` });
    },
  );

  app.get<{ Params: IdParams; Querystring: PageQuery }>('/api/v1/dags/:id/executions', { schema: { params: idParams, querystring: pageQuery() } }, async (req) => {
    await getDag(req.params.id);
    return s.store.dags.listExecutions(req.params.id, req.query);
  });

  app.get<{ Params: IdParams & { executionId: string } }>(
    '/api/v1/dags/:id/executions/:executionId',
    {
      schema: {
        params: {
          type: 'object',
          required: ['id', 'executionId'],
          properties: { id: { type: 'string', minLength: 1, maxLength: 200 }, executionId: { type: 'string', minLength: 1, maxLength: 200 } },
        },
      },
    },
    async (req) => {
      const e = await s.store.dags.getExecution(req.params.id, req.params.executionId);
      if (e === null) {
        await getDag(req.params.id);
        throw notFound('execution', req.params.executionId);
      }
      return e;
    },
  );
}
