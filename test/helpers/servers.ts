import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  url: string;
  port: number;
  hits: number;
  close(): Promise<void>;
}

/**
 * A local HTTP server with routes that behave and misbehave:
 * /fast → 200 JSON; /slow?ms=N → 200 after N ms; /status/N → status N;
 * /reset → socket destroyed before answering; /redirect → 302 to /fast;
 * /cookie/set → Set-Cookie; /cookie/echo → echoes the Cookie header.
 */
export async function startTestServer(): Promise<TestServer> {
  const state = { hits: 0 };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    state.hits++;
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/fast') return json(200, { ok: true });
    if (url.pathname === '/slow') {
      const t = setTimeout(() => json(200, { ok: true, slow: true }), Number(url.searchParams.get('ms') ?? 200));
      res.on('close', () => clearTimeout(t));
      return;
    }
    if (url.pathname.startsWith('/status/')) return json(Number(url.pathname.slice(8)), { status: Number(url.pathname.slice(8)) });
    if (url.pathname === '/reset') return req.socket.destroy();
    if (url.pathname === '/redirect') {
      res.writeHead(302, { location: '/fast' });
      return res.end();
    }
    if (url.pathname === '/cookie/set') {
      res.writeHead(200, { 'set-cookie': 'session=abc123; Path=/' });
      return res.end('ok');
    }
    if (url.pathname === '/cookie/echo') return json(200, { cookie: req.headers.cookie ?? null });
    if (url.pathname === '/echo') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => json(200, { method: req.method, body, contentType: req.headers['content-type'] ?? null, query: url.search }));
      return;
    }
    json(404, { error: 'not found' });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port nothing listens on (bound then released). */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}
