import type { FastifyInstance } from 'fastify';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Real bodies stay
 * far below it; without a bound, a body nested a few thousand levels deep
 * overflows the stack of whatever walks it later (validation, the store) and
 * answers 500 instead of 400.
 */
export const MAX_JSON_DEPTH = 256;

/** An error Fastify's own handlers know: route-level handlers (OpenAI, JSON-RPC shapes) map it by code. */
class BodyError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'BodyError';
  }
}

/** The deepest nesting of `[`/`{` in JSON text, outside strings; stops counting once past `limit`. */
export function jsonDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return max;
}

/**
 * Bodies are JSON, and only JSON: the JSON parser refuses bodies nested deeper
 * than MAX_JSON_DEPTH (400, before anything recurses into them), and any other
 * content type (text/plain included, which Fastify parses by default) gets 415
 * unless the body is empty — on every route, whatever its error shape (the
 * route handlers map these codes).
 */
export function installJsonBodies(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser(app.initialConfig.onProtoPoisoning ?? 'error', app.initialConfig.onConstructorPoisoning ?? 'error');
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    // fewer characters than the limit cannot nest deeper than it
    if (text.length > MAX_JSON_DEPTH && jsonDepth(text, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      done(new BodyError(400, 'FST_ERR_CTP_INVALID_JSON_BODY', `JSON nested deeper than ${MAX_JSON_DEPTH} levels`), undefined);
      return;
    }
    parse(request, text, done);
  });
  // any other type: no body is no body (routes whose body is optional still work), any body is refused unread
  app.addContentTypeParser('*', (request, _payload, done) => {
    if (request.headers['content-length'] === '0') done(null, undefined);
    else done(new BodyError(415, 'FST_ERR_CTP_INVALID_MEDIA_TYPE', unsupportedMediaType(request.headers['content-type'])), undefined);
  });
}

/** The 415 message: names the content type that was sent. */
export function unsupportedMediaType(contentType: string | undefined): string {
  const type = contentType === undefined || contentType === '' ? 'none' : `"${contentType.split(';', 1)[0]?.trim() ?? ''}"`;
  return `unsupported content-type ${type}: send the body as JSON with content-type: application/json`;
}
