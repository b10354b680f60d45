import { performance } from 'node:perf_hooks';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { wsErrorCodeOf, type WsErrorCode } from './error-codes.ts';

/** How to open one WebSocket connection. */
export interface DialSettings {
  readonly url: string;
  readonly protocols: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly compression: boolean;
  readonly insecureSkipTLSVerify: boolean;
  /** Largest message accepted (bytes, ws's maxPayload); a larger one closes the connection with 1009. 0 = no limit. */
  readonly maxMessageBytes: number;
}

export type DialResult =
  | { readonly ok: true; readonly ws: WebSocket; readonly socket: Socket | null; readonly ms: number; readonly status: number }
  | { readonly ok: false; readonly code: WsErrorCode; readonly status: number; readonly message: string; readonly ms: number };

/**
 * One opening handshake. `onOpen` runs synchronously on 'open', before any
 * message can be emitted, so the caller installs its handlers in time.
 * `setPending` receives the socket while the handshake runs (so that an
 * interrupt can terminate it) and null when it is over.
 */
export function dial(
  s: DialSettings,
  onOpen: (ws: WebSocket, socket: Socket | null) => void,
  setPending: (ws: WebSocket | null) => void,
  interrupted: () => boolean,
): Promise<DialResult> {
  const t0 = performance.now();
  return new Promise<DialResult>((resolve) => {
    let ws: WebSocket;
    try {
      ws = new WebSocket(s.url, [...s.protocols], {
        headers: { ...s.headers },
        handshakeTimeout: s.timeoutMs,
        perMessageDeflate: s.compression,
        rejectUnauthorized: !s.insecureSkipTLSVerify,
        followRedirects: false,
        maxPayload: s.maxMessageBytes,
      });
    } catch (e) {
      resolve({ ok: false, code: 'INVALID_URL', status: 0, message: `invalid WebSocket URL "${s.url}": ${(e as Error).message}`, ms: 0 });
      return;
    }
    setPending(ws);
    let status = 0;
    let socket: Socket | null = null;
    let badStatus = false;
    ws.once('upgrade', (res) => {
      status = res.statusCode ?? 101;
      socket = res.socket as Socket;
    });
    ws.once('unexpected-response', (_req, res) => {
      status = res.statusCode ?? 0;
      badStatus = true;
      res.resume();
      ws.terminate();
    });
    const onError = (err: Error): void => {
      ws.off('open', onOpenOnce);
      ws.on('error', () => undefined); // a late second error must not become an uncaught 'error' event
      setPending(null);
      const code: WsErrorCode = interrupted() ? 'INTERRUPTED' : badStatus ? 'WS_UNEXPECTED_RESPONSE' : wsErrorCodeOf(err);
      const message = badStatus ? `the server answered the WebSocket upgrade with status ${status}` : err.message;
      resolve({ ok: false, code, status, message, ms: performance.now() - t0 });
    };
    const onOpenOnce = (): void => {
      ws.off('error', onError);
      setPending(null);
      onOpen(ws, socket);
      resolve({ ok: true, ws, socket, ms: performance.now() - t0, status: status === 0 ? 101 : status });
    };
    ws.once('error', onError);
    ws.once('open', onOpenOnce);
  });
}

/** Backoff before reconnection attempt `attempt` (1-based): base·2^(attempt−1), capped; "equal jitter" when asked. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, jitter: boolean, random: () => number = Math.random): number {
  const d = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return jitter ? d / 2 + random() * (d / 2) : d;
}
