import type { ErrorCode } from './error-codes.ts';
import { compileSelector, selectSteps } from '../json-path.ts';

/**
 * Response headers as a transport delivers them: undici's name/value Buffer pairs, or agentload's own pool's
 * header block ("Name: value\r\n" lines in one Buffer). Decoded only when something reads them.
 */
export type RawHeaders = Buffer[] | Buffer | null;

/** Calls `fn` with each header's lower-cased name and its value, in order. */
export function eachHeader(raw: RawHeaders, fn: (name: string, value: string) => void): void {
  if (raw === null) return;
  if (Array.isArray(raw)) {
    for (let i = 0; i + 1 < raw.length; i += 2) fn((raw[i] as Buffer).toString('latin1').toLowerCase(), (raw[i + 1] as Buffer).toString('latin1'));
    return;
  }
  for (const line of raw.toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fn(line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim());
  }
}

/** Bytes the headers took on the wire: exact for a header block (its lines and the blank line), approximate for undici's pairs. */
export function rawHeaderBytes(raw: RawHeaders): number {
  if (raw === null) return 0;
  if (!Array.isArray(raw)) return raw.length + 2;
  let n = 0;
  for (let i = 0; i < raw.length; i++) n += (raw[i] as Buffer).length + 2;
  return n;
}

/** k6's `res.timings`, in milliseconds. */
export interface HttpTimings {
  blocked: number;
  connecting: number;
  tls_handshaking: number;
  sending: number;
  waiting: number;
  receiving: number;
  /** sending + waiting + receiving */
  duration: number;
}

export interface HttpRequestInfo {
  readonly method: string;
  readonly url: string;
}

/** The response given to scripts. Headers and body are decoded on first use. */
export class HttpResponse {
  #rawHeaders: RawHeaders;
  #headers: Record<string, string> | undefined;
  #chunks: Buffer[] | null;
  #bodyBuf: Buffer | null | undefined;
  #bodyText: string | null | undefined;

  constructor(
    readonly request: HttpRequestInfo,
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    rawHeaders: RawHeaders,
    chunks: Buffer[] | null,
    readonly timings: HttpTimings,
    /**
     * Why no usable response arrived: a transport error (refused, reset, timeout, TLS, DNS), an invalid URL,
     * an interrupted VU, or a redirect past http.maxRedirects; '' otherwise. As in k6, a response with an
     * unexpected status (4xx, 5xx) has no error: `expected` (and http_req_failed) judge the status.
     */
    readonly error: string,
    /** Stable error code (see docs/http.md) when `error` is set; '' otherwise. */
    readonly error_code: ErrorCode | '',
    /** Whether the status counted as expected (drives http_req_failed). */
    readonly expected: boolean,
  ) {
    this.#rawHeaders = rawHeaders;
    this.#chunks = chunks;
  }

  /** Response headers, names lower-cased; repeated headers joined with ", " (set-cookie with "\n"). */
  get headers(): Readonly<Record<string, string>> {
    if (this.#headers === undefined) {
      const h: Record<string, string> = {};
      eachHeader(this.#rawHeaders, (name, value) => {
        const prev = h[name];
        h[name] = prev === undefined ? value : `${prev}${name === 'set-cookie' ? '\n' : ', '}${value}`;
      });
      this.#headers = h;
      this.#rawHeaders = null;
    }
    return this.#headers;
  }

  /** The raw body, or null when bodies are discarded. */
  get bytes(): Buffer | null {
    if (this.#bodyBuf === undefined) {
      const c = this.#chunks;
      this.#bodyBuf = c === null ? null : c.length === 1 ? (c[0] as Buffer) : Buffer.concat(c);
      this.#chunks = null;
    }
    return this.#bodyBuf;
  }

  /** The body as UTF-8 text, or null when bodies are discarded. */
  get body(): string | null {
    if (this.#bodyText === undefined) {
      const b = this.bytes;
      this.#bodyText = b === null ? null : b.toString('utf8');
    }
    return this.#bodyText;
  }

  /**
   * The body parsed as JSON; throws with the URL in the message if it is not JSON. With a selector, the value
   * at that GJSON path (k6's `res.json('items.0.id')`, docs/http.md), or undefined when the path finds nothing;
   * a selector outside the supported paths throws, naming it.
   */
  json<T = unknown>(selector?: string): T {
    const steps = selector === undefined ? null : compileSelector(selector);
    const text = this.body;
    if (text === null) throw new Error(`response of ${this.request.method} ${this.url} has no body (bodies are discarded)`);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      throw new Error(`response of ${this.request.method} ${this.url} is not JSON: ${(e as Error).message}`);
    }
    return (steps === null ? value : selectSteps(value, steps)) as T;
  }
}
