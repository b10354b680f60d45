import { createWriteStream, type WriteStream } from 'node:fs';

function lineCount(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * A streamed output file (`--out json=`, `--out csv=`) that a failing disk cannot crash: the first
 * write error (ENOSPC, EIO) is reported once through `warn`, naming the file; from then on lines are
 * dropped and counted, and close() reports how many. The run and its exit code go on unchanged.
 */
export class SampleFile {
  readonly #stream: WriteStream;
  #error: Error | null = null;
  #dropped = 0;

  constructor(
    /** How the file is named in messages: `--out json=PATH`. */
    readonly label: string,
    path: string,
    private readonly warn: (message: string) => void,
  ) {
    this.#stream = createWriteStream(path, { flags: 'w' });
    this.#stream.on('error', (e) => this.#fail(e));
  }

  #fail(e: Error): void {
    if (this.#error !== null) return;
    this.#error = e;
    this.warn(`${this.label}: ${e.message}: samples are no longer written to it (the test goes on)`);
  }

  /** Write lines (each ending in a newline); dropped and counted once the file has failed. */
  write(lines: string): void {
    if (lines === '') return;
    if (this.#error !== null) {
      this.#dropped += lineCount(lines);
      return;
    }
    // a chunk the failure caught in the buffer is lost too: its callback gets the error
    this.#stream.write(lines, (e) => {
      if (e !== null && e !== undefined) {
        this.#dropped += lineCount(lines);
        this.#fail(e);
      }
    });
  }

  /** Lines not written because the file failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Flush and close; never rejects: a failure was reported, and the count of lost lines is reported here. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        if (this.#dropped > 0) this.warn(`${this.label}: ${this.#dropped} lines were not written (${this.#error?.message ?? 'write failed'})`);
        resolve();
      };
      // 'close' comes after the last write, and after a failure too
      if (this.#stream.closed) return done();
      this.#stream.once('close', done);
      this.#stream.end();
    });
  }
}
