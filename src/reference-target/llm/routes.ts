// OpenAI-compatible HTTP routes of the mock LLM:
//   POST /v1/chat/completions   (JSON, or SSE with stream: true)
//   GET  /v1/models, GET /v1/models/:model
// Errors use OpenAI's shape: { error: { message, type, param, code } }.
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MockLlmError } from './mock-llm.ts';
import type { LlmEvent, MockLlm } from './mock-llm.ts';
import { ChunkWriter, chatCompletion, completionId, errorType, openAiError } from './openai-format.ts';
import { InvalidRequestField, parseChatCompletionsRequest } from './openai-request.ts';

export async function registerMockLlmRoutes(app: FastifyInstance, llm: MockLlm): Promise<void> {
  const modelsCreated = Math.floor(Date.now() / 1000);
  const modelObject = (id: string): { id: string; object: 'model'; created: number; owned_by: string } =>
    ({ id, object: 'model', created: modelsCreated, owned_by: 'agentload' });

  app.get('/v1/models', async () => ({ object: 'list', data: llm.options.models.map(modelObject) }));

  app.get<{ Params: { model: string } }>('/v1/models/:model', async (request, reply) => {
    const { model } = request.params;
    if (!llm.options.models.includes(model)) {
      return reply.code(404).send(openAiError(`The model '${model}' does not exist.`, 'invalid_request_error', 'model', 'model_not_found'));
    }
    return modelObject(model);
  });

  app.post('/v1/chat/completions', { errorHandler: onRouteError }, async (request, reply) => {
    if (!isJsonContentType(request.headers['content-type'])) return reply.code(415).send(UNSUPPORTED_MEDIA_TYPE);
    let parsed;
    try {
      parsed = parseChatCompletionsRequest(request.body);
    } catch (error) {
      if (!(error instanceof InvalidRequestField)) throw error;
      return reply.code(400).send(openAiError(error.message, 'invalid_request_error', error.param, 'invalid_value'));
    }
    const controller = new AbortController();
    const res = reply.raw;
    const onClose = (): void => {
      if (!res.writableFinished) controller.abort(); // the client went away: stop generating, free the slot
    };
    res.on('close', onClose);
    const id = completionId();
    const created = Math.floor(Date.now() / 1000);
    const model = parsed.llm.model ?? llm.defaultModel;

    if (!parsed.stream) {
      try {
        const r = await llm.complete(parsed.llm, controller.signal);
        return reply.send(chatCompletion(id, created, model, r.text, r.finishReason, r.inputTokens, r.outputTokens));
      } catch (error) {
        return sendFailure(reply, error, controller.signal);
      }
    }

    const iterator = llm.stream(parsed.llm, controller.signal)[Symbol.asyncIterator]();
    let step: IteratorResult<LlmEvent>;
    try {
      step = await iterator.next(); // errors (injected, unknown model) come before the first token
    } catch (error) {
      return sendFailure(reply, error, controller.signal);
    }
    reply.hijack();
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': id });
    const chunks = new ChunkWriter(id, created, model, parsed.includeUsage);
    let pending = chunks.role(); // the role chunk goes out with the first token, as OpenAI's does
    try {
      for (; !step.done; step = await iterator.next()) {
        const event = step.value;
        if (event.type === 'token') {
          if (!res.write(pending + chunks.content(event.text))) await once(res, 'drain', { signal: controller.signal });
          pending = '';
        } else {
          pending += chunks.finish(event.finishReason);
          if (parsed.includeUsage) pending += chunks.usage(event.inputTokens, event.outputTokens);
          res.end(pending + ChunkWriter.DONE);
        }
      }
    } catch (error) {
      endBrokenStream(res, error, controller.signal);
    } finally {
      res.off('close', onClose);
      await iterator.return?.(); // frees the slot if generation stopped early
    }
    return reply;
  });
}

const UNSUPPORTED_MEDIA_TYPE = openAiError("The 'content-type' header must be application/json.", 'invalid_request_error', 'content-type', 'unsupported_media_type');

function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
}

/** Sends an error raised before any byte of the answer went out. */
function sendFailure(reply: FastifyReply, error: unknown, signal: AbortSignal): FastifyReply {
  if (signal.aborted) {
    reply.hijack(); // the client is gone: there is nobody to answer
    if (!reply.raw.destroyed) reply.raw.destroy();
    return reply;
  }
  if (error instanceof MockLlmError) {
    if (error.status === 429) reply.header('retry-after', '1');
    return reply.code(error.status).send(openAiError(error.message, errorType(error.status), error.param, error.code));
  }
  throw error;
}

function endBrokenStream(res: ServerResponse, error: unknown, signal: AbortSignal): void {
  if (signal.aborted || res.destroyed) {
    if (!res.destroyed) res.destroy();
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  res.end(ChunkWriter.error(openAiError(`The stream failed: ${message}`, 'server_error', null, 'server_error')));
}

/** Fastify's own errors for this route (bad JSON, oversized body, wrong media type) in OpenAI's shape. */
function onRouteError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const status = typeof error.statusCode === 'number' && error.statusCode >= 400 ? error.statusCode : 500;
  let message = error.message;
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    message = `We could not parse the JSON body of your request: ${error.message}`;
  } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    message = `The request body is larger than ${request.routeOptions.bodyLimit ?? 'the limit'} bytes.`;
  } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    message = "The 'content-type' header must be application/json.";
  } else if (status >= 500) {
    reply.log.error({ err: error }, 'mock LLM route failed');
    message = 'The server had an error while processing your request.';
  }
  const param = error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'content-type' : null;
  void reply.code(status).send(openAiError(message, errorType(status), param, error.code ?? null));
}
