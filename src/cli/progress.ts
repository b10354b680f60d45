import pc from 'picocolors';
import type { ProgressState } from '../engine/run-options.ts';
import { formatMs } from '../report/format.ts';
import { writeOwn } from '../engine/script-output.ts';

function clock(ms: number): string {
  const s = Math.floor(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const p = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${p(m)}:${p(sec)}` : `${p(m)}:${p(sec)}`;
}

/** One progress line: elapsed/total with a bar, VUs, iterations/s, requests/s, p95, error %. */
export function progressLine(p: ProgressState, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const frac = p.totalMs > 0 ? Math.min(1, p.elapsedMs / p.totalMs) : 0;
  const barWidth = 20;
  const filled = Math.round(frac * barWidth);
  const bar = `[${c.cyan('='.repeat(filled))}${' '.repeat(barWidth - filled)}]`;
  const parts = [
    `${p.stopping ? c.yellow('stopping') : p.elapsedMs > p.totalMs ? 'finishing' : 'running'} ${clock(p.elapsedMs)}/${clock(p.totalMs)} ${bar}`,
    `${p.vus}/${p.vusMax} VUs`,
    `${p.iterations} iters ${p.iterationsPerSec.toFixed(0)}/s`,
    `${p.requestsPerSec.toFixed(0)} req/s`,
    `p95 ${p.p95Ms === null ? '-' : formatMs(p.p95Ms)}`,
    `err ${p.errorRate === null ? '-' : `${(p.errorRate * 100).toFixed(2)}%`}`,
  ];
  return parts.join('  ');
}

/** Renders progress on stderr: a live line in a TTY, a plain line every 10 s otherwise. */
export class ProgressRenderer {
  #last = 0;
  #live: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly color: boolean,
  ) {
    this.#live = stream.isTTY === true;
  }

  update(p: ProgressState): void {
    if (this.#live) {
      writeOwn(this.stream, `\r\x1b[2K${progressLine(p, { color: this.color })}`);
    } else if (p.elapsedMs - this.#last >= 10_000) {
      this.#last = p.elapsedMs;
      writeOwn(this.stream, `${progressLine(p, { color: false })}\n`);
    }
  }

  /** Print a line without garbling the live progress line. */
  log(line: string): void {
    writeOwn(this.stream, this.#live ? `\r\x1b[2K${line}\n` : `${line}\n`);
  }

  done(): void {
    if (this.#live) writeOwn(this.stream, '\r\x1b[2K');
  }
}
