/**
 * Helpers for the target's end-to-end tests: start a target on a free port
 * (fast mock LLM unless told otherwise), call its JSON API, and drive
 * WebSocket clients that collect messages and wait for the ones wanted.
 */
import WebSocket from 'ws';
import { startTarget, type TargetHandle, type TargetOptions } from '../../src/reference-target/index.ts';

/** A fast mock LLM for tests: a few milliseconds per answer, no errors. */
export const FAST_LLM = { ttftMs: 2, ttftSpreadMs: 0, itlMs: 0, itlSpreadMs: 0, outputTokensMean: 12, outputTokensSpread: 0 } as const;

export function fastTarget(options: Partial<TargetOptions> = {}): Promise<TargetHandle> {
  return startTarget({ db: ':memory:', redisUrl: null, amqpUrl: null, token: null, ...options, llm: { ...FAST_LLM, ...options.llm } });
}

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A JSON API call; `raw` sends a string body as is. */
export async function api<T = Record<string, unknown>>(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  opts: { headers?: Record<string, string>; raw?: boolean } = {},
): Promise<ApiResult<T>> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    payload = opts.raw === true ? (body as string) : JSON.stringify(body);
  }
  const res = await fetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, headers: res.headers, body: parsed as T, text };
}

export type Message = Record<string, unknown>;

/** A WebSocket client that keeps every message and can wait for one. */
export class SocketClient {
  readonly messages: Message[] = [];
  private waiters: { pred: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];
  closeCode: number | null = null;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as Message;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.pred(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<SocketClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new SocketClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(m: Message): void {
    this.ws.send(JSON.stringify(m));
  }

  /** The first message (already received or to come) matching `pred`. */
  waitFor(pred: (m: Message) => boolean, what = 'a message', timeoutMs = 5000): Promise<Message> {
    const seen = this.messages.find(pred);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5))}`)), timeoutMs);
      this.waiters.push({
        pred,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  /** Send a message with an id and wait for its ack. */
  async request(m: Message): Promise<Message> {
    this.send(m);
    return this.waitFor((x) => x.type === 'ack' && x.id === m.id, `the ack of ${String(m.id)}`);
  }

  close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.ws.once('close', () => resolve());
      this.ws.close();
    });
  }
}

/** The HTTP status a refused WebSocket upgrade answered with. */
export function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('error', (e) => {
      if (!/Unexpected server response/.test(e.message)) reject(e);
    });
  });
}
