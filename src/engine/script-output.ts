import type { Readable } from 'node:stream';
import type { Worker } from 'node:worker_threads';
import type { Redactor, StreamRedaction } from './redaction.ts';

type Which = 'stdout' | 'stderr';

/** Writes in progress through writeOwn(): they pass the hold and the redaction (see below). */
let ownWrites = 0;

/**
 * Write one of agentload's own lines (already redacted by its caller) straight out, past the hold of the
 * script's output while it loads: a user who presses Ctrl-C during a load that hangs sees the answer at once.
 */
export function writeOwn(stream: NodeJS.WritableStream, text: string): void {
  ownWrites++;
  try {
    stream.write(text);
  } finally {
    ownWrites--;
  }
}
type WriteFn = (chunk: unknown, encoding?: unknown, cb?: unknown) => boolean;

/**
 * The script's own output (console.* and process.stdout/stderr writes, at the
 * top level, in setup, scenarios and teardown) with secrets redacted, without
 * touching the request loop:
 *
 * - workers are created with `stdout: true, stderr: true`: what they write
 *   arrives here as streams, redacted (a secret split across writes too) and
 *   written in order, per worker; `drain()` waits until every worker's output
 *   has arrived, so that nothing is lost when the run ends;
 * - on the main thread, where the controller imports the script to resolve
 *   its plan, process.stdout/stderr are routed through the redactor for the
 *   run. While the script is being imported, what is written is held, because
 *   the secrets the script itself names (llm.apiKeyEnv, its env, credential
 *   headers) are known only once it is loaded; `release()` writes it out. An
 *   exit before that (a second signal during a hanging load) still writes it,
 *   redacted with the secrets known then.
 *
 * agentload's own lines on the main thread pass through the same route; they
 * are already redacted, and redacting twice changes nothing. The progress
 * renderer's lines (signals, warnings) go out through writeOwn(), never held.
 */
export class ScriptOutput {
  #held: { which: Which; chunk: string | Uint8Array; encoding: BufferEncoding | undefined }[] | null = null;
  #patched: { which: Which; stream: NodeJS.WriteStream; original: WriteFn; patch: WriteFn; own: boolean }[] = [];
  #active = false;
  #pipes: Promise<void>[] = [];
  #tails = new Set<{ which: Which; redaction: StreamRedaction }>();
  readonly #onExit = (): void => this.#flushAll();

  constructor(private readonly redactor: Redactor) {}

  /** Route the main thread's stdout and stderr through the redactor, holding what is written until release(). */
  capture(): void {
    if (this.#active) return;
    this.#active = true;
    this.#held = [];
    process.once('exit', this.#onExit);
    for (const which of ['stdout', 'stderr'] as const) {
      const stream = process[which];
      const own = Object.prototype.hasOwnProperty.call(stream, 'write');
      const original = stream.write as WriteFn;
      const patch: WriteFn = (chunk, encoding, cb) => {
        if (!this.#active || ownWrites > 0) return original.call(stream, chunk, encoding, cb);
        const callback = typeof encoding === 'function' ? encoding : cb;
        const enc = typeof encoding === 'string' ? (encoding as BufferEncoding) : undefined;
        if (this.#held !== null && (typeof chunk === 'string' || chunk instanceof Uint8Array)) {
          this.#held.push({ which, chunk: typeof chunk === 'string' ? chunk : Buffer.from(chunk), encoding: enc });
          if (typeof callback === 'function') process.nextTick(callback as () => void);
          return true;
        }
        return original.call(stream, this.#redact(chunk, enc), encoding, cb);
      };
      stream.write = patch as typeof stream.write;
      this.#patched.push({ which, stream, original, patch, own });
    }
  }

  /** Write what was held (redacted with every secret known now) and pass writes through from now on. */
  release(): void {
    const held = this.#held;
    if (held === null) return;
    this.#held = null;
    // held writes are redacted together: a secret split across two of them is caught as well
    let run: { which: Which; text: string } | null = null;
    const flush = (): void => {
      if (run !== null && run.text !== '') this.#writeOut(run.which, this.redactor.text(run.text));
      run = null;
    };
    for (const h of held) {
      const text = typeof h.chunk === 'string' ? (h.encoding === undefined || isUtf8(h.encoding) ? h.chunk : Buffer.from(h.chunk, h.encoding).toString()) : Buffer.from(h.chunk).toString();
      if (run !== null && run.which !== h.which) flush();
      if (run === null) run = { which: h.which, text };
      else run.text += text;
    }
    flush();
  }

  /** Take a worker's stdout and stderr (it must be created with `stdout: true, stderr: true`). */
  pipe(worker: Worker): void {
    for (const which of ['stdout', 'stderr'] as const) {
      const source: Readable = worker[which];
      const tail = { which, redaction: this.redactor.stream() };
      this.#tails.add(tail);
      source.setEncoding('utf8');
      source.on('data', (s: string) => {
        const out = tail.redaction.push(s);
        if (out !== '') this.#emit(which, out);
      });
      this.#pipes.push(
        new Promise<void>((resolve) => {
          const done = (): void => {
            if (!this.#tails.delete(tail)) return;
            const rest = tail.redaction.end();
            if (rest !== '') this.#emit(which, rest);
            resolve();
          };
          source.once('end', done);
          source.once('close', done);
          source.once('error', done);
        }),
      );
    }
  }

  /** Wait until the output of every worker piped has arrived (their streams end when they exit), at most `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(this.#pipes), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  /** End of the run: write whatever is still held, and give stdout and stderr back. */
  restore(): void {
    this.#flushAll();
    process.off('exit', this.#onExit);
    this.#active = false;
    for (const p of this.#patched) {
      // another layer patched it after us: ours stays in its chain, inert (it passes writes through)
      if (p.stream.write !== (p.patch as typeof p.stream.write)) continue;
      if (p.own) p.stream.write = p.original as typeof p.stream.write;
      else delete (p.stream as { write?: unknown }).write;
    }
    this.#patched = [];
  }

  #flushAll(): void {
    this.release();
    for (const t of this.#tails) {
      const rest = t.redaction.end();
      if (rest !== '') this.#writeOut(t.which, rest);
    }
  }

  #emit(which: Which, text: string): void {
    if (this.#held !== null) this.#held.push({ which, chunk: text, encoding: undefined });
    else this.#writeOut(which, text);
  }

  /** Write past our own patch (the text is redacted already). */
  #writeOut(which: Which, text: string): void {
    const p = this.#patched.find((x) => x.which === which);
    if (p !== undefined) p.original.call(p.stream, text);
    else process[which].write(text);
  }

  #redact(chunk: unknown, encoding: BufferEncoding | undefined): unknown {
    if (!this.redactor.active) return chunk;
    if (typeof chunk === 'string') return encoding === undefined || isUtf8(encoding) ? this.redactor.text(chunk) : chunk;
    if (chunk instanceof Uint8Array) {
      // bytes are rewritten only when they hold a secret (binary output stays as it is)
      const buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      return this.redactor.forms.some((f) => buf.includes(f)) ? this.redactor.text(buf.toString()) : chunk;
    }
    return chunk;
  }
}

function isUtf8(encoding: string): boolean {
  return encoding === 'utf8' || encoding === 'utf-8';
}
