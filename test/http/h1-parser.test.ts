/** The incremental HTTP/1.1 response parser (src/protocols/http/h1-parser.ts): Buffers in, sink calls out. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { H1Parser, H1ParseError, HAS_LOCATION, HAS_SET_COOKIE, MAX_HEAD_BYTES, type H1ParserSink } from '../../src/protocols/http/h1-parser.ts';

/** One message as the sink saw it. */
interface Message {
  status: number;
  statusText: string;
  /** The header block, decoded as latin1 (a copy: the parser's Buffer may be a view of the input). */
  head: string;
  present: number;
  body: string;
  /** null until onDone. */
  keepAlive: boolean | null;
}

/** Records every sink call, checking their order as it goes. */
class Collector implements H1ParserSink {
  readonly messages: Message[] = [];
  readonly calls: string[] = [];
  emptyChunks = 0;

  onHead(status: number, statusText: string, headerBlock: Buffer, present: number): void {
    const last = this.messages.at(-1);
    assert.ok(last === undefined || last.keepAlive !== null, 'onHead before the previous message was done');
    this.calls.push('head');
    this.messages.push({ status, statusText, head: headerBlock.toString('latin1'), present, body: '', keepAlive: null });
  }

  onBody(chunk: Buffer): void {
    const last = this.messages.at(-1);
    assert.ok(last !== undefined && last.keepAlive === null, 'onBody outside a message');
    if (chunk.length === 0) this.emptyChunks++;
    this.calls.push('body');
    last.body += chunk.toString('latin1');
  }

  onDone(keepAlive: boolean): void {
    const last = this.messages.at(-1);
    assert.ok(last !== undefined && last.keepAlive === null, 'onDone outside a message');
    this.calls.push('done');
    last.keepAlive = keepAlive;
  }
}

interface Result {
  messages: Message[];
  /** Sum of execute()'s return values. */
  extra: number;
  busy: boolean;
  untilClose: boolean;
  keepAliveHintMs: number;
  emptyChunks: number;
}

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Feed `chunks` to a fresh parser expecting one response. */
function feed(chunks: Buffer[], noBody = false): Result {
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(noBody);
  let extra = 0;
  for (const c of chunks) extra += p.execute(c);
  return { messages: sink.messages, extra, busy: p.busy, untilClose: p.untilClose, keepAliveHintMs: p.keepAliveHintMs, emptyChunks: sink.emptyChunks };
}

const parse = (raw: string, noBody = false): Result => feed([bytes(raw)], noBody);

/** Fresh copies, so no chunk shares memory with another. */
function splitAt(raw: Buffer, ...at: number[]): Buffer[] {
  const out: Buffer[] = [];
  let from = 0;
  for (const p of [...at, raw.length]) {
    out.push(Buffer.from(raw.subarray(from, p)));
    from = p;
  }
  return out;
}

function byteByByte(raw: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < raw.length; i++) out.push(Buffer.from(raw.subarray(i, i + 1)));
  return out;
}

/** The one-shot result, and the same for every two-piece split, a three-piece split at every position, and byte by byte. */
function assertSplitInvariant(raw: string, noBody = false): Result {
  const buf = bytes(raw);
  const whole = feed([buf], noBody);
  const oneByOne = feed(byteByByte(buf), noBody);
  assert.deepEqual({ ...oneByOne, emptyChunks: 0 }, { ...whole, emptyChunks: 0 }, 'byte by byte');
  for (let i = 1; i < buf.length; i++) {
    const r = feed(splitAt(buf, i), noBody);
    assert.deepEqual({ ...r, emptyChunks: 0 }, { ...whole, emptyChunks: 0 }, `split at ${i}`);
    const j = Math.min(buf.length, i + 3);
    const r3 = feed(splitAt(buf, i, j), noBody);
    assert.deepEqual({ ...r3, emptyChunks: 0 }, { ...whole, emptyChunks: 0 }, `split at ${i} and ${j}`);
  }
  return whole;
}

function assertParseError(raw: string | Buffer, pattern?: RegExp, noBody = false): void {
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(noBody);
  assert.throws(
    () => p.execute(typeof raw === 'string' ? bytes(raw) : raw),
    (e: unknown) => {
      assert.ok(e instanceof H1ParseError, `expected an H1ParseError, got ${String(e)}`);
      assert.equal(e.code, 'HPE_INVALID_RESPONSE');
      if (pattern !== undefined) assert.match(e.message, pattern);
      return true;
    },
  );
}

const CL_RESPONSE = 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\nX-Multi:  a, b \r\n\r\nhello world';

test('content-length body: status, status text, header block, body and keep-alive', () => {
  const r = parse(CL_RESPONSE);
  assert.deepEqual(r.messages, [
    { status: 200, statusText: 'OK', head: 'Content-Type: text/plain\r\nContent-Length: 11\r\nX-Multi:  a, b \r\n', present: 0, body: 'hello world', keepAlive: true },
  ]);
  assert.equal(r.extra, 0);
  assert.equal(r.busy, false);
  assert.equal(r.untilClose, false);
  assert.equal(r.keepAliveHintMs, -1);
  assert.equal(r.emptyChunks, 0);
});

test('content-length body: identical results byte by byte and split at every position', () => {
  const whole = assertSplitInvariant(CL_RESPONSE);
  assert.equal(whole.messages[0]?.body, 'hello world');
  // a multi-word reason phrase and a binary body
  const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i)).toString('latin1');
  const r = assertSplitInvariant(`HTTP/1.1 404 Not Found Here\r\ncontent-length: 256\r\n\r\n${body}`);
  assert.deepEqual(r.messages, [{ status: 404, statusText: 'Not Found Here', head: 'content-length: 256\r\n', present: 0, body, keepAlive: true }]);
});

test('content-length: 0 completes at the end of the header block; busy is true until the body is complete', () => {
  assert.deepEqual(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').messages, [
    { status: 200, statusText: 'OK', head: 'Content-Length: 0\r\n', present: 0, body: '', keepAlive: true },
  ]);
  const sink = new Collector();
  const p = new H1Parser(sink);
  assert.equal(p.busy, false, 'idle before expect()');
  p.expect(false);
  assert.equal(p.busy, true);
  assert.equal(p.headersSeen, false);
  assert.equal(p.execute(bytes('HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nab')), 0);
  assert.equal(p.headersSeen, true);
  assert.equal(p.busy, true);
  assert.equal(p.execute(bytes('cd')), 0);
  assert.equal(p.busy, false);
  assert.deepEqual(sink.calls, ['head', 'body', 'body', 'done']);
  assert.equal(sink.messages[0]?.body, 'abcd');
});

test('a status line without a reason phrase gives an empty status text', () => {
  assert.deepEqual(parse('HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nx').messages, [
    { status: 200, statusText: '', head: 'Content-Length: 1\r\n', present: 0, body: 'x', keepAlive: true },
  ]);
  assert.deepEqual(parse('HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n').messages[0]?.statusText, '');
  assert.deepEqual(parse('HTTP/1.1 200 OK\r\n\r\n').messages[0]?.head, '', 'no header lines: an empty header block');
});

const CHUNKED =
  'HTTP/1.1 200 OK\r\n' +
  'Transfer-Encoding: chunked\r\n' +
  'Content-Type: text/plain\r\n' +
  '\r\n' +
  '5;ext=1\r\nhello\r\n' +
  'A\r\n0123456789\r\n' +
  '1b;name="quoted value"\r\nabcdefghijklmnopqrstuvwxyz!\r\n' +
  'c \r\n, and a tail\r\n' +
  '0\r\n' +
  'X-Trailer: yes\r\n' +
  'X-Checksum: 1234\r\n' +
  '\r\n';

test('chunked body with chunk extensions and trailers', () => {
  const r = parse(CHUNKED);
  assert.deepEqual(r.messages, [
    {
      status: 200,
      statusText: 'OK',
      head: 'Transfer-Encoding: chunked\r\nContent-Type: text/plain\r\n',
      present: 0,
      body: 'hello0123456789abcdefghijklmnopqrstuvwxyz!, and a tail',
      keepAlive: true,
    },
  ]);
  assert.equal(r.extra, 0);
  assert.equal(r.busy, false);
  assert.equal(r.emptyChunks, 0);
});

test('chunked body: identical results byte by byte and split at every position', () => {
  const r = assertSplitInvariant(CHUNKED);
  assert.equal(r.messages[0]?.body, 'hello0123456789abcdefghijklmnopqrstuvwxyz!, and a tail');
  const noTrailers = assertSplitInvariant('HTTP/1.1 201 Created\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
  assert.deepEqual(noTrailers.messages, [{ status: 201, statusText: 'Created', head: 'transfer-encoding: chunked\r\n', present: 0, body: 'abc', keepAlive: true }]);
});

test('chunk sizes in hex, upper, lower and mixed case', () => {
  const data = 'x'.repeat(255);
  for (const size of ['ff', 'FF', 'fF', '0ff', '00FF']) {
    const r = parse(`HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${size}\r\n${data}\r\n0\r\n\r\n`);
    assert.equal(r.messages[0]?.body, data, size);
    assert.equal(r.messages[0]?.keepAlive, true, size);
  }
  const r = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nA\r\n0123456789\r\nb\r\nabcdefghijk\r\n1C\r\n' + 'y'.repeat(28) + '\r\n0\r\n\r\n');
  assert.equal(r.messages[0]?.body, '0123456789abcdefghijk' + 'y'.repeat(28));
});

test('transfer-encoding: chunked is recognised in any case and as the last of several codings', () => {
  for (const te of ['CHUNKED', 'Chunked', 'gzip, chunked', 'gzip,chunked']) {
    const r = parse(`HTTP/1.1 200 OK\r\nTRANSFER-ENCODING: ${te}\r\n\r\n2\r\nok\r\n0\r\n\r\n`);
    assert.equal(r.messages[0]?.body, 'ok', te);
    assert.equal(r.busy, false, te);
  }
});

test('HEAD (expect(true)): no body is read even with a content-length or chunked coding', () => {
  const r = parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', true);
  assert.deepEqual(r.messages, [{ status: 200, statusText: 'OK', head: 'Content-Length: 10\r\n', present: 0, body: '', keepAlive: true }]);
  assert.equal(r.busy, false);
  assert.equal(r.extra, 0);
  const chunked = parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', true);
  assert.equal(chunked.busy, false);
  assert.equal(chunked.messages[0]?.keepAlive, true);
  // nor a body delimited by the close
  const noLength = parse('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n', true);
  assert.equal(noLength.busy, false);
  assert.equal(noLength.untilClose, false);
  assert.equal(noLength.messages[0]?.keepAlive, true);
  // the bytes after the head are not taken for a body
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nHTTP/1.1', true).extra, 8);
  assertSplitInvariant('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n', true);
});

test('204 and 304 have no body, whatever their headers say', () => {
  const r204 = parse('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n');
  assert.deepEqual(r204.messages, [{ status: 204, statusText: 'No Content', head: 'Content-Length: 5\r\n', present: 0, body: '', keepAlive: true }]);
  assert.equal(r204.busy, false);
  const r304 = parse('HTTP/1.1 304 Not Modified\r\nETag: "x"\r\nContent-Length: 42\r\n\r\n');
  assert.deepEqual(r304.messages, [{ status: 304, statusText: 'Not Modified', head: 'ETag: "x"\r\nContent-Length: 42\r\n', present: 0, body: '', keepAlive: true }]);
  assert.equal(r304.busy, false);
  assert.equal(r304.untilClose, false);
  const bare = parse('HTTP/1.1 204 No Content\r\n\r\n');
  assert.equal(bare.busy, false);
  assert.equal(bare.messages[0]?.keepAlive, true, 'no length needed: the connection stays usable');
  // bytes after a 204 head are the next message, not a body
  assert.equal(parse('HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\nhello').extra, 5);
});

test('1xx responses (100 Continue, 103 Early Hints) before the real response are skipped', () => {
  const raw = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';
  const r = assertSplitInvariant(raw);
  assert.deepEqual(r.messages, [{ status: 200, statusText: 'OK', head: 'Content-Length: 2\r\n', present: 0, body: 'ok', keepAlive: true }]);
  assert.equal(r.extra, 0);
  assert.equal(r.busy, false);
  // a 1xx alone: still waiting for the headers
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  assert.equal(p.execute(bytes('HTTP/1.1 100 Continue\r\n\r\n')), 0);
  assert.deepEqual(sink.calls, []);
  assert.equal(p.busy, true);
  assert.equal(p.headersSeen, false);
});

test('101 Switching Protocols throws H1ParseError', () => {
  assertParseError('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n', /101/);
});

test('no content-length and not chunked: the body runs until close; end() completes it with keepAlive false', () => {
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  assert.equal(p.execute(bytes('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nfirst ')), 0);
  assert.equal(p.untilClose, true);
  assert.equal(p.busy, true);
  assert.equal(p.execute(bytes('second ')), 0);
  assert.equal(p.execute(bytes('HTTP/1.1 200 OK\r\n\r\n')), 0, 'everything is body, even what looks like a response');
  assert.deepEqual(sink.calls, ['head', 'body', 'body', 'body']);
  assert.equal(p.end(), true);
  assert.deepEqual(sink.calls, ['head', 'body', 'body', 'body', 'done']);
  assert.deepEqual(sink.messages, [
    { status: 200, statusText: 'OK', head: 'Content-Type: text/plain\r\n', present: 0, body: 'first second HTTP/1.1 200 OK\r\n\r\n', keepAlive: false },
  ]);
  assert.equal(p.busy, false);
  assert.equal(p.untilClose, false);
  assert.equal(p.end(), true, 'end() when idle: nothing was cut short');
  assert.equal(sink.calls.length, 5, 'no second onDone');
});

test('body until close: split at every position gives the same body', () => {
  const raw = bytes('HTTP/1.0 200 OK\r\nServer: x\r\n\r\nbody until the end');
  for (let i = 1; i < raw.length; i++) {
    const sink = new Collector();
    const p = new H1Parser(sink);
    p.expect(false);
    for (const c of splitAt(raw, i)) assert.equal(p.execute(c), 0);
    assert.equal(p.end(), true);
    assert.deepEqual(sink.messages, [{ status: 200, statusText: 'OK', head: 'Server: x\r\n', present: 0, body: 'body until the end', keepAlive: false }], `split at ${i}`);
  }
});

test('end() on a message cut short returns false and does not complete it', () => {
  for (const raw of ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab', 'HTTP/1.1 200 OK\r\nContent-Le']) {
    const sink = new Collector();
    const p = new H1Parser(sink);
    p.expect(false);
    p.execute(bytes(raw));
    assert.equal(p.end(), false, raw);
    assert.equal(sink.calls.includes('done'), false, raw);
  }
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  assert.equal(p.end(), false, 'nothing received yet');
});

test('keep-alive: Connection: close, HTTP/1.0 default close, HTTP/1.0 with Connection: keep-alive', () => {
  const keepAlive = (raw: string): boolean | null => parse(raw).messages[0]?.keepAlive ?? null;
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'), true, 'HTTP/1.1 default');
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), true);
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n'), false);
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nCONNECTION: Close\r\nContent-Length: 0\r\n\r\n'), false, 'any case');
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nConnection: upgrade, close\r\nContent-Length: 0\r\n\r\n'), false, 'a token in a list');
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nConnection: closed\r\nContent-Length: 0\r\n\r\n'), true, 'not the token "close"');
  assert.equal(keepAlive('HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n'), false, 'HTTP/1.0 default');
  assert.equal(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n'), true);
  assert.equal(keepAlive('HTTP/1.0 200 OK\r\nconnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'), true);
  assert.equal(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive, close\r\nContent-Length: 0\r\n\r\n'), false);
  assert.equal(keepAlive('HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n'), false);
  // the same with a chunked body
  assert.equal(keepAlive('HTTP/1.1 200 OK\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), false);
  assert.equal(keepAlive('HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'), true);
});

test('Keep-Alive: timeout=N gives keepAliveHintMs N * 1000; absent gives -1; expect() resets it', () => {
  assert.equal(parse('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n').keepAliveHintMs, 5000);
  assert.equal(parse('HTTP/1.1 200 OK\r\nkeep-alive: timeout=5, max=1000\r\nContent-Length: 0\r\n\r\n').keepAliveHintMs, 5000);
  assert.equal(parse('HTTP/1.1 200 OK\r\nKeep-Alive: max=10, TIMEOUT = 72\r\nContent-Length: 0\r\n\r\n').keepAliveHintMs, 72_000);
  assert.equal(parse('HTTP/1.1 200 OK\r\nKeep-Alive: max=10\r\nContent-Length: 0\r\n\r\n').keepAliveHintMs, -1);
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n').keepAliveHintMs, -1);
  assert.equal(assertSplitInvariant('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 2\r\n\r\nok').keepAliveHintMs, 5000);

  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  p.execute(bytes('HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(p.keepAliveHintMs, 5000);
  p.expect(false);
  assert.equal(p.keepAliveHintMs, -1);
  // a 1xx's Keep-Alive does not count; the final response's does
  p.execute(bytes('HTTP/1.1 100 Continue\r\nKeep-Alive: timeout=9\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'));
  assert.equal(p.keepAliveHintMs, -1);
});

test('present bits: HAS_SET_COOKIE and HAS_LOCATION exactly when those headers are present, in any case', () => {
  const present = (headers: string): number | undefined => parse(`HTTP/1.1 302 Found\r\n${headers}Content-Length: 0\r\n\r\n`).messages[0]?.present;
  assert.equal(HAS_SET_COOKIE, 1);
  assert.equal(HAS_LOCATION, 2);
  assert.equal(present(''), 0);
  assert.equal(present('Set-Cookie: a=1\r\n'), HAS_SET_COOKIE);
  assert.equal(present('SET-COOKIE: a=1\r\n'), HAS_SET_COOKIE);
  assert.equal(present('set-cookie: a=1\r\nset-cookie: b=2\r\n'), HAS_SET_COOKIE);
  assert.equal(present('Location: /next\r\n'), HAS_LOCATION);
  assert.equal(present('LOCATION: /next\r\n'), HAS_LOCATION);
  assert.equal(present('location:/next\r\n'), HAS_LOCATION);
  assert.equal(present('Set-Cookie: a=1\r\nLocation: /next\r\n'), HAS_SET_COOKIE | HAS_LOCATION);
  // similar names are not those headers
  assert.equal(present('X-Set-Cookie: a=1\r\nSet-Cookie2: a=1\r\nContent-Location: /x\r\nLocations: /y\r\nX-Note: Location: /z\r\n'), 0);
  assert.equal(present('X-Note: set-cookie\r\n'), 0, 'a header value naming them');
});

test('malformed status lines throw H1ParseError', () => {
  assertParseError('HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n', /invalid status line/);
  assertParseError('XTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', /invalid status line/);
  assertParseError('ICY 200 OK\r\nContent-Length: 0\r\n\r\n', /invalid status line/);
  assertParseError('HTTP/1.1200 OK\r\nContent-Length: 0\r\n\r\n', /invalid status line/);
  assertParseError('garbage\r\n\r\n', /invalid status line/);
  assertParseError('\r\n\r\n', /invalid status line/);
  assertParseError('HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n', /invalid status code/);
  assertParseError('HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n', /invalid status code/);
  assertParseError('HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n', /invalid status code/);
  assertParseError('HTTP/1.1 -00 OK\r\nContent-Length: 0\r\n\r\n', /invalid status code/);
});

test('status lines with a four-digit status, no space after the code, or a protocol other than HTTP/1.x throw H1ParseError', () => {
  assertParseError('HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n');
  assertParseError('HTTP/1.1 200OK\r\nContent-Length: 0\r\n\r\n');
  assertParseError('HTTX/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
  assertParseError('HTTP/1.x 200 OK\r\nContent-Length: 0\r\n\r\n');
});

test('malformed content-length throws H1ParseError: non-digits, empty, conflicting values', () => {
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 12a\r\n\r\n', /invalid content-length "12a"/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: +3\r\n\r\nabc', /invalid content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n', /invalid content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n', /invalid content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello', /invalid content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n', /empty content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length:   \r\n\r\n', /empty content-length/);
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 5\r\ncontent-length: 6\r\n\r\nhello!', /conflicting content-length/);
  // the same value twice is accepted
  const same = parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\nCONTENT-LENGTH: 5\r\n\r\nhello');
  assert.equal(same.messages[0]?.body, 'hello');
  assert.equal(same.busy, false);
  // surrounding blanks are not part of the value
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: \t3 \t\r\n\r\nabc').messages[0]?.body, 'abc');
});

test('malformed chunked framing throws H1ParseError', () => {
  const chunked = (rest: string): string => `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${rest}`;
  assertParseError(chunked('zz\r\nabc\r\n0\r\n\r\n'), /invalid chunk size "zz"/);
  assertParseError(chunked('5x\r\nhello\r\n0\r\n\r\n'), /invalid chunk size "5x"/);
  assertParseError(chunked('-5\r\nhello\r\n0\r\n\r\n'), /invalid chunk size/);
  assertParseError(chunked('\r\nabc\r\n0\r\n\r\n'), /invalid chunk size ""/);
  assertParseError(chunked(';ext\r\nabc\r\n0\r\n\r\n'), /invalid chunk size/);
  assertParseError(chunked('1000000000000\r\n'), /invalid chunk size/, false);
  assertParseError(chunked('5\r\nhelloXX0\r\n\r\n'), /chunk data not followed by CRLF/);
  assertParseError(chunked('1'.repeat(2000)), /chunk size line too long/);
  // 12 hex digits are allowed
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  assert.equal(p.execute(bytes(chunked('00000000000a\r\n0123456789\r\n0\r\n\r\n'))), 0);
  assert.equal(sink.messages[0]?.body, '0123456789');
});

test('a header line without a colon, or with an empty name, throws H1ParseError', () => {
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nNoColonHere\r\n\r\n', /invalid header line "NoColonHere"/);
  assertParseError('HTTP/1.1 200 OK\r\nNoColonHere\r\nX-Later: a:b\r\n\r\n', /invalid header line "NoColonHere"/);
  assertParseError('HTTP/1.1 200 OK\r\n: no name\r\n\r\n', /invalid header line/);
  // split anywhere, the error is the same
  const raw = bytes('HTTP/1.1 200 OK\r\nX-A: 1\r\nbroken\r\n\r\n');
  for (let i = 1; i < raw.length; i++) {
    const p = new H1Parser(new Collector());
    p.expect(false);
    const [a, b] = splitAt(raw, i) as [Buffer, Buffer];
    assert.throws(() => {
      p.execute(a);
      p.execute(b);
    }, H1ParseError);
  }
});

test('a header block over MAX_HEAD_BYTES without its end throws H1ParseError, in one piece or many', () => {
  const big = bytes('HTTP/1.1 200 OK\r\nX-Big: ' + 'a'.repeat(MAX_HEAD_BYTES));
  assert.ok(big.length > MAX_HEAD_BYTES);
  assertParseError(big, /larger than 65536 bytes/);
  // fed in 1 KiB pieces: accepted while under the limit, refused once over it
  const p = new H1Parser(new Collector());
  p.expect(false);
  let threw = false;
  let fed = 0;
  for (let i = 0; i < big.length && !threw; i += 1024) {
    const piece = big.subarray(i, Math.min(big.length, i + 1024));
    try {
      p.execute(piece);
      fed += piece.length;
    } catch (e) {
      assert.ok(e instanceof H1ParseError);
      threw = true;
    }
  }
  assert.equal(threw, true);
  assert.equal(fed, MAX_HEAD_BYTES, 'the piece that takes the pending head past the limit is refused');
  // just under the limit is fine
  const sink = new Collector();
  const q = new H1Parser(sink);
  q.expect(false);
  const head = 'HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Big: ';
  const value = 'b'.repeat(MAX_HEAD_BYTES - head.length - 4);
  assert.equal(q.execute(bytes(head + value + '\r\n\r\n')), 0);
  assert.equal(sink.messages[0]?.head.length, MAX_HEAD_BYTES - 'HTTP/1.1 200 OK\r\n'.length - '\r\n'.length, 'the block ends before the blank line');
});

test('a complete header block over MAX_HEAD_BYTES in one piece is refused', () => {
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Big: ' + 'a'.repeat(MAX_HEAD_BYTES + 10) + '\r\n\r\n', /larger than/);
});

test('execute returns the count of bytes after a complete message; an idle parser returns the whole input', () => {
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloEXTRA').extra, 5);
  assert.equal(parse('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\nXY').extra, 2);
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n').extra, 17);
  assert.equal(parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello').extra, 0);

  const sink = new Collector();
  const p = new H1Parser(sink);
  assert.equal(p.execute(bytes('unsolicited')), 11, 'before expect()');
  p.expect(false);
  assert.equal(p.execute(bytes('HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nab')), 0);
  assert.equal(p.execute(bytes('cdef')), 3, 'the rest of a piece that completes the message');
  assert.equal(p.execute(bytes('more')), 4, 'done: everything is extra');
  assert.deepEqual(sink.calls, ['head', 'body', 'body', 'done']);
  assert.equal(sink.messages[0]?.body, 'abc');
});

test('two responses back to back: the extra bytes, fed after expect(), parse as the second message', () => {
  const first = 'HTTP/1.1 200 OK\r\nKeep-Alive: timeout=5\r\nContent-Length: 3\r\n\r\none';
  const second = 'HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\ntwo\r\n0\r\n\r\n';
  const all = bytes(first + second);
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  const extra = p.execute(all);
  assert.equal(extra, second.length);
  assert.equal(p.keepAliveHintMs, 5000);
  p.expect(false);
  assert.equal(p.execute(all.subarray(all.length - extra)), 0);
  assert.equal(p.keepAliveHintMs, -1);
  assert.deepEqual(sink.messages, [
    { status: 200, statusText: 'OK', head: 'Keep-Alive: timeout=5\r\nContent-Length: 3\r\n', present: 0, body: 'one', keepAlive: true },
    { status: 404, statusText: 'Not Found', head: 'Transfer-Encoding: chunked\r\nConnection: close\r\n', present: 0, body: 'two', keepAlive: false },
  ]);
});

test('expect() drops a partial message left from before', () => {
  const sink = new Collector();
  const p = new H1Parser(sink);
  p.expect(false);
  p.execute(bytes('HTTP/1.1 200 OK\r\nContent-Le'));
  p.expect(false);
  assert.equal(p.execute(bytes('HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nx')), 0);
  assert.deepEqual(sink.messages, [{ status: 201, statusText: 'Created', head: 'Content-Length: 1\r\n', present: 0, body: 'x', keepAlive: true }]);
});

test('framing that a smuggling attack relies on is refused or not trusted', () => {
  // whitespace between a header name and the colon hides the header from some parsers and not others
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length : 3\r\n\r\nabc', /invalid header line "Content-Length : 3"/);
  assertParseError('HTTP/1.1 200 OK\r\n Content-Length: 3\r\n\r\nabc', /invalid header line/);
  // a length that does not fit a double exactly
  assertParseError('HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n', /invalid content-length "99999999999999999999999"/);
  // both framings: the chunked body is read, and the connection is not reused
  const both = parse('HTTP/1.1 200 OK\r\nContent-Length: 100\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n');
  assert.equal(both.messages[0]?.body, 'abc');
  assert.equal(both.messages[0]?.keepAlive, false);
});
