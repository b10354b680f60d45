import type {} from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import type { TargetServices } from '../services/context.ts';
import { describeError } from '../services/background.ts';
import { chatRequest } from '../routes/chat.ts';
import { BoundedSender } from './bounded-sender.ts';
import { messageId, parseClientMessage } from './client-message.ts';

const ENDPOINT = 'chat';

/**
 * /ws/chat (seed 004): `{type: "message", id, content}` streams the answer
 * as `token` messages and ends with a `final` one holding the whole content;
 * `{type: "ping"}` gets a `pong`. Everything sent goes through a bounded
 * per-connection queue (see BoundedSender): a slow client loses tokens, never
 * finals, and every message reports `backpressure: { drops, queue_size }`.
 */
export async function registerChatSocket(app: FastifyInstance, s: TargetServices): Promise<void> {
  app.get('/ws/chat', { websocket: true }, (socket: WebSocket) => {
    s.metrics.wsConnections.inc({ endpoint: ENDPOINT });
    const inflight = new Map<string | number, AbortController>();
    let auto = 0;
    const sender = new BoundedSender(socket, s.options.chatSendQueue, s.options.chatHighWaterBytes, {
      onDrop: () => s.metrics.wsDrops.inc({ endpoint: ENDPOINT }),
      onSend: () => s.metrics.wsMessages.inc({ endpoint: ENDPOINT, direction: 'out' }),
    });
    const fail = (id: string | number | undefined, error: string, message: string, field?: string): void =>
      sender.send({ type: 'error', ...(id === undefined ? {} : { id }), error, message, ...(field === undefined ? {} : { field }) }, { key: id, last: id !== undefined });

    socket.on('message', (data: RawData, isBinary: boolean) => {
      s.metrics.wsMessages.inc({ endpoint: ENDPOINT, direction: 'in' });
      const msg = parseClientMessage(data, isBinary);
      if (msg === undefined) {
        fail(undefined, 'bad_request', 'each message must be a JSON object with a "type"', 'message');
        return;
      }
      const id = messageId(msg);
      switch (msg.type) {
        case 'ping':
        case 'heartbeat':
          sender.send({ type: 'pong', ...(id === undefined ? {} : { id }), ts: Date.now() });
          return;
        case 'message':
        case 'chat': {
          const content = msg.content ?? msg.message;
          if (typeof content !== 'string' || content.length === 0 || content.length > 32_768) {
            fail(id, 'bad_request', 'content: must be a string of 1 to 32768 characters', 'content');
            return;
          }
          const maxTokens = msg.max_tokens;
          if (maxTokens !== undefined && !(typeof maxTokens === 'number' && Number.isInteger(maxTokens) && maxTokens >= 1 && maxTokens <= 4096)) {
            fail(id, 'bad_request', 'max_tokens: must be an integer from 1 to 4096', 'max_tokens');
            return;
          }
          const model = msg.model;
          if (model !== undefined && typeof model !== 'string') {
            fail(id, 'bad_request', 'model: must be a string', 'model');
            return;
          }
          const key = id ?? `m${++auto}`;
          if (inflight.has(key)) {
            fail(id, 'conflict', `id: an answer for ${JSON.stringify(key)} is already streaming`, 'id');
            return;
          }
          if (inflight.size >= s.options.chatMaxInflight) {
            fail(id, 'too_many_requests', `at most ${s.options.chatMaxInflight} answers may stream at once on a connection`);
            return;
          }
          const controller = new AbortController();
          inflight.set(key, controller);
          s.counters.wsChatMessages++;
          void answer(key, content, maxTokens as number | undefined, model as string | undefined, controller.signal).finally(() => inflight.delete(key));
          return;
        }
        default:
          fail(id, 'bad_request', `type: unknown message type ${JSON.stringify(msg.type)} (known: message, ping)`, 'type');
      }
    });

    async function answer(id: string | number, content: string, maxTokens: number | undefined, model: string | undefined, signal: AbortSignal): Promise<void> {
      const parts: string[] = [];
      let index = 0;
      try {
        for await (const ev of s.llm.stream(chatRequest({ message: content, max_tokens: maxTokens, model }), signal)) {
          if (ev.type === 'token') {
            parts.push(ev.text);
            sender.send({ type: 'token', id, index: index++, content: ev.text }, { droppable: true, key: id });
          } else {
            sender.send(
              {
                type: 'final',
                id,
                content: parts.join(''),
                finish_reason: ev.finishReason,
                usage: { input_tokens: ev.inputTokens, output_tokens: ev.outputTokens, total_tokens: ev.inputTokens + ev.outputTokens },
              },
              { key: id, last: true },
            );
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        const status = (e as { status?: unknown }).status;
        sender.send(
          { type: 'error', id, error: (e as { code?: string }).code ?? 'server_error', status: typeof status === 'number' ? status : 500, message: describeError(e) },
          { key: id, last: true },
        );
      }
    }

    socket.on('close', () => {
      s.metrics.wsConnections.dec({ endpoint: ENDPOINT });
      for (const c of inflight.values()) c.abort(new Error('client disconnected'));
      sender.close();
    });
  });
}
