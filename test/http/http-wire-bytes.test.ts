/** data_sent / data_received of plain-HTTP requests are the bytes the server read and wrote. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { HttpAgent } from '../../src/protocols/http/agent.ts';
import { HttpClient, expectedTable } from '../../src/protocols/http/client.ts';
import { TestScope } from '../protocols/ws-test-scope.ts';

interface Wire {
  url: string;
  read: number;
  written: number;
  close(): Promise<void>;
}

/** A raw HTTP/1.1 server that answers every request head with `reply(head)` and counts the bytes. */
async function rawServer(reply: (head: string) => string): Promise<Wire> {
  const wire = { read: 0, written: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let buf = '';
    socket.on('data', (d: Buffer) => {
      wire.read += d.length;
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = buf.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(head)?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        const out = Buffer.from(reply(head), 'latin1');
        wire.written += out.length;
        socket.write(out);
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get read() {
      return wire.read;
    },
    get written() {
      return wire.written;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

test('plain HTTP: data_sent and data_received equal the bytes on the wire (heads, bodies, chunked)', async (t) => {
  const srv = await rawServer((head) =>
    head.startsWith('POST')
      ? 'HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{"a":\r\n3\r\n"b"\r\n1\r\n}\r\n0\r\n\r\n'
      : 'HTTP/1.1 200 OK\r\nContent-Length: 12\r\nX-Long-Header: ' + 'v'.repeat(300) + '\r\n\r\nhello, world',
  );
  const agent = new HttpAgent();
  t.after(async () => {
    await agent.close();
    await srv.close();
  });
  const scope = new TestScope();
  const http = new HttpClient(scope, agent, {
    baseUrl: srv.url,
    timeoutMs: 5000,
    maxRedirects: 0,
    discardResponseBodies: false,
    expected: expectedTable(undefined),
    headers: { 'user-agent': 'agentload-test' },
    cookies: false,
    maxResponseBytes: 0,
  });
  const got = await http.get('/one');
  assert.equal(got.status, 200);
  assert.equal(got.body, 'hello, world');
  const posted = await http.post('/two', { text: 'héllo wörld' });
  assert.equal(posted.status, 201);
  assert.equal(posted.body, '{"a":"b"}');
  await http.get('/three', { headers: { 'x-extra': 'yes' } });
  assert.equal(scope.count('http_reqs'), 3);
  assert.equal(scope.sum('data_sent'), srv.read);
  assert.equal(scope.sum('data_received'), srv.written);
});
