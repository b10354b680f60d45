import type { FastifyInstance } from 'fastify';
import { badRequest, conflict, notFound } from '../http/errors.ts';
import { idParams, pageQuery, shortText, type IdParams, type PageQuery } from '../http/schemas.ts';
import type { Proposal, Tally } from '../store/proposals-repo.ts';
import { cacheKey, type TargetServices } from '../services/context.ts';

interface CreateBody {
  title: string;
  description?: string;
  options?: string[];
  quorum?: number;
  threshold?: number;
}

interface VoteBody {
  voterId: string;
  choice: string;
}

type ProposalView = Proposal & Tally;

/** Seed 003's voting: proposals, one vote per voter, exact tallies and whether consensus was reached. */
export async function registerProposalRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  const view = async (p: Proposal): Promise<ProposalView> => ({ ...p, ...(await s.store.proposals.tally(p)) });

  app.post<{ Body: CreateBody }>(
    '/api/proposals',
    {
      schema: {
        body: {
          type: 'object',
          required: ['title'],
          properties: {
            title: shortText(),
            description: { type: 'string', maxLength: 10_000 },
            options: { type: 'array', minItems: 2, maxItems: 20, uniqueItems: true, items: shortText(100) },
            quorum: { type: 'integer', minimum: 1, maximum: 1_000_000 },
            threshold: { type: 'number', exclusiveMinimum: 0, maximum: 1 },
          },
        },
      },
    },
    async (req, reply) => {
      const p = await s.store.proposals.create({
        title: req.body.title,
        description: req.body.description ?? null,
        options: req.body.options ?? ['approve', 'reject'],
        quorum: req.body.quorum ?? 1,
        threshold: req.body.threshold ?? 0.5,
      });
      return reply.code(201).send(await view(p));
    },
  );

  app.get<{ Querystring: PageQuery }>('/api/proposals', { schema: { querystring: pageQuery() } }, async (req) => s.store.proposals.list(req.query));

  app.get<{ Params: IdParams }>('/api/proposals/:id', { schema: { params: idParams } }, async (req, reply) => {
    const { value, hit } = await s.cache.read<ProposalView>(cacheKey.proposal(req.params.id), async () => {
      const p = await s.store.proposals.get(req.params.id);
      return p === null ? null : view(p);
    });
    if (value === null) throw notFound('proposal', req.params.id);
    return reply.header('x-cache', hit ? 'HIT' : 'MISS').send(value);
  });

  app.post<{ Params: IdParams; Body: VoteBody }>(
    '/api/proposals/:id/votes',
    {
      schema: {
        params: idParams,
        body: { type: 'object', required: ['voterId', 'choice'], properties: { voterId: shortText(), choice: shortText(100) } },
      },
    },
    async (req, reply) => {
      const p = await s.store.proposals.get(req.params.id);
      if (p === null) throw notFound('proposal', req.params.id);
      if (!p.options.includes(req.body.choice)) throw badRequest('choice', `"${req.body.choice}" is not an option (options: ${p.options.join(', ')})`);
      const vote = await s.store.proposals.vote(p.id, req.body.voterId, req.body.choice);
      if (vote === null) throw conflict(`voterId: "${req.body.voterId}" has already voted on proposal "${p.id}"`, 'voterId');
      await s.cache.invalidate(cacheKey.proposal(p.id));
      return reply.code(201).send({ vote, ...(await s.store.proposals.tally(p)) });
    },
  );
}
