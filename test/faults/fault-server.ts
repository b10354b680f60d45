/**
 * A server that misbehaves on purpose, for the fault suite: a raw `net` (or
 * `tls`) server on 127.0.0.1, port 0, that reads each request head (and its
 * Content-Length body) and answers by path. Bodies that never end are written
 * as fast as the socket takes them (backpressure respected) and stop when the
 * client closes; nothing runs past close().
 *
 *   GET  /ok                  200, "ok"
 *   GET  /sized?n=N[&chunked] 200, N bytes of "x" (Content-Length, or chunked without one)
 *   GET  /endless[?status=S]  200 (or S), a chunked body that never ends
 *   GET  /huge                200, Content-Length: 1 GB announced, bytes as fast as the socket takes them
 *   GET  /trickle?ms=N[&status=S] 200 (or S), chunked, one byte every N ms (default 5), forever
 *   GET  /reset               200, Content-Length 1 MB, 64 KiB of it, then a TCP reset
 *   GET  /hang                the request is read, never answered
 *   GET  /garbage-status      a status line that is not HTTP, then the connection stays open
 *   GET  /ws-garbage          a WebSocket upgrade (101), then a frame with a reserved opcode
 *   GET  /ws-big?n=N          a WebSocket upgrade, then one text message of N bytes
 *   GET  /sse-broken          text/event-stream: events whose data is broken JSON among good ones, then the end
 *   GET  /sse-endless-line    text/event-stream: one `data:` line that never ends
 *   GET  /sse-event?n=N       text/event-stream: one event of N characters (in 4 KiB pieces), then the end
 *   POST /v1/chat/completions an OpenAI-style LLM, by `model`: "broken-json" (a stream with chunks that are not
 *                             JSON), "no-done" (a stream that ends without [DONE]), "endless" (a stream that never
 *                             ends), "huge-json" (a non-stream answer announcing 1 GB), "trickle" (a non-stream answer
 *                             that trickles in a byte every 5 ms, forever)
 *   POST /a2a                 A2A JSON-RPC: SendMessage answers a JSON body that never ends, SendStreamingMessage
 *                             a stream of "working" status updates that never ends
 */
import { createHash } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { chunk, DONE, finishChunk, roleChunk, sse, tokenChunk } from '../fixtures/llm-servers.ts';

export interface FaultServer {
  /** http://127.0.0.1:port (https:// with `tls`). */
  readonly url: string;
  /** ws://127.0.0.1:port (wss:// with `tls`). */
  readonly wsUrl: string;
  /** Requests received for a path (without its query). */
  hits(path: string): number;
  /** Connections accepted, and closed (by either side), so far. */
  readonly connections: number;
  readonly closed: number;
  close(): Promise<void>;
}

export interface FaultServerOptions {
  /** Serve TLS (HTTPS, WSS) with this key and certificate. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'; // RFC 6455
const FILL = Buffer.alloc(16 * 1024, 'x');

interface Request {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
}

/** Write `next()` for as long as the socket is open, as fast as it drains. */
function pump(socket: net.Socket, next: () => Buffer | string): void {
  const go = (): void => {
    while (!socket.destroyed && socket.writable) {
      if (!socket.write(next())) {
        socket.once('drain', go);
        return;
      }
    }
  };
  go();
}

const chunked = (data: Buffer | string): Buffer => {
  const b = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${b.length.toString(16)}\r\n`), b, Buffer.from('\r\n')]);
};

/** `?status=503` → "503 Status 503"; 200 without it. */
function statusLine(req: Request): string {
  const s = req.query.get('status');
  return s === null ? '200 OK' : `${s} Status ${s}`;
}

function head(status: string, headers: Record<string, string | number>): string {
  let s = `HTTP/1.1 ${status}\r\n`;
  for (const [k, v] of Object.entries(headers)) s += `${k}: ${v}\r\n`;
  return `${s}\r\n`;
}

/** An unmasked server frame: `opcode` (1 text, 2 binary…) with the payload length encoded as RFC 6455 says. */
function frameHeader(opcode: number, length: number): Buffer {
  if (length < 126) return Buffer.from([0x80 | opcode, length]);
  if (length < 65536) {
    const b = Buffer.alloc(4);
    b[0] = 0x80 | opcode;
    b[1] = 126;
    b.writeUInt16BE(length, 2);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = 0x80 | opcode;
  b[1] = 127;
  b.writeBigUInt64BE(BigInt(length), 2);
  return b;
}

export async function startFaultServer(options: FaultServerOptions = {}): Promise<FaultServer> {
  const hits = new Map<string, number>();
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const state = { connections: 0, closed: 0 };

  const every = (socket: net.Socket, ms: number, fn: () => void): void => {
    const t = setInterval(() => {
      if (socket.destroyed) {
        clearInterval(t);
        timers.delete(t);
        return;
      }
      fn();
    }, ms);
    timers.add(t);
    socket.once('close', () => {
      clearInterval(t);
      timers.delete(t);
    });
  };

  const answer = (socket: net.Socket, req: Request): void => {
    hits.set(req.path, (hits.get(req.path) ?? 0) + 1);
    switch (req.path) {
      case '/ok':
        socket.write(`${head('200 OK', { 'content-length': 2 })}ok`);
        return;
      case '/sized': {
        const n = Number(req.query.get('n') ?? 0);
        if (req.query.has('chunked')) {
          socket.write(head('200 OK', { 'transfer-encoding': 'chunked' }));
          for (let left = n; left > 0; left -= FILL.length) socket.write(chunked(FILL.subarray(0, Math.min(left, FILL.length))));
          socket.write('0\r\n\r\n');
        } else {
          socket.write(head('200 OK', { 'content-length': n }));
          for (let left = n; left > 0; left -= FILL.length) socket.write(FILL.subarray(0, Math.min(left, FILL.length)));
        }
        return;
      }
      case '/endless': {
        socket.write(head(statusLine(req), { 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' }));
        const c = chunked(FILL);
        pump(socket, () => c);
        return;
      }
      case '/huge':
        socket.write(head('200 OK', { 'content-type': 'application/octet-stream', 'content-length': 1_000_000_000 }));
        pump(socket, () => FILL);
        return;
      case '/trickle':
        socket.write(head(statusLine(req), { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }));
        every(socket, Number(req.query.get('ms') ?? 5), () => socket.write(chunked('.')));
        return;
      case '/reset':
        socket.write(head('200 OK', { 'content-length': 1_000_000 }));
        for (let i = 0; i < 4; i++) socket.write(FILL);
        // after the bytes are out: a reset (RST), not a clean close
        socket.write('', () => socket.resetAndDestroy());
        return;
      case '/hang':
        return;
      case '/garbage-status':
        socket.write('SSH-2.0-NotHttp garbage\r\nwhat: ever\r\n\r\n');
        return;
      case '/ws-garbage':
      case '/ws-big': {
        const key = req.headers['sec-websocket-key'] ?? '';
        const accept = createHash('sha1').update(key + WS_GUID).digest('base64');
        socket.write(head('101 Switching Protocols', { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-accept': accept }));
        if (req.path === '/ws-garbage') {
          socket.write(Buffer.from([0x83, 0x02, 0x68, 0x69])); // opcode 3 is reserved
          return;
        }
        const n = Number(req.query.get('n') ?? 0);
        socket.write(frameHeader(1, n));
        let left = n;
        const go = (): void => {
          while (left > 0 && !socket.destroyed) {
            const part = FILL.subarray(0, Math.min(left, FILL.length));
            left -= part.length;
            if (!socket.write(part)) {
              socket.once('drain', go);
              return;
            }
          }
        };
        go();
        return;
      }
      case '/sse-broken': {
        socket.write(head('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' }));
        const events = [sse({ n: 1 }), 'data: {"n": 2, "broken\n\n', sse({ n: 3 }), 'data: {{{\n\n', 'data: [1, 2\n\n', sse({ n: 6 })];
        for (const e of events) socket.write(chunked(e));
        socket.write('0\r\n\r\n');
        return;
      }
      case '/sse-event': {
        socket.write(head('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' }));
        socket.write(chunked('data: '));
        for (let left = Number(req.query.get('n') ?? 0); left > 0; left -= 4096) socket.write(chunked(FILL.subarray(0, Math.min(left, 4096))));
        socket.write(chunked('\n\n'));
        socket.write('0\r\n\r\n');
        return;
      }
      case '/sse-endless-line': {
        socket.write(head('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' }));
        socket.write(chunked('data: '));
        const c = chunked(FILL);
        pump(socket, () => c);
        return;
      }
      case '/v1/chat/completions':
        return llm(socket, req);
      case '/a2a':
        return a2a(socket, req);
      default:
        socket.write(`${head('404 Not Found', { 'content-length': 9 })}not found`);
    }
  };

  const llm = (socket: net.Socket, req: Request): void => {
    let model = '';
    try {
      model = String((JSON.parse(req.body) as { model?: unknown }).model);
    } catch {
      // no JSON: 404 below
    }
    const stream = (): void => {
      socket.write(head('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' }));
    };
    switch (model) {
      case 'broken-json':
        stream();
        for (const e of [roleChunk(), tokenChunk('Hel'), 'data: {"choices":[{"delta":{"content":"lo"\n\n', tokenChunk('!'), 'data: not json at all\n\n', finishChunk(), DONE]) {
          socket.write(chunked(e));
        }
        socket.write('0\r\n\r\n');
        return;
      case 'no-done':
        stream();
        for (const e of [roleChunk(), tokenChunk('Hello'), tokenChunk(' there'), finishChunk()]) socket.write(chunked(e));
        socket.write('0\r\n\r\n');
        return;
      case 'endless': {
        stream();
        socket.write(chunked(roleChunk()));
        const c = chunked(tokenChunk('token '));
        pump(socket, () => c);
        return;
      }
      case 'trickle':
        socket.write(head('200 OK', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
        socket.write(chunked('{"choices":['));
        every(socket, 5, () => socket.write(chunked(' ')));
        return;
      case 'huge-json':
        socket.write(head('200 OK', { 'content-type': 'application/json', 'content-length': 1_000_000_000 }));
        socket.write(JSON.stringify(chunk({ content: 'x' })).slice(0, 20));
        pump(socket, () => FILL);
        return;
      default:
        socket.write(`${head('404 Not Found', { 'content-length': 9 })}not found`);
    }
  };

  const a2a = (socket: net.Socket, req: Request): void => {
    let rpc: { id?: unknown; method?: unknown } = {};
    try {
      rpc = JSON.parse(req.body) as typeof rpc;
    } catch {
      // answered as an unknown method
    }
    const id = JSON.stringify(rpc.id ?? null);
    if (rpc.method === 'SendMessage' || rpc.method === 'message/send') {
      socket.write(head('200 OK', { 'content-type': 'application/json', 'transfer-encoding': 'chunked' }));
      socket.write(chunked(`{"jsonrpc":"2.0","id":${id},"result":{"task":{"id":"t-1","contextId":"c-1","status":{"state":"TASK_STATE_WORKING"},"history":[`));
      const c = chunked(`${JSON.stringify({ messageId: 'm', role: 'ROLE_AGENT', parts: [{ text: FILL.toString() }] })},`);
      pump(socket, () => c);
      return;
    }
    if (rpc.method === 'SendStreamingMessage' || rpc.method === 'message/stream') {
      socket.write(head('200 OK', { 'content-type': 'text/event-stream', 'transfer-encoding': 'chunked' }));
      const update = { jsonrpc: '2.0', id: rpc.id ?? null, result: { statusUpdate: { taskId: 't-1', contextId: 'c-1', status: { state: 'TASK_STATE_WORKING' } } } };
      socket.write(chunked(sse({ jsonrpc: '2.0', id: rpc.id ?? null, result: { task: { id: 't-1', contextId: 'c-1', status: { state: 'TASK_STATE_SUBMITTED' } } } })));
      const c = chunked(sse(update));
      pump(socket, () => c);
      return;
    }
    const body = JSON.stringify({ jsonrpc: '2.0', id: rpc.id ?? null, error: { code: -32601, message: 'method not found' } });
    socket.write(`${head('200 OK', { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })}${body}`);
  };

  const onConnection = (socket: net.Socket): void => {
    state.connections++;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      sockets.delete(socket);
      state.closed++;
    });
    let pending = Buffer.alloc(0);
    let upgraded = false;
    socket.on('data', (d: Buffer) => {
      if (upgraded) return; // WebSocket frames from the client: not read
      pending = Buffer.concat([pending, d]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const lines = pending.subarray(0, end).toString('latin1').split('\r\n');
        const [method = '', target = '/'] = (lines[0] ?? '').split(' ');
        const headers: Record<string, string> = {};
        for (const line of lines.slice(1)) {
          const colon = line.indexOf(':');
          if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] ?? 0);
        if (pending.length < end + 4 + length) return;
        const body = pending.subarray(end + 4, end + 4 + length).toString('utf8');
        pending = pending.subarray(end + 4 + length);
        const u = new URL(target, 'http://x');
        if (headers.upgrade?.toLowerCase() === 'websocket') upgraded = true;
        answer(socket, { method, path: u.pathname, query: u.searchParams, headers, body });
        if (upgraded) return;
      }
    });
  };

  const server = options.tls === undefined ? net.createServer(onConnection) : tls.createServer({ key: options.tls.key, cert: options.tls.cert }, onConnection);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const secure = options.tls !== undefined;
  let closing: Promise<void> | null = null;
  return {
    url: `${secure ? 'https' : 'http'}://127.0.0.1:${port}`,
    wsUrl: `${secure ? 'wss' : 'ws'}://127.0.0.1:${port}`,
    hits: (path) => hits.get(path) ?? 0,
    get connections() {
      return state.connections;
    },
    get closed() {
      return state.closed;
    },
    close: () =>
      (closing ??= new Promise<void>((r) => {
        for (const t of timers) clearInterval(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        server.close(() => r());
      })),
  };
}
