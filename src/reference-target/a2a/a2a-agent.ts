// Mounts the reference A2A agent on the target's Fastify app. The protocol is
// the SDK's (@a2a-js/sdk express handlers: agent card, JSON-RPC with v0.3
// compatibility); Fastify routes hand the raw request and response to them.
//
//   GET  /.well-known/agent-card.json   the card (v1.0 with `A2A-Version: 1.0`, else v0.3 shape)
//   GET  /.well-known/agent.json        the same (older path)
//   POST /a2a/jsonrpc                   JSON-RPC 2.0: v1.0 methods (SendMessage, …) and v0.3 ones (message/send, …)
import type { IncomingMessage } from 'node:http';
import express from 'express';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AgentCard } from '@a2a-js/sdk';
import { DefaultRequestHandler, DefaultExecutionEventBusManager } from '@a2a-js/sdk/server';
import { UserBuilder, agentCardHandler, jsonRpcHandler } from '@a2a-js/sdk/server/express';
import { isV1JsonRpcMethod } from '@a2a-js/sdk/compat/v0_3';
import type { MockLlm } from '../llm/mock-llm.ts';
import { A2A_JSONRPC_PATH, buildAgentCard } from './agent-card.ts';
import { BoundedTaskStore } from './bounded-task-store.ts';
import { LlmAgentExecutor } from './llm-agent-executor.ts';

export interface A2aAgentOptions {
  llm: MockLlm;
  /** The target's base URL as clients reach it (e.g. http://127.0.0.1:8088); read on each card request. */
  publicUrl: () => string;
}

export const AGENT_CARD_PATHS = ['/.well-known/agent-card.json', '/.well-known/agent.json'] as const;

/** The SDK's request handler, serving a card whose URLs follow the target's public URL. */
class ReferenceAgentRequestHandler extends DefaultRequestHandler {
  private readonly publicUrl: () => string;
  private cached: { url: string; card: AgentCard } | undefined;

  constructor(publicUrl: () => string, executor: LlmAgentExecutor) {
    super(buildAgentCard(safeUrl(publicUrl)), new BoundedTaskStore(), executor, new DefaultExecutionEventBusManager());
    this.publicUrl = publicUrl;
  }

  override async getAgentCard(): Promise<AgentCard> {
    const url = safeUrl(this.publicUrl);
    if (this.cached?.url !== url) this.cached = { url, card: buildAgentCard(url) };
    return this.cached.card;
  }
}

export async function registerA2aAgent(app: FastifyInstance, options: A2aAgentOptions): Promise<void> {
  const handler = new ReferenceAgentRequestHandler(options.publicUrl, new LlmAgentExecutor(options.llm));
  const sdk = express();
  sdk.disable('x-powered-by');
  sdk.set('env', 'production'); // express's fallback error page must not show stack traces
  const card = agentCardHandler({ agentCardProvider: handler, legacyCompat: { enabled: true }, cache: { maxAge: 300 } });
  for (const path of AGENT_CARD_PATHS) sdk.use(path, card);
  sdk.use(A2A_JSONRPC_PATH, jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));

  const bridge = (request: FastifyRequest, reply: FastifyReply): void => {
    const raw = request.raw as IncomingMessage & { body?: unknown };
    if (request.body !== undefined) {
      raw.body = request.body; // already read by Fastify: the SDK's body parser sees a finished stream and keeps it
      const method: unknown = (request.body as { method?: unknown } | null)?.method;
      // The SDK treats a request without A2A-Version as v0.3; a v1.0 method name says otherwise.
      if (raw.headers['a2a-version'] === undefined && isV1JsonRpcMethod(method)) raw.headers['a2a-version'] = '1.0';
    }
    reply.hijack();
    sdk(raw, reply.raw);
  };

  for (const path of AGENT_CARD_PATHS) app.get(path, bridge);
  app.post(A2A_JSONRPC_PATH, { errorHandler: onJsonRpcBodyError }, bridge);
}

function safeUrl(publicUrl: () => string): string {
  try {
    return publicUrl();
  } catch {
    return 'http://127.0.0.1'; // not listening yet: the card is rebuilt once the URL is known
  }
}

/** Body errors Fastify finds before the SDK sees the request, answered as JSON-RPC errors like the SDK's own. */
function onJsonRpcBodyError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  let status = 200;
  let code = -32603;
  let message = 'Internal error.';
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    code = -32700;
    message = `Invalid JSON payload: ${error.message}`;
  } else if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    code = -32005;
    message = `Unsupported Content-Type "${request.headers['content-type'] ?? ''}"; expected application/json.`;
  } else if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    status = 413;
    code = -32600;
    message = `Request body larger than ${request.routeOptions.bodyLimit ?? 'the limit'} bytes.`;
  } else {
    status = 500;
    reply.log.error({ err: error }, 'A2A JSON-RPC route failed');
  }
  void reply.code(status).send({ jsonrpc: '2.0', id: null, error: { code, message } });
}
