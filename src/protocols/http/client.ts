import { performance } from 'node:perf_hooks';
import type { IncomingHttpHeaders } from 'node:http';
import { createRequire } from 'node:module';
import type * as ToughCookie from 'tough-cookie';
import { builtin } from '../../metrics/builtin.ts';
import type { TagSet } from '../../metrics/tags.ts';
import { parseDuration, type DurationInput } from '../../util/duration.ts';
import type { Abortable, VuScope } from '../vu-scope.ts';
import type { HttpAgent } from './agent.ts';
import { errorCodeOf, type ErrorCode } from './error-codes.ts';
import { HAS_LOCATION, HAS_SET_COOKIE } from './h1-parser.ts';
import { bodyTimeout, H1Error, type Expiring, type H1Request } from './h1-pool.ts';
import { eachHeader, HttpResponse, rawHeaderBytes, type HttpTimings, type RawHeaders } from './response.ts';
import { urlTags } from './url-tags.ts';
import { withoutCredentials } from '../../util/url-credentials.ts';
import { templateOfUrl, urlTemplate } from '../../util/url-template.ts';

export type StatusSpec = number | { min: number; max: number };

/** Per-request parameters (k6's `params`). */
export interface HttpParams {
  headers?: Readonly<Record<string, string>>;
  /** Extra tags for this request's metrics. */
  tags?: Readonly<Record<string, string>>;
  /** The `name` tag: groups URLs with ids into one series (defaults to the URL's path template, docs/http.md#tags). */
  name?: string;
  /**
   * Request timeout (default: http.timeout, 60s): a deadline for the whole request from its start, as in k6.
   * Past it the request fails with UND_ERR_HEADERS_TIMEOUT (no headers yet) or UND_ERR_BODY_TIMEOUT (the body
   * was still arriving).
   */
  timeout?: DurationInput;
  /**
   * Largest response body kept, in bytes (default: http.maxResponseBytes, 10 MiB; 0 = no limit). A larger body,
   * or a Content-Length that announces one, fails the request with RESPONSE_TOO_LARGE. Discarded bodies
   * (`responseType: 'none'`) are not limited: they are counted, not kept.
   */
  maxResponseBytes?: number;
  /**
   * Redirects to follow for this request; the response after the last one is returned as it is (0 returns the
   * first 3xx). Without it the test-wide http.maxRedirects (default 10) applies, and a redirect past that limit
   * is a failed request with error_code TOO_MANY_REDIRECTS.
   */
  redirects?: number;
  /** 'text' (default) keeps the body, 'none' discards it. */
  responseType?: 'text' | 'none';
  /** Statuses that do not count as failed (default 200–399). */
  expectedStatuses?: readonly StatusSpec[];
  /** Query parameters appended to the URL. */
  query?: Readonly<Record<string, string | number | boolean>>;
  /** Extra cookies for this request. */
  cookies?: Readonly<Record<string, string>>;
}

/** A body: text, bytes, a URLSearchParams (form) or any other value (sent as JSON). */
export type HttpBody = string | Uint8Array | URLSearchParams | Record<string, unknown> | unknown[] | null | undefined;

export interface HttpBatchRequest {
  method: string;
  url: string;
  body?: HttpBody;
  params?: HttpParams;
}

/** Test-wide HTTP settings. */
export interface HttpDefaults {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRedirects: number;
  readonly discardResponseBodies: boolean;
  /** Lookup table: expected[status] === 1 when the status is expected. */
  readonly expected: Uint8Array;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: boolean;
  /** http.maxResponseBytes: largest body kept (0 = no limit). */
  readonly maxResponseBytes: number;
}

/** http.maxResponseBytes unless the script sets it: 10 MiB. */
export const DEFAULT_MAX_RESPONSE_BYTES = 10 * 1024 * 1024;

/** A per-request maxResponseBytes, checked (it comes from the script). */
function responseLimit(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new TypeError(`maxResponseBytes must be a whole number of bytes >= 0 (0 = no limit), got ${String(v)}`);
  return v;
}

const CONTENT_LENGTH = Buffer.from('content-length', 'latin1');

/** The Content-Length among undici's raw header pairs, or -1. */
function announcedLength(raw: Buffer[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] as Buffer;
    if (name.length !== 14) continue;
    let same = true;
    for (let j = 0; j < 14 && same; j++) same = ((name[j] as number) | 0x20) === CONTENT_LENGTH[j];
    if (!same) continue;
    // the digits, read from the bytes (no string per response)
    const v = raw[i + 1] as Buffer;
    let n = 0;
    let digits = 0;
    for (let j = 0; j < v.length; j++) {
      const c = v[j] as number;
      if (c >= 48 && c <= 57 && digits < 16) {
        n = n * 10 + (c - 48);
        digits++;
      } else if (c !== 32 && c !== 9) {
        return -1;
      }
    }
    return digits === 0 ? -1 : n;
  }
  return -1;
}

export function expectedTable(specs: readonly StatusSpec[] | undefined): Uint8Array {
  const t = new Uint8Array(1000);
  if (specs === undefined || specs.length === 0) {
    t.fill(1, 200, 400);
    return t;
  }
  for (const s of specs) {
    if (typeof s === 'number') {
      if (s >= 0 && s < 1000) t[s] = 1;
    } else {
      t.fill(1, Math.max(0, s.min), Math.min(999, s.max) + 1);
    }
  }
  return t;
}

const tables = new WeakMap<readonly StatusSpec[], Uint8Array>();

/** Per-request expected statuses replace the test-wide ones; their table is built once per list. */
function tableFor(specs: readonly StatusSpec[]): Uint8Array {
  let t = tables.get(specs);
  if (t === undefined) {
    t = expectedTable(specs);
    tables.set(specs, t);
  }
  return t;
}

export const DEFAULT_USER_AGENT = 'agentload/0.1 (+load test)';

const STATUS_TEXT: string[] = [];
for (let i = 0; i < 1000; i++) STATUS_TEXT.push(String(i));

interface Target {
  origin: string;
  path: string;
  /** http: (agentload's own pool) rather than https: (undici). */
  plain: boolean;
  /** The default `name` tag: the URL's path template (util/url-template.ts). */
  name: string;
  /** The URL as tags show it: a user part masked, as k6 does. */
  url: string;
  /** `Basic …` from the URL's user part (k6 sends it too), else null. */
  auth: string | null;
}

const targets = new Map<string, Target>();

/** A user part as typed: percent-escapes decoded, unless they are not valid UTF-8 (then sent as written). */
function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function targetOf(url: string): Target {
  let t = targets.get(url);
  if (t === undefined) {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`unsupported protocol "${u.protocol}" in ${withoutCredentials(url)}`);
    const auth = u.username === '' && u.password === '' ? null : `Basic ${Buffer.from(`${decoded(u.username)}:${decoded(u.password)}`).toString('base64')}`;
    t = { origin: u.origin, path: `${u.pathname}${u.search}`, plain: u.protocol === 'http:', name: templateOfUrl(u), url: withoutCredentials(url), auth };
    if (targets.size > 10_000) targets.clear();
    targets.set(url, t);
  }
  return t;
}

function withQuery(url: string, query: Readonly<Record<string, string | number | boolean>> | undefined): string {
  if (query === undefined) return url;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) qs.append(k, String(v));
  const s = qs.toString();
  if (s === '') return url;
  return url.includes('?') ? `${url}&${s}` : `${url}?${s}`;
}

function headerBytes(h: Readonly<Record<string, string>>): number {
  let n = 0;
  for (const k in h) n += k.length + (h[k] as string).length + 4;
  return n;
}

const now = (): number => performance.now();

let toughCookie: typeof ToughCookie | null = null;

/** tough-cookie is loaded when a VU first uses cookies, not at start-up (it costs ~40 ms to import). */
function newCookieJar(): ToughCookie.CookieJar {
  toughCookie ??= createRequire(import.meta.url)('tough-cookie') as typeof ToughCookie;
  return new toughCookie.CookieJar();
}

/**
 * One request in flight, as a dispatch handler of agentload's HTTP/1.1 pool
 * (plain HTTP) or of undici (HTTPS): callbacks, no body stream, no promise
 * chain per request. Phase times give k6's http_req_* timings.
 */
class Exchange implements Abortable, Expiring {
  t0 = 0;
  /** The whole request's deadline (performance.now()); HTTPS requests are swept against it by the pool (expire()). */
  deadline = 0;
  /** Largest body accepted from undici (agentload's pool checks its own); Infinity: no limit. */
  max = Infinity;
  tConn = 0;
  tSent = 0;
  tFirst = 0;
  status = 0;
  statusText = '';
  rawHeaders: RawHeaders = null;
  /** HAS_SET_COOKIE / HAS_LOCATION bits from agentload's pool; -1 from undici (look at the headers). */
  present = -1;
  chunks: Buffer[] | null;
  received = 0;
  #abort: ((err?: Error) => void) | null = null;
  #pendingAbort: Error | null = null;
  resolve!: (err: Error | null) => void;

  constructor(keepBody: boolean) {
    this.chunks = keepBody ? [] : null;
  }

  abort(reason?: Error): void {
    const err = reason ?? new Error('aborted');
    if (this.#abort !== null) this.#abort(err);
    else this.#pendingAbort = err;
  }

  onConnect(abort: (err?: Error) => void): void {
    this.tConn = now();
    this.#abort = abort;
    if (this.#pendingAbort !== null) abort(this.#pendingAbort);
  }

  /** Bytes written on the wire, from agentload's pool; -1 from undici (estimated from the request). */
  sentBytes = -1;

  onRequestSent(bytes?: number): void {
    this.tSent = now();
    if (bytes !== undefined) this.sentBytes = bytes;
  }

  onResponseStarted(): void {
    this.tFirst = now();
  }

  onHeaders(status: number, rawHeaders: Buffer[] | Buffer, _resume: () => void, statusText: string, present?: number): boolean {
    if (this.tFirst === 0) this.tFirst = now();
    this.status = status;
    this.statusText = statusText;
    this.rawHeaders = rawHeaders;
    this.present = present ?? -1;
    // undici's headers (agentload's pool refuses an announced body itself)
    if (present === undefined && this.max !== Infinity && Array.isArray(rawHeaders)) {
      const n = announcedLength(rawHeaders);
      if (n > this.max) this.abort(new H1Error(`the response announces ${n} bytes (content-length), more than maxResponseBytes (${this.max})`, 'RESPONSE_TOO_LARGE'));
    }
    return true;
  }

  onData(chunk: Buffer): boolean {
    this.received += chunk.length;
    if (this.received > this.max) {
      this.chunks = null;
      this.abort(new H1Error(`the response body exceeded maxResponseBytes (${this.max} bytes)`, 'RESPONSE_TOO_LARGE'));
      return true;
    }
    if (this.chunks !== null) this.chunks.push(chunk);
    return true;
  }

  /** The deadline passed (HTTPS: the pool's sweep calls this). */
  expire(): void {
    this.abort(this.status === 0 ? new H1Error('no response headers within the request timeout', 'UND_ERR_HEADERS_TIMEOUT') : bodyTimeout());
  }

  /** Bytes of the response on the wire, from agentload's pool; -1 from undici (estimated from the parts). */
  receivedBytes = -1;

  onComplete(_trailers?: unknown, bytes?: number): void {
    if (bytes !== undefined) this.receivedBytes = bytes;
    this.resolve(null);
  }

  onError(err: Error, bytes?: number): void {
    if (bytes !== undefined) this.receivedBytes = bytes;
    this.resolve(err);
  }
}

function isRedirect(status: number): boolean {
  return status >= 301 && status <= 308 && status !== 304 && status !== 305 && status !== 306;
}

const NONE: readonly string[] = [];

/** Values of one header; `bit` lets a response from agentload's pool say "absent" without decoding anything. */
function findHeader(x: Exchange, lowerName: string, bit: number): readonly string[] {
  if (x.rawHeaders === null || (x.present !== -1 && (x.present & bit) === 0)) return NONE;
  const out: string[] = [];
  eachHeader(x.rawHeaders, (name, value) => {
    if (name === lowerName) out.push(value);
  });
  return out;
}

/** The `http` object of a VU context. Records k6's HTTP metrics for every request. */
export class HttpClient {
  #jar: ToughCookie.CookieJar | null = null;

  constructor(
    private readonly scope: VuScope,
    private readonly agent: HttpAgent,
    private readonly defaults: HttpDefaults,
  ) {}

  get(url: string, params?: HttpParams): Promise<HttpResponse> {
    return this.request('GET', url, null, params);
  }
  head(url: string, params?: HttpParams): Promise<HttpResponse> {
    return this.request('HEAD', url, null, params);
  }
  options(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('OPTIONS', url, body, params);
  }
  post(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('POST', url, body, params);
  }
  put(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('PUT', url, body, params);
  }
  patch(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('PATCH', url, body, params);
  }
  del(url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    return this.request('DELETE', url, body, params);
  }

  /** Several requests in parallel; responses in the order given (a tuple in gives a tuple out). */
  batch<const T extends readonly HttpBatchRequest[]>(requests: T): Promise<{ -readonly [K in keyof T]: HttpResponse }> {
    return Promise.all(requests.map((r) => this.request(r.method, r.url, r.body, r.params))) as Promise<{
      -readonly [K in keyof T]: HttpResponse;
    }>;
  }

  /** The VU's cookie jar (created on first use). */
  get cookieJar(): ToughCookie.CookieJar {
    this.#jar ??= newCookieJar();
    return this.#jar;
  }

  request(method: string, url: string, body?: HttpBody, params?: HttpParams): Promise<HttpResponse> {
    const m = method.toUpperCase();
    const full = url.charCodeAt(0) === 47 /* '/' */ && this.defaults.baseUrl !== '' ? this.defaults.baseUrl + url : url;
    // null: each URL (and redirect hop) is named by its path template
    const name = params?.name ?? params?.tags?.name ?? null;
    const redirects = params?.redirects ?? this.defaults.maxRedirects;
    return this.#send(m, withQuery(full, params?.query), encodeBody(body), params, name, redirects);
  }

  async #send(method: string, url: string, body: EncodedBody | null, params: HttpParams | undefined, named: string | null, redirectsLeft: number): Promise<HttpResponse> {
    const scope = this.scope;
    const d = this.defaults;
    let target: Target | null = null;
    let invalid = '';
    try {
      target = targetOf(url);
    } catch (e) {
      invalid = (e as Error).message;
    }
    // name: the script's, else the URL's path template; url: the URL requested (each redirect hop its own), user part
    // masked, bounded by the url tag cap. Both come with the per-URL target: interned, no allocation once warm
    const name = named ?? (target === null ? urlTemplate(url) : target.name);
    const shown = target === null ? withoutCredentials(url) : target.url;
    let tags: TagSet = scope.tags.with('method', method).with('name', name).with('url', urlTags.valueFor(shown, name));
    if (params?.tags !== undefined) for (const k in params.tags) if (k !== 'name') tags = tags.with(k, params.tags[k] as string);
    if (target === null) return this.#fail(method, url, tags, 'INVALID_URL', `invalid URL "${shown}": ${withoutCredentials(invalid)}`);

    let headers: Record<string, string> = d.headers as Record<string, string>;
    if (params?.headers !== undefined || body !== null || this.#jar !== null || params?.cookies !== undefined || target.auth !== null) {
      headers = { ...d.headers };
      if (body !== null && body.contentType !== null) headers['content-type'] = body.contentType;
      if (target.auth !== null) headers.authorization = target.auth;
      if (params?.headers !== undefined) for (const k in params.headers) headers[k.toLowerCase()] = params.headers[k] as string;
      const cookie = this.#cookieHeader(url, params?.cookies);
      if (cookie !== '') headers.cookie = headers.cookie === undefined ? cookie : `${headers.cookie}; ${cookie}`;
    }

    const timeoutMs = params?.timeout === undefined ? d.timeoutMs : parseDuration(params.timeout, 'timeout');
    const keepBody = !(d.discardResponseBodies || params?.responseType === 'none');
    // a discarded body is counted, not kept: only the timeout bounds it (a deliberate large download)
    const limit = params?.maxResponseBytes === undefined ? d.maxResponseBytes : responseLimit(params.maxResponseBytes);
    const maxBody = !keepBody || limit === 0 ? Infinity : limit;
    const x = new Exchange(keepBody);

    scope.track(x);
    x.t0 = now();
    x.deadline = x.t0 + timeoutMs;
    const err = await new Promise<Error | null>((resolve) => {
      x.resolve = resolve;
      try {
        if (target.plain) {
          const req: H1Request = { method, path: target.path, headers, body: body === null ? null : body.data, deadline: x.deadline, maxBodyBytes: maxBody };
          this.agent.h1.dispatch(target.origin, req, x);
          return;
        }
        // undici times headers and pauses only: the whole-request deadline is the pool's sweep
        x.max = maxBody;
        this.agent.h1.watch(x);
        this.agent.dispatcher.dispatch(
          {
            origin: target.origin,
            path: target.path,
            method: method as 'GET',
            headers: headers as IncomingHttpHeaders,
            body: body === null ? null : body.data,
            headersTimeout: timeoutMs,
            bodyTimeout: timeoutMs,
          },
          x as unknown as Parameters<typeof this.agent.dispatcher.dispatch>[1],
        );
      } catch (e) {
        resolve(e as Error);
      }
    });
    const tEnd = now();
    scope.untrack(x);
    if (!target.plain) this.agent.h1.unwatch(x);

    // timings
    let blocked: number, connecting = 0, tls = 0, sending = 0, waiting = 0, receiving = 0, duration = 0;
    if (x.tConn === 0) {
      blocked = tEnd - x.t0;
    } else {
      const waited = x.tConn - x.t0;
      const ct = this.agent.takeConnectTiming(waited);
      if (ct !== undefined) {
        connecting = ct.connecting;
        tls = ct.tls;
      }
      blocked = Math.max(0, waited - connecting - tls);
      const sentAt = x.tSent !== 0 ? x.tSent : x.tFirst !== 0 ? x.tFirst : tEnd;
      sending = sentAt - x.tConn;
      if (x.tFirst !== 0) {
        waiting = x.tFirst - sentAt;
        receiving = tEnd - x.tFirst;
      } else {
        waiting = tEnd - sentAt;
      }
      duration = sending + waiting + receiving;
    }
    const timings: HttpTimings = { blocked, connecting, tls_handshaking: tls, sending, waiting, receiving, duration };

    const failed = err !== null;
    const status = failed ? 0 : x.status;
    // a redirect to follow, or one past the test-wide limit (a per-request `redirects` is where the script asked to stop)
    const location = !failed && isRedirect(status) ? findHeader(x, 'location', HAS_LOCATION)[0] : undefined;
    const tooMany = location !== undefined && redirectsLeft === 0 && params?.redirects === undefined && d.maxRedirects > 0;
    const table = params?.expectedStatuses === undefined ? d.expected : tableFor(params.expectedStatuses);
    const expected = !failed && !tooMany && table[status] === 1;
    let code: ErrorCode | '' = '';
    let errMsg = '';
    if (failed) {
      code = errorCodeOf(err);
      errMsg = err.message;
    } else if (tooMany) {
      code = 'TOO_MANY_REDIRECTS';
      errMsg = `stopped after ${d.maxRedirects} redirects (http.maxRedirects); the last response, ${status}, redirects to ${withoutCredentials(location)}`;
    }
    let t = tags.with('status', STATUS_TEXT[status] as string).with('expected_response', expected ? 'true' : 'false');
    if (code !== '') t = t.with('error_code', code);

    // a request cut off by the VU's interrupt (gracefulStop, ramp-down, stop) says nothing about the target:
    // as in k6, it is not recorded, so it is neither in http_reqs nor a failure in http_req_failed
    if (code !== 'INTERRUPTED') {
      const store = scope.store;
      store.add(builtin.http_reqs, t, 1);
      store.add(builtin.http_req_duration, t, duration);
      store.add(builtin.http_req_blocked, t, blocked);
      store.add(builtin.http_req_connecting, t, connecting);
      store.add(builtin.http_req_tls_handshaking, t, tls);
      store.add(builtin.http_req_sending, t, sending);
      store.add(builtin.http_req_waiting, t, waiting);
      store.add(builtin.http_req_receiving, t, receiving);
      store.add(builtin.http_req_failed, t, expected ? 0 : 1);
      // agentload's pool counts what it wrote; for undici the request is estimated from its parts
      const sent = x.tConn === 0 ? 0 : x.sentBytes >= 0 ? x.sentBytes : method.length + target.path.length + target.origin.length + 60 + headerBytes(headers) + (body === null ? 0 : body.data.length);
      store.add(builtin.data_sent, scope.tags, sent);
      store.add(
        builtin.data_received,
        scope.tags,
        x.receivedBytes >= 0 ? x.receivedBytes : x.received + rawHeaderBytes(x.rawHeaders) + (failed ? 0 : 15 + x.statusText.length),
      );
    }

    if (!failed && d.cookies) {
      const setCookies = findHeader(x, 'set-cookie', HAS_SET_COOKIE);
      if (setCookies.length > 0) for (const c of setCookies) this.cookieJar.setCookieSync(c, url, { ignoreError: true });
    }

    // a body past the limit is not handed to the script, not even its first part
    const res = new HttpResponse({ method, url }, url, status, x.statusText, x.rawHeaders, code === 'RESPONSE_TOO_LARGE' ? null : x.chunks, timings, errMsg, code, expected);
    if (location !== undefined && redirectsLeft > 0) {
      let next: string;
      try {
        next = new URL(location, url).toString();
      } catch {
        return res;
      }
      const toGet = status === 303 || ((status === 301 || status === 302) && method === 'POST');
      return this.#send(toGet ? 'GET' : method, next, toGet ? null : body, params, named, redirectsLeft - 1);
    }
    return res;
  }

  #cookieHeader(url: string, extra: Readonly<Record<string, string>> | undefined): string {
    let s = '';
    if (this.#jar !== null) s = this.#jar.getCookieStringSync(url);
    if (extra !== undefined) {
      for (const k in extra) s += `${s === '' ? '' : '; '}${k}=${extra[k] as string}`;
    }
    return s;
  }

  #fail(method: string, url: string, tags: TagSet, code: ErrorCode, message: string): HttpResponse {
    const t = tags.with('status', '0').with('expected_response', 'false').with('error_code', code);
    const store = this.scope.store;
    store.add(builtin.http_reqs, t, 1);
    store.add(builtin.http_req_failed, t, 1);
    store.add(builtin.http_req_duration, t, 0);
    const timings: HttpTimings = { blocked: 0, connecting: 0, tls_handshaking: 0, sending: 0, waiting: 0, receiving: 0, duration: 0 };
    return new HttpResponse({ method, url }, url, 0, '', null, null, timings, message, code, false);
  }
}

interface EncodedBody {
  data: string | Uint8Array;
  contentType: string | null;
}

function encodeBody(body: HttpBody): EncodedBody | null {
  if (body === null || body === undefined) return null;
  if (typeof body === 'string') return { data: body, contentType: null };
  if (body instanceof Uint8Array) return { data: body, contentType: 'application/octet-stream' };
  if (body instanceof URLSearchParams) return { data: body.toString(), contentType: 'application/x-www-form-urlencoded' };
  return { data: JSON.stringify(body), contentType: 'application/json' };
}
