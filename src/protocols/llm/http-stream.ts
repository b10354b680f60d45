import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { builtin } from '../../metrics/builtin.ts';
import { errorCodeOf } from '../http/error-codes.ts';
import type { Abortable, VuScope } from '../vu-scope.ts';

/** One HTTP request whose response body is consumed as it arrives (SSE streams, JSON bodies). */
export interface StreamRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string | null;
  /** No response headers within it, or a body that stalls longer than it, fails the request (undici's timeouts). */
  readonly timeoutMs: number;
  /** Also a deadline for the whole exchange, from its start (a JSON body, not a stream): see `timeoutMs`. */
  readonly wholeTimeout?: boolean;
  /** Largest body read (bytes); past it, or announced past it, the request fails with RESPONSE_TOO_LARGE. 0 or absent: no limit. */
  readonly maxBytes?: number;
}

/** An error with a stable `code` (an error_code tag). */
export function codedError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Callbacks of a streamed response; `at` is `performance.now()` when the bytes arrived. */
export interface StreamSink {
  onStart?(status: number, headers: IncomingHttpHeaders, at: number): void;
  onData(chunk: Buffer, at: number): void;
}

export interface StreamOutcome {
  /** `performance.now()` right before the request was dispatched. */
  readonly t0: number;
  /** When the status line and headers arrived (0 if they never did). */
  readonly tHeaders: number;
  /** When the response ended or failed. */
  readonly tEnd: number;
  readonly status: number;
  /** Transport failure (connection refused, reset, timeout, interrupt, `cancel()`); null when the body was read to its end. */
  readonly error: Error | null;
}

/** A handle to stop reading a response early (the connection is closed, the outcome carries `reason`). */
export interface StreamControl {
  cancel(reason: Error): void;
}

class StreamExchange implements Abortable, StreamControl {
  t0 = 0;
  tHeaders = 0;
  status = 0;
  received = 0;
  /** Largest body accepted; Infinity: no limit. */
  max = Infinity;
  #controller: Dispatcher.DispatchController | null = null;
  #pending: Error | null = null;
  #done = false;
  resolve!: (err: Error | null) => void;

  constructor(readonly sink: StreamSink) {}

  abort(reason?: Error): void {
    this.cancel(reason ?? new Error('aborted'));
  }

  cancel(reason: Error): void {
    if (this.#done) return;
    if (this.#controller !== null) this.#controller.abort(reason);
    else this.#pending = reason;
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    if (this.#pending !== null) controller.abort(this.#pending);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    const at = performance.now();
    this.tHeaders = at;
    this.status = statusCode;
    const announced = Number(headers['content-length'] ?? -1);
    if (announced > this.max) {
      this.cancel(codedError(`the response announces ${announced} bytes (content-length), more than maxResponseBytes (${this.max})`, 'RESPONSE_TOO_LARGE'));
      return;
    }
    this.sink.onStart?.(statusCode, headers, at);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.received += chunk.length;
    if (this.received > this.max) {
      this.cancel(codedError(`the response exceeded maxResponseBytes (${this.max} bytes)`, 'RESPONSE_TOO_LARGE'));
      return;
    }
    this.sink.onData(chunk, performance.now());
  }

  onResponseEnd(): void {
    this.#done = true;
    this.resolve(null);
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.#done = true;
    this.resolve(err);
  }
}

/** Failures that happen before a byte of the request could be written. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'INTERRUPTED']);

function headerBytes(h: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const k in h) n += k.length + (h[k] as string).length + 4;
  return n;
}

/**
 * Send a request on the VU's undici dispatcher and hand each body chunk to
 * `sink` with its arrival time, as it arrives: no buffering, so stream
 * timings (time to first token, gaps between events) are the network's.
 * The VU's interrupt aborts it; `data_sent`/`data_received` are recorded.
 * `control` (optional) receives a handle to stop reading early.
 */
export async function streamRequest(
  scope: VuScope,
  dispatcher: Dispatcher,
  req: StreamRequest,
  sink: StreamSink,
  control?: (c: StreamControl) => void,
): Promise<StreamOutcome> {
  const x = new StreamExchange(sink);
  control?.(x);
  let url: URL;
  try {
    url = new URL(req.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol "${url.protocol}"`);
  } catch (e) {
    const now = performance.now();
    const err = Object.assign(new Error(`invalid URL "${req.url}": ${(e as Error).message}`), { code: 'INVALID_URL' });
    return { t0: now, tHeaders: 0, tEnd: now, status: 0, error: err };
  }
  const path = `${url.pathname}${url.search}`;
  if (req.maxBytes !== undefined && req.maxBytes > 0) x.max = req.maxBytes;
  scope.track(x);
  x.t0 = performance.now();
  // a JSON body must be whole within the timeout (a body trickling forever would never end otherwise)
  const whole =
    req.wholeTimeout === true
      ? setTimeout(() => {
          x.cancel(
            x.tHeaders === 0
              ? codedError('no response headers within the request timeout', 'UND_ERR_HEADERS_TIMEOUT')
              : codedError('the response body was still arriving when the request timeout ran out', 'UND_ERR_BODY_TIMEOUT'),
          );
        }, req.timeoutMs)
      : null;
  const error = await new Promise<Error | null>((resolve) => {
    x.resolve = resolve;
    try {
      dispatcher.dispatch(
        {
          origin: url.origin,
          path,
          method: req.method,
          headers: req.headers as IncomingHttpHeaders,
          body: req.body,
          headersTimeout: req.timeoutMs,
          bodyTimeout: req.timeoutMs,
        },
        x,
      );
    } catch (e) {
      resolve(e as Error);
    }
  });
  const tEnd = performance.now();
  if (whole !== null) clearTimeout(whole);
  scope.untrack(x);
  const sent = req.method.length + path.length + url.origin.length + 60 + headerBytes(req.headers) + (req.body === null ? 0 : Buffer.byteLength(req.body));
  const neverSent = error !== null && x.tHeaders === 0 && NOT_CONNECTED.has(errorCodeOf(error));
  scope.store.add(builtin.data_sent, scope.tags, neverSent ? 0 : sent);
  scope.store.add(builtin.data_received, scope.tags, x.received);
  return { t0: x.t0, tHeaders: x.tHeaders, tEnd, status: x.status, error };
}
