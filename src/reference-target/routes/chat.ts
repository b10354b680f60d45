import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { LlmEvent, LlmRequest } from '../llm/mock-llm.ts';
import { longText, shortText } from '../http/schemas.ts';
import type { TargetServices } from '../services/context.ts';
import { newId } from '../store/rows.ts';

interface ChatBody {
  message: string;
  system?: string;
  context?: { session_id?: string };
  session_id?: string;
  stream?: boolean;
  model?: string;
  max_tokens?: number;
}

export const chatBodySchema = {
  type: 'object',
  required: ['message'],
  properties: {
    message: { type: 'string', minLength: 1, maxLength: 32_768 },
    system: longText(8192),
    context: { type: 'object', properties: { session_id: shortText() } },
    session_id: shortText(),
    stream: { type: 'boolean' },
    model: shortText(),
    max_tokens: { type: 'integer', minimum: 1, maximum: 4096 },
  },
} as const;

export function chatRequest(body: { message: string; system?: string; model?: string; max_tokens?: number }): LlmRequest {
  return {
    model: body.model,
    maxTokens: body.max_tokens,
    messages: [
      { role: 'system', content: body.system ?? 'You are the agentload reference assistant.' },
      { role: 'user', content: body.message },
    ],
  };
}

/** An AbortSignal that fires when the client goes away before the answer is complete. */
export function clientGone(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new Error('client closed the connection'));
  });
  return controller.signal;
}

const sse = (data: unknown): string => `data: ${JSON.stringify(data)}\n\n`;

/** POST /api/chat: an answer from the mock LLM, as JSON or (stream: true) as server-sent events. */
export async function registerChatRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  app.post<{ Body: ChatBody }>('/api/chat', { schema: { body: chatBodySchema } }, async (req, reply) => {
    const id = newId();
    const sessionId = req.body.session_id ?? req.body.context?.session_id ?? null;
    const signal = clientGone(reply);
    const request = chatRequest(req.body);
    s.counters.chatRequests++;
    if (req.body.stream !== true) {
      try {
        const r = await s.llm.complete(request, signal);
        return {
          id,
          session_id: sessionId,
          content: r.text,
          model: r.model,
          finish_reason: r.finishReason,
          usage: { input_tokens: r.inputTokens, output_tokens: r.outputTokens, total_tokens: r.inputTokens + r.outputTokens },
        };
      } catch (e) {
        s.counters.chatFailures++;
        throw e;
      }
    }
    s.counters.chatStreams++;
    const events = s.llm.stream(request, signal)[Symbol.asyncIterator]();
    let first: IteratorResult<LlmEvent>;
    try {
      // Errors the LLM reports before its first token become the HTTP status.
      first = await events.next();
    } catch (e) {
      s.counters.chatFailures++;
      throw e;
    }
    const model = request.model ?? s.llm.defaultModel;
    async function* body(): AsyncGenerator<string> {
      const parts: string[] = [];
      let index = 0;
      try {
        for (let r = first; r.done !== true; r = await events.next()) {
          const ev = r.value;
          if (ev.type === 'token') {
            parts.push(ev.text);
            yield sse({ type: 'token', id, index: index++, content: ev.text });
          } else {
            yield sse({
              type: 'final',
              id,
              session_id: sessionId,
              model,
              content: parts.join(''),
              finish_reason: ev.finishReason,
              usage: { input_tokens: ev.inputTokens, output_tokens: ev.outputTokens, total_tokens: ev.inputTokens + ev.outputTokens },
            });
          }
        }
        yield 'data: [DONE]\n\n';
      } catch (e) {
        s.counters.chatFailures++;
        if (!signal.aborted) yield sse({ type: 'error', id, error: (e as { code?: string }).code ?? 'server_error', message: (e as Error).message });
      } finally {
        await events.return?.();
      }
    }
    return reply
      .header('content-type', 'text/event-stream; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('x-accel-buffering', 'no')
      .send(Readable.from(body(), { objectMode: false }));
  });
}
