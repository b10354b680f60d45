import type { FastifyInstance } from 'fastify';
import { notFound } from '../http/errors.ts';
import { idParams, pageQuery, shortText, type IdParams, type PageQuery } from '../http/schemas.ts';
import { cacheKey, type TargetServices } from '../services/context.ts';

interface RecordBody {
  kind: string;
  payload?: unknown;
}

const recordSchema = { type: 'object', required: ['kind'], properties: { kind: shortText(100), payload: {} } } as const;

/** Seed 003's database CRUD: single and batch inserts (one transaction), reads through the cache, listing, delete. */
export async function registerRecordRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  app.post<{ Body: RecordBody }>('/api/records', { schema: { body: recordSchema } }, async (req, reply) =>
    reply.code(201).send(await s.store.records.insert({ kind: req.body.kind, payload: req.body.payload ?? null })),
  );

  app.post<{ Body: { records: RecordBody[] } }>(
    '/api/records/batch',
    { schema: { body: { type: 'object', required: ['records'], properties: { records: { type: 'array', minItems: 1, maxItems: 1000, items: recordSchema } } } } },
    async (req, reply) => {
      const ids = await s.store.records.insertMany(req.body.records.map((r) => ({ kind: r.kind, payload: r.payload ?? null })));
      return reply.code(201).send({ inserted: ids.length, ids });
    },
  );

  app.get<{ Querystring: PageQuery & { kind?: string } }>('/api/records', { schema: { querystring: pageQuery({ kind: shortText(100) }) } }, async (req) =>
    s.store.records.list(req.query),
  );

  app.get<{ Params: IdParams }>('/api/records/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { value, hit } = await s.cache.read(cacheKey.record(req.params.id), () => s.store.records.get(req.params.id));
    if (value === null) throw notFound('record', req.params.id);
    return reply.header('x-cache', hit ? 'HIT' : 'MISS').send(value);
  });

  app.delete<{ Params: IdParams }>('/api/records/:id', { schema: { params: idParams } }, async (req, reply) => {
    if (!(await s.store.records.delete(req.params.id))) throw notFound('record', req.params.id);
    await s.cache.invalidate(cacheKey.record(req.params.id));
    return reply.code(204).send();
  });
}
