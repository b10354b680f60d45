import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sendError } from './errors.ts';

const PROTECTED = /^\/(api|ws)(\/|\?|$)/;

const digest = (s: string): Buffer => createHash('sha256').update(s).digest();

/**
 * When the target has a token, every /api and /ws request must carry
 * `Authorization: Bearer <token>`; others get 401. The comparison takes the
 * same time whatever the input, and the token is never logged or echoed.
 */
export function installBearerAuth(app: FastifyInstance, token: string | null): void {
  if (token === null) return;
  const expected = digest(token);
  app.addHook('onRequest', async (request, reply) => {
    if (!PROTECTED.test(request.url)) return;
    const header = request.headers.authorization;
    const given = typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7) : null;
    if (given !== null && timingSafeEqual(digest(given), expected)) return;
    void reply.header('www-authenticate', 'Bearer realm="agentload-target"');
    return sendError(reply, 401, 'unauthorized', given === null ? 'missing Authorization: Bearer token' : 'invalid bearer token', 'authorization');
  });
}
