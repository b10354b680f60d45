/**
 * A local SSE server that behaves and misbehaves, by path:
 * /events three events then the end; /malformed bad lines around two good
 * events; /split events cut across TCP writes (inside a UTF-8 character too,
 * and with CRLF line ends); /cut events 1–3 then a dropped socket, resumed
 * from Last-Event-ID up to event 5; /hang never answers; /stall one event then
 * silence; /post echoes the request body; /status500; /html (wrong content
 * type); /forever an event every 10 ms until the client leaves.
 */
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface SseServerStats {
  requests: Record<string, number>;
  lastEventIds: (string | null)[];
  /** /forever responses that ended because the client left. */
  clientGone: number;
}

export interface SseTestServer {
  url: string;
  stats: SseServerStats;
  close(): Promise<void>;
}

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };

export async function startSseServer(): Promise<SseTestServer> {
  const stats: SseServerStats = { requests: {}, lastEventIds: [], clientGone: 0 };
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    stats.requests[path] = (stats.requests[path] ?? 0) + 1;
    const lastId = req.headers['last-event-id'];
    stats.lastEventIds.push(typeof lastId === 'string' ? lastId : null);
    switch (path) {
      case '/events':
        res.writeHead(200, SSE_HEADERS);
        res.write('event: greet\nid: 1\ndata: hi\n\n');
        res.write('data: line1\ndata: line2\n\n');
        res.end('id: 3\ndata: {"n":3}\n\n');
        return;
      case '/malformed':
        res.writeHead(200, SSE_HEADERS);
        res.end(': a comment\nthis line has no colon\nretry: soon\nfoo: bar\ndata: ok\n\n\n\nevent: empty\n\ndata:no-space\n\n');
        return;
      case '/split': {
        res.writeHead(200, SSE_HEADERS);
        const e = Buffer.from('é');
        const parts: (string | Buffer)[] = ['da', 'ta: hel', 'lo wor', 'ld\n', '\n', 'data: caf', e.subarray(0, 1), Buffer.concat([e.subarray(1), Buffer.from('\n\n')]), 'event: done\r\ndata: 1\r', '\n\r\n'];
        const next = (i: number): void => {
          if (i === parts.length) {
            res.end();
            return;
          }
          res.write(parts[i] as string | Buffer);
          later(5, () => next(i + 1));
        };
        next(0);
        return;
      }
      case '/cut': {
        res.writeHead(200, SSE_HEADERS);
        const from = typeof lastId === 'string' ? Number(lastId) + 1 : 1;
        if (from === 1) {
          res.write('retry: 10\n\n');
          for (let i = 1; i <= 3; i++) res.write(`id: ${i}\ndata: event ${i}\n\n`);
          later(20, () => req.socket.destroy());
        } else {
          for (let i = from; i <= 5; i++) res.write(`id: ${i}\ndata: event ${i}\n\n`);
          res.end();
        }
        return;
      }
      case '/hang':
        return;
      case '/stall':
        res.writeHead(200, SSE_HEADERS);
        res.write('data: only one\n\n');
        return;
      case '/post': {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          res.writeHead(200, SSE_HEADERS);
          res.end(`event: echo\ndata: ${JSON.stringify({ method: req.method, body, contentType: req.headers['content-type'] ?? null })}\n\n`);
        });
        return;
      }
      case '/status500':
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end('{"error":"boom"}');
        return;
      case '/html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html>not a stream</html>');
        return;
      case '/forever': {
        res.writeHead(200, SSE_HEADERS);
        let n = 0;
        const tick = setInterval(() => res.write(`id: ${++n}\ndata: tick\n\n`), 10);
        res.on('close', () => {
          clearInterval(tick);
          stats.clientGone++;
        });
        return;
      }
      default:
        res.writeHead(404);
        res.end();
    }
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const t of timers) clearTimeout(t);
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
