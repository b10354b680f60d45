import type { ErrorCode } from './error-codes.ts';

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
  #rawHeaders: Buffer[] | null;
  #headers: Record<string, string> | undefined;
  #chunks: Buffer[] | null;
  #bodyBuf: Buffer | null | undefined;
  #bodyText: string | null | undefined;

  constructor(
    readonly request: HttpRequestInfo,
    readonly url: string,
    readonly status: number,
    readonly statusText: string,
    rawHeaders: Buffer[] | null,
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
      const raw = this.#rawHeaders;
      if (raw !== null) {
        for (let i = 0; i + 1 < raw.length; i += 2) {
          const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
          const value = (raw[i + 1] as Buffer).toString('latin1');
          const prev = h[name];
          h[name] = prev === undefined ? value : `${prev}${name === 'set-cookie' ? '\n' : ', '}${value}`;
        }
      }
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

  /** The body parsed as JSON; throws with the URL in the message if it is not JSON. */
  json<T = unknown>(): T {
    const text = this.body;
    if (text === null) throw new Error(`response of ${this.request.method} ${this.url} has no body (bodies are discarded)`);
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new Error(`response of ${this.request.method} ${this.url} is not JSON: ${(e as Error).message}`);
    }
  }
}
