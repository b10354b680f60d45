import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { MockLlmError } from '../llm/mock-llm.ts';
import { unsupportedMediaType } from './json-body.ts';

/** An error answered as JSON: `{ error: code, message, field }` with an HTTP status. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export const notFound = (what: string, id: string): ApiError => new ApiError(404, 'not_found', `${what} "${id}" not found`);
export const badRequest = (field: string, message: string): ApiError => new ApiError(400, 'bad_request', `${field}: ${message}`, field);
export const conflict = (message: string, field: string | null = null): ApiError => new ApiError(409, 'conflict', message, field);

/** The JSON body of an error answer. */
export interface ErrorBody {
  error: string;
  message: string;
  field?: string;
}

export function errorBody(code: string, message: string, field: string | null = null): ErrorBody {
  return field === null ? { error: code, message } : { error: code, message, field };
}

interface ValidationIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** '/nodes/0/id' → 'nodes[0].id'. */
function jsonPointerToField(pointer: string): string {
  let out = '';
  for (const part of pointer.split('/').slice(1)) {
    const p = part.replace(/~1/g, '/').replace(/~0/g, '~');
    out += /^\d+$/.test(p) ? `[${p}]` : out === '' ? p : `.${p}`;
  }
  return out;
}

/** The field a schema validation error is about, the way a user writes it. */
export function fieldOfValidation(issue: ValidationIssue, context: string | undefined): string {
  let field = jsonPointerToField(issue.instancePath ?? '');
  const extra = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof extra === 'string') field = field === '' ? extra : `${field}.${extra}`;
  if (field === '') field = context === 'querystring' ? 'query' : (context ?? 'body');
  return field;
}

const STATUS_CODES: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
};

export function sendError(reply: FastifyReply, status: number, code: string, message: string, field: string | null = null): FastifyReply {
  if (status === 429) void reply.header('retry-after', '1');
  return reply.code(status).type('application/json; charset=utf-8').send(errorBody(code, message, field));
}

/** Every failure answered as JSON naming the field at fault; unknown routes as 404. */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) return sendError(reply, error.status, error.code, error.message, error.field);
    if (error instanceof MockLlmError) return sendError(reply, error.status, error.code, error.message, error.param);
    if (error.validation !== undefined && error.validation.length > 0) {
      const issue = error.validation[0] as ValidationIssue;
      const field = fieldOfValidation(issue, error.validationContext);
      const what = issue.keyword === 'required' || issue.keyword === 'additionalProperties' ? (issue.keyword === 'required' ? 'is required' : 'is not allowed') : (issue.message ?? 'is invalid');
      return sendError(reply, 400, 'bad_request', `${field} ${what}`, field);
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const field = status === 400 || status === 413 || status === 415 ? 'body' : null;
      const message =
        error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? `request body is larger than the limit of ${bodyLimit} bytes`
          : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? unsupportedMediaType(request.headers['content-type'])
            : error.message;
      return sendError(reply, status, STATUS_CODES[status] ?? 'bad_request', message, field);
    }
    return sendError(reply, 500, 'internal_error', 'internal error');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `no route ${request.method} ${request.url.split('?')[0] as string}`));
}
