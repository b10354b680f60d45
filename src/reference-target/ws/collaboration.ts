import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { ApiError, notFound, sendError } from '../http/errors.ts';
import type { TargetServices } from '../services/context.ts';
import { flagStep, graftStep, pruneStep, readRun } from '../services/run-tree.ts';
import { newId } from '../store/rows.ts';
import { viewOf, type Member } from './collaboration-hub.ts';
import { messageId, parseClientMessage, type ClientMessage } from './client-message.ts';

const ENDPOINT = 'collaboration';

const invalid = (field: string, message: string): ApiError => new ApiError(400, 'bad_request', `${field}: ${message}`, field);

function text(msg: ClientMessage, field: string, opts: { required: boolean; max: number; nullable?: boolean }): string | null | undefined {
  const v = msg[field];
  if (v === undefined) {
    if (opts.required) throw invalid(field, 'is required');
    return undefined;
  }
  if (v === null && opts.nullable === true) return null;
  if (typeof v !== 'string' || v.length === 0 || v.length > opts.max) throw invalid(field, `must be a string of 1 to ${opts.max} characters`);
  return v;
}

function coordinate(msg: ClientMessage, field: string): number {
  const v = msg[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw invalid(field, 'must be a finite number');
  return v;
}

/**
 * /ws/runs/:runId/collaboration (seed 000): join a run's room, heartbeat
 * presence, move cursors, and graft / prune / flag steps of the stored run.
 * Changes are broadcast to the room; every message carrying an `id` gets
 * exactly one `ack` with that id (ok, or the error), so clients can time
 * round trips.
 */
export async function registerCollaborationSocket(app: FastifyInstance, s: TargetServices): Promise<void> {
  let anonymous = 0;
  const hub = s.collaboration;

  app.get<{ Params: { runId: string }; Querystring: { user?: string } }>(
    '/ws/runs/:runId/collaboration',
    {
      websocket: true,
      schema: {
        params: { type: 'object', required: ['runId'], properties: { runId: { type: 'string', minLength: 1, maxLength: 200 } } },
        querystring: { type: 'object', properties: { user: { type: 'string', minLength: 1, maxLength: 64 } } },
      },
      preHandler: async (req, reply) => {
        if ((await s.store.runs.get(req.params.runId)) === null) return sendError(reply, 404, 'not_found', `run "${req.params.runId}" not found`);
      },
    },
    (socket: WebSocket, req) => {
      const runId = req.params.runId;
      const member: Member = {
        connectionId: newId(),
        user: req.query.user ?? `user-${++anonymous}`,
        socket,
        joinedAt: Date.now(),
        lastSeen: Date.now(),
        status: 'active',
        alive: true,
        cursor: null,
      };
      s.metrics.wsConnections.inc({ endpoint: ENDPOINT });
      hub.join(runId, member);
      const send = (data: Record<string, unknown>): void => {
        if (socket.readyState !== socket.OPEN) return;
        socket.send(JSON.stringify(data));
        s.metrics.wsMessages.inc({ endpoint: ENDPOINT, direction: 'out' });
      };
      send({ type: 'welcome', runId, connectionId: member.connectionId, user: member.user, members: hub.members(runId) });
      hub.broadcastPresence(runId, 'join', member);

      socket.on('pong', () => {
        member.alive = true;
      });
      socket.on('message', (data: RawData, isBinary: boolean) => {
        s.metrics.wsMessages.inc({ endpoint: ENDPOINT, direction: 'in' });
        member.alive = true;
        member.lastSeen = Date.now();
        const msg = parseClientMessage(data, isBinary);
        if (msg === undefined) {
          send({ type: 'error', error: 'bad_request', message: 'each message must be a JSON object with a "type"', field: 'message' });
          return;
        }
        const id = messageId(msg);
        if (member.status === 'away') {
          member.status = 'active';
          hub.broadcastPresence(runId, 'update', member);
        }
        void handle(msg).then(
          (result) => {
            if (id !== undefined) send({ type: 'ack', id, ok: true, op: msg.type, ...(result === undefined ? {} : { result }) });
          },
          (e: unknown) => {
            const err = e instanceof ApiError ? e : new ApiError(500, 'internal_error', 'internal error');
            const error = { code: err.code, message: err.message, ...(err.field === null ? {} : { field: err.field }) };
            send(id === undefined ? { type: 'error', op: msg.type, ...error, error: err.code } : { type: 'ack', id, ok: false, op: msg.type, error });
          },
        );
      });
      socket.on('close', () => {
        hub.leave(runId, member.connectionId);
        s.metrics.wsConnections.dec({ endpoint: ENDPOINT });
        hub.broadcastPresence(runId, 'leave', member);
      });

      async function handle(msg: ClientMessage): Promise<unknown> {
        switch (msg.type) {
          case 'join': {
            const user = text(msg, 'user', { required: false, max: 64 });
            if (typeof user === 'string') member.user = user;
            hub.broadcastPresence(runId, 'update', member);
            return { connectionId: member.connectionId, user: member.user, members: hub.members(runId) };
          }
          case 'heartbeat':
          case 'presence':
          case 'ping': {
            const status = msg.status;
            if (status !== undefined && status !== 'active' && status !== 'away') throw invalid('status', 'must be "active" or "away"');
            if (status !== undefined && status !== member.status) {
              member.status = status;
              hub.broadcastPresence(runId, 'update', member);
            }
            return { members: hub.members(runId).length, status: member.status };
          }
          case 'cursor': {
            const x = coordinate(msg, 'x');
            const y = coordinate(msg, 'y');
            const stepId = text(msg, 'stepId', { required: false, max: 200, nullable: true }) ?? null;
            member.cursor = { x, y, stepId };
            hub.broadcast(runId, { type: 'cursor', user: member.user, connectionId: member.connectionId, x, y, stepId }, member.connectionId);
            return undefined;
          }
          case 'graft': {
            const name = text(msg, 'name', { required: true, max: 200 }) as string;
            const parentId = text(msg, 'parentId', { required: false, max: 200, nullable: true }) ?? null;
            const agent = text(msg, 'agent', { required: false, max: 200 }) ?? null;
            const step = await graftStep(s, runId, { name, parentId, agent, input: msg.input, createdBy: member.user });
            hub.broadcast(runId, { type: 'graft', user: member.user, connectionId: member.connectionId, step });
            return step;
          }
          case 'prune': {
            const stepId = text(msg, 'stepId', { required: true, max: 200 }) as string;
            const removed = await pruneStep(s, runId, stepId);
            hub.broadcast(runId, { type: 'prune', user: member.user, connectionId: member.connectionId, stepId, removed });
            return { removed };
          }
          case 'flag': {
            const stepId = text(msg, 'stepId', { required: true, max: 200 }) as string;
            const reason = text(msg, 'reason', { required: false, max: 1000, nullable: true });
            const step = await flagStep(s, runId, stepId, reason === undefined ? 'flagged' : reason);
            hub.broadcast(runId, { type: 'flag', user: member.user, connectionId: member.connectionId, step });
            return step;
          }
          case 'sync': {
            const { view } = await readRun(s, runId);
            if (view === null) throw notFound('run', runId);
            return { run: view, members: hub.members(runId) };
          }
          case 'leave':
            socket.close(1000, 'left');
            return viewOf(member);
          default:
            throw invalid('type', `unknown message type ${JSON.stringify(msg.type)} (known: join, heartbeat, cursor, graft, prune, flag, sync, leave)`);
        }
      }
    },
  );
}
