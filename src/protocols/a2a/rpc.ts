import { StringDecoder } from 'node:string_decoder';
import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { createParser } from 'eventsource-parser';
import { errorCodeOf } from '../http/error-codes.ts';
import { streamRequest, type StreamControl } from '../llm/http-stream.ts';
import type { VuScope } from '../vu-scope.ts';
import { rpcErrorCode } from './wire.ts';

export interface RpcOutcome {
  readonly ok: boolean;
  readonly status: number;
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly result: unknown;
  /** `performance.now()` at dispatch, at the end. */
  readonly t0: number;
  readonly tEnd: number;
}

export interface RpcTarget {
  readonly scope: VuScope;
  readonly dispatcher: Dispatcher;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** Largest response read (bytes, a stream included); past it the call fails with RESPONSE_TOO_LARGE. 0: no limit. */
  readonly maxBytes: number;
}

let nextId = 1;

function errorOf(status: number, body: string): { code: string; message: string } {
  return { code: `HTTP_${status}`, message: `HTTP ${status}${body === '' ? '' : `: ${body.slice(0, 300)}`}` };
}

/** Turn a parsed JSON-RPC response into a result or an error. */
function settle(obj: unknown): { ok: true; result: unknown } | { ok: false; code: string; message: string } {
  if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) return { ok: false, code: 'INVALID_RESPONSE', message: 'the response is not a JSON-RPC object' };
  const o = obj as { result?: unknown; error?: unknown };
  if (o.error !== undefined && o.error !== null) {
    const e = o.error as { code?: unknown; message?: unknown };
    return { ok: false, code: rpcErrorCode(e.code), message: `JSON-RPC error ${String(e.code)}: ${String(e.message ?? '')}`.slice(0, 500) };
  }
  if (!('result' in o)) return { ok: false, code: 'INVALID_RESPONSE', message: 'the JSON-RPC response has neither result nor error' };
  return { ok: true, result: o.result };
}

/** GET a JSON document (the agent card). */
export async function getJson(t: RpcTarget): Promise<RpcOutcome> {
  return exchange(t, 'GET', null, 'application/json');
}

/** One JSON-RPC call answered by one JSON body. */
export async function rpcCall(t: RpcTarget, method: string, params: unknown): Promise<RpcOutcome> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params });
  const r = await exchange(t, 'POST', body, 'application/json');
  if (!r.ok) return r;
  const s = settle(r.result);
  return s.ok ? { ...r, result: s.result } : { ...r, ok: false, errorCode: s.code, error: s.message, result: null };
}

/** A request answered by one JSON body: the timeout bounds all of it, maxBytes its size. */
async function exchange(t: RpcTarget, method: 'GET' | 'POST', body: string | null, accept: string): Promise<RpcOutcome> {
  const chunks: Buffer[] = [];
  const headers: Record<string, string> = { accept, ...t.headers };
  if (body !== null) headers['content-type'] = 'application/json';
  const req = { url: t.url, method, headers, body, timeoutMs: t.timeoutMs, wholeTimeout: true, maxBytes: t.maxBytes };
  const res = await streamRequest(t.scope, t.dispatcher, req, {
    onData(chunk: Buffer) {
      chunks.push(chunk);
    },
  });
  const base = { status: res.status, t0: res.t0, tEnd: res.tEnd, result: null };
  if (res.error !== null) return { ...base, ok: false, errorCode: errorCodeOf(res.error), error: res.error.message };
  const text = Buffer.concat(chunks).toString('utf8');
  if (res.status < 200 || res.status >= 300) {
    // a JSON-RPC error can come with a 4xx/5xx status: prefer its code
    try {
      const s = settle(JSON.parse(text));
      if (!s.ok && s.code !== 'INVALID_RESPONSE') return { ...base, ok: false, errorCode: s.code, error: `HTTP ${res.status}, ${s.message}` };
    } catch {
      // not JSON
    }
    const e = errorOf(res.status, text);
    return { ...base, ok: false, errorCode: e.code, error: e.message };
  }
  try {
    return { ...base, ok: true, errorCode: null, error: null, result: JSON.parse(text) as unknown };
  } catch {
    return { ...base, ok: false, errorCode: 'INVALID_RESPONSE', error: `the response is not JSON: ${text.slice(0, 200)}` };
  }
}

export interface RpcStreamOutcome extends RpcOutcome {
  /** Events received (results only; errors end the stream). */
  readonly events: number;
  /** The stream ended (or was stopped) after `stop()` said it is over. */
  readonly finished: boolean;
}

/** Returned by `onResult`: true when the stream is over (terminal state); the connection is then released. */
export type ResultHandler = (result: unknown, at: number) => boolean;

/**
 * A JSON-RPC call answered by an SSE stream of JSON-RPC responses (A2A
 * `message/stream`, `SendStreamingMessage`, resubscribe). Each `result` goes
 * to `onResult` with its arrival time. A server that answers with a single
 * JSON body (an error before the stream starts) is understood too. After
 * `onResult` says the task is over, the stream gets `graceMs` to end by
 * itself, then it is closed.
 */
export async function rpcStream(t: RpcTarget, method: string, params: unknown, onResult: ResultHandler, graceMs = 2000): Promise<RpcStreamOutcome> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params });
  const decoder = new StringDecoder('utf8');
  let sse = false;
  const raw: Buffer[] = [];
  let events = 0;
  let finished = false;
  let failure: { code: string; message: string } | null = null;
  let control: StreamControl | null = null;
  let grace: NodeJS.Timeout | null = null;
  let at = 0;
  const finish = (): void => {
    finished = true;
    grace ??= setTimeout(() => control?.cancel(Object.assign(new Error('stream over'), { code: 'STREAM_OVER' })), graceMs);
  };
  const parser = createParser({
    onEvent(e) {
      if (finished || failure !== null) return;
      let obj: unknown;
      try {
        obj = JSON.parse(e.data);
      } catch {
        failure = { code: 'INVALID_CHUNK', message: `an event of the stream is not JSON: ${e.data.slice(0, 200)}` };
        return;
      }
      const s = settle(obj);
      if (!s.ok) {
        failure = { code: s.code, message: s.message };
        return;
      }
      events++;
      if (onResult(s.result, at)) finish();
    },
  });
  const headers: Record<string, string> = { accept: 'text/event-stream', 'content-type': 'application/json', ...t.headers };
  const res = await streamRequest(
    t.scope,
    t.dispatcher,
    { url: t.url, method: 'POST', headers, body, timeoutMs: t.timeoutMs, maxBytes: t.maxBytes },
    {
      onStart(status: number, h: IncomingHttpHeaders) {
        sse = status >= 200 && status < 300 && String(h['content-type'] ?? '').includes('text/event-stream');
      },
      onData(chunk: Buffer, now: number) {
        at = now;
        if (sse) parser.feed(decoder.write(chunk));
        else raw.push(chunk);
      },
    },
    (c) => (control = c),
  );
  if (grace !== null) clearTimeout(grace);
  const base = { status: res.status, t0: res.t0, tEnd: res.tEnd, result: null, events, finished };
  const stoppedByUs = res.error !== null && (res.error as { code?: unknown }).code === 'STREAM_OVER';
  if (res.error !== null && !stoppedByUs && !finished) return { ...base, ok: false, errorCode: errorCodeOf(res.error), error: res.error.message };
  if (sse) {
    if (res.error === null) parser.feed(`${decoder.end()}\n\n`);
    const f = failure as { code: string; message: string } | null;
    if (f !== null) return { ...base, events, ok: false, errorCode: f.code, error: f.message };
    return { ...base, events, ok: true, errorCode: null, error: null };
  }
  const text = Buffer.concat(raw).toString('utf8');
  let obj: unknown;
  try {
    obj = JSON.parse(text);
  } catch {
    const e = res.status >= 200 && res.status < 300 ? { code: 'INVALID_RESPONSE', message: `neither an event stream nor JSON: ${text.slice(0, 200)}` } : errorOf(res.status, text);
    return { ...base, ok: false, errorCode: e.code, error: e.message };
  }
  const s = settle(obj);
  if (!s.ok) return { ...base, ok: false, errorCode: s.code, error: s.message };
  if (res.status < 200 || res.status >= 300) {
    const e = errorOf(res.status, text);
    return { ...base, ok: false, errorCode: e.code, error: e.message };
  }
  const over = onResult(s.result, res.tEnd);
  return { ...base, events: 1, finished: over, ok: true, errorCode: null, error: null };
}
