/**
 * A local WebSocket server that behaves and misbehaves, by path:
 * /echo echoes; /ack answers JSON messages by id (after `delay` ms; `style`
 * picks id / ack / reply_to); /silent never answers; /die terminates the
 * socket on the text "die"; /once does the same but accepts one connection only (then 503);
 * /forbidden answers the upgrade with 403; /report sends the backpressure
 * reports it is asked for; /flood floods until its buffer overflows (drops
 * counted, reported in every message); /hdr greets with the subprotocol and
 * the x-test header. Counters per path in `stats`.
 */
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';

export interface WsServerStats {
  connections: Record<string, number>;
  received: Record<string, number>;
  closeCodes: number[];
  /** Wire bytes of finished /bytes connections, as the server's socket counted them. */
  bytes: { read: number; written: number }[];
  floodDone: { sent: number; drops: number } | null;
}

export interface WsTestServer {
  url: string;
  httpUrl: string;
  stats: WsServerStats;
  close(): Promise<void>;
}

function json(data: RawData): Record<string, unknown> | null {
  try {
    const v = JSON.parse(data.toString()) as unknown;
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function flood(ws: WebSocket, size: number, minDrops: number, cap: number, stats: WsServerStats): void {
  let drops = 0;
  let sent = 0;
  let i = 0;
  const pad = 'x'.repeat(size);
  const step = (): void => {
    if (ws.readyState !== ws.OPEN) return;
    for (let k = 0; k < 16 && drops < minDrops && i < cap; k++, i++) {
      if (ws.bufferedAmount > 256 * 1024) {
        drops++;
        continue;
      }
      sent++;
      ws.send(JSON.stringify({ type: 'chunk', seq: i, pad, backpressure: { drops, queue_size: ws.bufferedAmount } }));
    }
    if (drops < minDrops && i < cap) {
      setImmediate(step);
      return;
    }
    sent++;
    stats.floodDone = { sent, drops };
    ws.send(JSON.stringify({ type: 'flood-done', sent, backpressure: { drops, queue_size: ws.bufferedAmount } }));
  };
  step();
}

export async function startWsServer(): Promise<WsTestServer> {
  const stats: WsServerStats = { connections: {}, received: {}, closeCodes: [], bytes: [], floodDone: null };
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(426);
    res.end('upgrade required');
  });
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (protocols) => (protocols.has('v2') ? 'v2' : false) });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('upgrade', (req, socket, head) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/forbidden' || (path === '/once' && (stats.connections[path] ?? 0) > 0)) {
      const status = path === '/forbidden' ? '403 Forbidden' : '503 Service Unavailable';
      socket.end(`HTTP/1.1 ${status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      stats.connections[path] = (stats.connections[path] ?? 0) + 1;
      ws.on('close', (code) => {
        stats.closeCodes.push(code);
        if (path === '/bytes') stats.bytes.push({ read: req.socket.bytesRead, written: req.socket.bytesWritten });
      });
      if (path === '/hdr') ws.send(JSON.stringify({ type: 'welcome', protocol: ws.protocol, xtest: req.headers['x-test'] ?? null }));
      ws.on('message', (data, isBinary) => {
        stats.received[path] = (stats.received[path] ?? 0) + 1;
        const text = data.toString();
        switch (path) {
          case '/echo':
          case '/bytes':
            ws.send(data, { binary: isBinary });
            return;
          case '/die':
          case '/once':
            if (text === 'die') ws.terminate();
            else ws.send(data, { binary: isBinary });
            return;
          case '/ack': {
            const m = json(data);
            if (m === null || m.id === undefined) return;
            const reply = m.style === 'ack' ? { ack: m.id } : m.style === 'reply_to' ? { reply_to: m.id } : { id: m.id, ok: true, echo: m };
            const delay = typeof m.delay === 'number' ? m.delay : 0;
            if (delay > 0) setTimeout(() => ws.send(JSON.stringify(reply)), delay);
            else ws.send(JSON.stringify(reply));
            return;
          }
          case '/report': {
            const m = json(data);
            const reports = Array.isArray(m?.reports) ? (m.reports as unknown[]) : [];
            for (const r of reports) ws.send(JSON.stringify({ type: 'status', backpressure: r }));
            ws.send(JSON.stringify({ type: 'report-done' }));
            return;
          }
          case '/flood': {
            const m = json(data);
            if (m?.type === 'flood') flood(ws, Number(m.size ?? 32768), Number(m.minDrops ?? 5), Number(m.cap ?? 20000), stats);
            return;
          }
          default:
            return; // /silent and others: never answer
        }
      });
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ws://127.0.0.1:${port}`,
    httpUrl: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        for (const s of sockets) s.destroy();
        wss.close();
        server.close(() => r());
      }),
  };
}
