/**
 * An incremental HTTP/1.1 response parser for agentload's own connection pool
 * (h1-pool.ts): status line, header block, and a body delimited by
 * Content-Length, chunked transfer coding, or the end of the connection.
 * Built for the request loop: it never copies a body, never splits the header
 * block into strings (HttpResponse does that lazily when a script reads
 * headers), and reads the four headers that frame the message (content-length,
 * transfer-encoding, connection, keep-alive) straight from the bytes.
 */

/** Bits of `onHead`'s `present`: headers a client must act on, found without decoding the block. */
export const HAS_SET_COOKIE = 1;
export const HAS_LOCATION = 2;

/** Receives what the parser finds; one message at a time. */
export interface H1ParserSink {
  /**
   * Status line and headers. `headerBlock` holds the header lines ("Name: value\r\n" each), without the status
   * line; `present` has HAS_SET_COOKIE and HAS_LOCATION set when those headers are there.
   */
  onHead(status: number, statusText: string, headerBlock: Buffer, present: number): void;
  onBody(chunk: Buffer): void;
  /** The message is complete; `keepAlive` says whether the connection may carry another request. */
  onDone(keepAlive: boolean): void;
}

/** Malformed input from the server: the connection cannot be trusted any more. */
export class H1ParseError extends Error {
  readonly code = 'HPE_INVALID_RESPONSE';
}

const enum State {
  Head,
  Length,
  ChunkSize,
  ChunkData,
  ChunkEnd,
  Trailers,
  UntilClose,
  Idle,
}

const CR = 13;
const LF = 10;
const CRLFCRLF = Buffer.from('\r\n\r\n', 'latin1');
/** Larger header blocks are refused (Node's http parser allows 16 KiB; undici 16 KiB as well). */
export const MAX_HEAD_BYTES = 64 * 1024;

/** Case-insensitive comparison of buf[start, start + lower.length) with a lower-case ASCII name. */
function nameIs(buf: Buffer, start: number, end: number, lower: string): boolean {
  if (end - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const c = buf[start + i] as number;
    if ((c >= 65 && c <= 90 ? c + 32 : c) !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/** Whether buf[start, end) contains `lower` as a comma-separated token (case-insensitive). */
function hasToken(buf: Buffer, start: number, end: number, lower: string): boolean {
  // the usual case, a single token ("keep-alive", "close", "chunked"), without decoding
  let comma = false;
  for (let i = start; i < end && !comma; i++) comma = buf[i] === 44; /* , */
  if (!comma) return nameIs(buf, start, end, lower);
  return buf.toString('latin1', start, end).toLowerCase().split(',').some((t) => t.trim() === lower);
}

function trimStart(buf: Buffer, i: number, end: number): number {
  while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
  return i;
}

function trimEnd(buf: Buffer, start: number, end: number): number {
  while (end > start && (buf[end - 1] === 32 || buf[end - 1] === 9)) end--;
  return end;
}

export class H1Parser {
  #state = State.Idle;
  #remaining = 0;
  #pending: Buffer | null = null;
  #keepAlive = true;
  #noBody = false;
  /** The server's Keep-Alive timeout hint in ms from the last response, or -1. */
  keepAliveHintMs = -1;
  /**
   * The body length the current response announces (Content-Length), set before `onHead` is called; -1 when
   * it announces none (chunked, until close, or no body), so that a client can refuse a body before reading it.
   */
  contentLength = -1;

  constructor(private readonly sink: H1ParserSink) {}

  /** Expect the response to the next request; `noBody` for HEAD (a response to it has no body whatever it says). */
  expect(noBody: boolean): void {
    this.#state = State.Head;
    this.#noBody = noBody;
    this.#pending = null;
    this.keepAliveHintMs = -1;
  }

  /** True while a message is incomplete. */
  get busy(): boolean {
    return this.#state !== State.Idle;
  }

  /** True once the status line and headers of the awaited response have arrived. */
  get headersSeen(): boolean {
    return this.#state !== State.Head && this.#state !== State.Idle;
  }

  /** True when the body runs to the end of the connection (neither length nor chunked). */
  get untilClose(): boolean {
    return this.#state === State.UntilClose;
  }

  /** The connection ended: completes a body delimited by the close; returns false if a message was cut short. */
  end(): boolean {
    if (this.#state === State.UntilClose) {
      this.#state = State.Idle;
      this.sink.onDone(false);
      return true;
    }
    return this.#state === State.Idle;
  }

  /** Feed bytes from the socket. Returns the count of bytes past the end of the message (the server sent more than asked). */
  execute(input: Buffer): number {
    let buf = input;
    if (this.#pending !== null) {
      buf = Buffer.concat([this.#pending, input]);
      this.#pending = null;
    }
    let i = 0;
    const len = buf.length;
    while (i < len) {
      switch (this.#state) {
        case State.Idle:
          return len - i;
        case State.Head: {
          const at = buf.indexOf(CRLFCRLF, i);
          if (at === -1 ? len - i > MAX_HEAD_BYTES : at + 4 - i > MAX_HEAD_BYTES) throw new H1ParseError(`response headers larger than ${MAX_HEAD_BYTES} bytes`);
          if (at === -1) {
            this.#pending = Buffer.from(buf.subarray(i));
            return 0;
          }
          this.#head(buf, i, at + 2);
          i = at + 4;
          break;
        }
        case State.Length:
        case State.ChunkData: {
          const n = Math.min(this.#remaining, len - i);
          this.sink.onBody(i === 0 && n === len ? buf : buf.subarray(i, i + n));
          i += n;
          this.#remaining -= n;
          if (this.#remaining === 0) {
            if (this.#state === State.Length) this.#done();
            else this.#state = State.ChunkEnd;
          }
          break;
        }
        case State.ChunkEnd: {
          if (len - i < 2) {
            this.#pending = Buffer.from(buf.subarray(i));
            return 0;
          }
          if (buf[i] !== CR || buf[i + 1] !== LF) throw new H1ParseError('chunk data not followed by CRLF');
          i += 2;
          this.#state = State.ChunkSize;
          break;
        }
        case State.ChunkSize: {
          const eol = buf.indexOf(LF, i);
          if (eol === -1) {
            if (len - i > 1024) throw new H1ParseError('chunk size line too long');
            this.#pending = Buffer.from(buf.subarray(i));
            return 0;
          }
          let size = 0;
          let digits = 0;
          let j = i;
          for (; j < eol; j++) {
            const c = buf[j] as number;
            const d = c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : c >= 65 && c <= 70 ? c - 55 : -1;
            if (d === -1) break;
            size = size * 16 + d;
            digits++;
          }
          if (digits === 0 || digits > 12 || (buf[j] !== 59 /* ; */ && buf[j] !== CR && buf[j] !== 32 && buf[j] !== 9)) {
            throw new H1ParseError(`invalid chunk size "${buf.toString('latin1', i, eol).trim()}"`);
          }
          i = eol + 1;
          if (size === 0) {
            this.#state = State.Trailers;
          } else {
            this.#remaining = size;
            this.#state = State.ChunkData;
          }
          break;
        }
        case State.Trailers: {
          const eol = buf.indexOf(LF, i);
          if (eol === -1) {
            if (len - i > MAX_HEAD_BYTES) throw new H1ParseError('trailers too large');
            this.#pending = Buffer.from(buf.subarray(i));
            return 0;
          }
          const empty = eol === i || (eol === i + 1 && buf[i] === CR);
          i = eol + 1;
          if (empty) this.#done();
          break;
        }
        case State.UntilClose:
          this.sink.onBody(i === 0 ? buf : buf.subarray(i));
          return 0;
      }
    }
    return 0;
  }

  #done(): void {
    this.#state = State.Idle;
    this.sink.onDone(this.#keepAlive);
  }

  /** Parse buf[start, end): the status line and header lines, each ending in CRLF. */
  #head(buf: Buffer, start: number, end: number): void {
    // "HTTP/1.x SSS reason\r\n" (the reason may be empty: "HTTP/1.1 200\r\n")
    const minorByte = buf[start + 7] as number;
    const afterCode = buf[start + 12];
    if (
      end - start < 14 ||
      buf[start] !== 72 /* H */ ||
      buf[start + 1] !== 84 /* T */ ||
      buf[start + 2] !== 84 ||
      buf[start + 3] !== 80 /* P */ ||
      buf[start + 4] !== 47 /* / */ ||
      buf[start + 5] !== 49 /* 1 */ ||
      buf[start + 6] !== 46 /* . */ ||
      (minorByte !== 48 && minorByte !== 49) ||
      buf[start + 8] !== 32
    ) {
      throw new H1ParseError(`invalid status line "${buf.toString('latin1', start, Math.min(end, start + 40)).split('\r')[0] ?? ''}"`);
    }
    const minor = minorByte - 48;
    const s0 = (buf[start + 9] as number) - 48;
    const s1 = (buf[start + 10] as number) - 48;
    const s2 = (buf[start + 11] as number) - 48;
    if (s0 < 1 || s0 > 9 || s1 < 0 || s1 > 9 || s2 < 0 || s2 > 9) throw new H1ParseError('invalid status code');
    if (afterCode !== 32 && afterCode !== CR) throw new H1ParseError(`invalid status line "${buf.toString('latin1', start, Math.min(end, start + 40)).split('\r')[0] ?? ''}"`);
    const status = s0 * 100 + s1 * 10 + s2;
    const lineEnd = buf.indexOf(LF, start);
    const reasonEnd = buf[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd;
    const statusText = reasonEnd > start + 13 ? buf.toString('latin1', start + 13, reasonEnd) : '';

    let contentLength = -1;
    let chunked = false;
    let close = minor === 0;
    let keepAliveHint = -1;
    let present = 0;
    const blockStart = lineEnd + 1;
    let i = blockStart;
    while (i < end) {
      const eol = buf.indexOf(LF, i);
      const stop = eol === -1 || eol > end ? end : eol;
      const colon = buf.indexOf(58 /* : */, i);
      if (colon === -1 || colon > stop || colon === i || buf[colon - 1] === 32 || buf[colon - 1] === 9 || buf[i] === 32 || buf[i] === 9) {
        throw new H1ParseError(`invalid header line "${buf.toString('latin1', i, stop).trim()}"`);
      }
      const vs = trimStart(buf, colon + 1, stop);
      const ve = trimEnd(buf, vs, buf[stop - 1] === CR ? stop - 1 : stop);
      const nameLen = colon - i;
      const first = (buf[i] as number) | 0x20;
      if (nameLen === 14 && first === 99 /* c */ && nameIs(buf, i, colon, 'content-length')) {
        let n = 0;
        if (ve === vs) throw new H1ParseError('empty content-length');
        if (ve - vs > 15) throw new H1ParseError(`invalid content-length "${buf.toString('latin1', vs, ve)}"`);
        for (let j = vs; j < ve; j++) {
          const c = (buf[j] as number) - 48;
          if (c < 0 || c > 9) throw new H1ParseError(`invalid content-length "${buf.toString('latin1', vs, ve)}"`);
          n = n * 10 + c;
        }
        if (contentLength !== -1 && contentLength !== n) throw new H1ParseError('conflicting content-length headers');
        contentLength = n;
      } else if (nameLen === 17 && first === 116 /* t */ && nameIs(buf, i, colon, 'transfer-encoding')) {
        chunked = hasToken(buf, vs, ve, 'chunked');
      } else if (nameLen === 10 && first === 99 && nameIs(buf, i, colon, 'connection')) {
        if (hasToken(buf, vs, ve, 'close')) close = true;
        else if (minor === 0 && hasToken(buf, vs, ve, 'keep-alive')) close = false;
      } else if (nameLen === 10 && first === 107 /* k */ && nameIs(buf, i, colon, 'keep-alive')) {
        const m = /timeout\s*=\s*(\d+)/i.exec(buf.toString('latin1', vs, ve));
        if (m !== null) keepAliveHint = Number(m[1]) * 1000;
      } else if (nameLen === 10 && first === 115 /* s */ && nameIs(buf, i, colon, 'set-cookie')) {
        present |= HAS_SET_COOKIE;
      } else if (nameLen === 8 && first === 108 /* l */ && nameIs(buf, i, colon, 'location')) {
        present |= HAS_LOCATION;
      }
      i = stop + 1;
    }

    // 1xx (100 Continue, 103 Early Hints): informational, the real response follows
    if (status < 200) {
      if (status === 101) throw new H1ParseError('unexpected 101 Switching Protocols');
      return;
    }
    // both framings: chunked wins (RFC 9112 6.3), and the connection is not trusted for another message
    if (chunked && contentLength !== -1) close = true;
    this.#keepAlive = !close;
    this.keepAliveHintMs = keepAliveHint;
    const noBody = this.#noBody || status === 204 || status === 304;
    this.contentLength = noBody || chunked ? -1 : contentLength;
    this.sink.onHead(status, statusText, buf.subarray(blockStart, end), present);
    if (noBody) {
      this.#done();
    } else if (chunked) {
      this.#state = State.ChunkSize;
    } else if (contentLength >= 0) {
      this.#remaining = contentLength;
      if (contentLength === 0) this.#done();
      else this.#state = State.Length;
    } else {
      this.#keepAlive = false;
      this.#state = State.UntilClose;
    }
  }
}
