import { readFileSync } from 'node:fs';
import { findSourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A function of the script that belongs to one scenario (or to setup / teardown). */
export interface OwnedFunction {
  readonly owner: string;
  readonly fn: unknown;
}

/** Where a function is in its original source: lines are 1-based, the end is a whole line. */
interface Range {
  readonly owner: string;
  readonly file: string;
  readonly startLine: number;
  readonly startColumn: number;
  readonly endLine: number;
}

const FRAME = /\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

function asPath(file: string): string {
  return file.startsWith('file://') ? fileURLToPath(file) : file;
}

/**
 * Which scenario an error that escaped every iteration (an unhandled rejection,
 * an uncaught exception) comes from, without tracking async context (promise
 * hooks would tax every promise of the request loop):
 *
 * 1. its stack: the first frame inside a function of the script that belongs to
 *    one scenario (its `exec`, a task, `setup`, `teardown`) names it. A floating
 *    promise started in a scenario keeps that scenario's code on its stack, even
 *    after an await (the code is lexically inside the scenario's function);
 * 2. else the name says it is unsure: `unknown (one of: …)` lists what has run
 *    code in this worker — its scenarios, setup or teardown when they ran here,
 *    and `init` (the script's top level, whose promises may fail at any time).
 *    Only when nothing but the top level has run yet is it `init`.
 *
 * It never names a wrong scenario; at worst it says it does not know. A
 * function shared by several scenarios lists them all. The function ranges are
 * found once, at the first error (function text located in the bundle, mapped
 * to the source with its source map).
 */
export class ErrorScenarios {
  #ranges: Range[] | null = null;
  /** What has run code in this worker (scenarios as their VUs start, setup, teardown). */
  readonly #ran: string[] = [];

  constructor(
    private readonly bundlePath: string,
    /** null until the script is loaded (an error raised while it loads finds no scenario, and nothing is cached) */
    private readonly functions: () => readonly OwnedFunction[] | null,
  ) {}

  /** `owner` has started running code in this worker. */
  ran(owner: string): void {
    if (!this.#ran.includes(owner)) this.#ran.push(owner);
  }

  /** The scenario name to report an escaped error under; `proved` when it is one scenario (or setup, teardown, init) for sure. */
  resolve(err: unknown): { name: string; proved: boolean } {
    const owners = this.#fromStack(err);
    if (owners.length === 1) return { name: owners[0] as string, proved: true };
    if (owners.length > 1) return { name: `unknown (one of: ${owners.join(', ')})`, proved: false };
    if (this.#ran.length === 0) return { name: 'init', proved: true };
    return { name: `unknown (one of: ${[...this.#ran].sort().join(', ')}, init)`, proved: false };
  }

  #fromStack(err: unknown): string[] {
    const stack = err instanceof Error && typeof err.stack === 'string' ? err.stack : '';
    if (stack === '') return [];
    if (this.#ranges === null) {
      const functions = this.functions();
      if (functions === null) return [];
      this.#ranges = this.#findRanges(functions);
    }
    const ranges = this.#ranges;
    if (ranges.length === 0) return [];
    for (const line of stack.split('\n')) {
      if (!line.trimStart().startsWith('at ')) continue;
      const m = FRAME.exec(line);
      if (m === null) continue;
      const file = asPath(m[1] as string);
      const ln = Number(m[2]);
      const col = Number(m[3]);
      const owners = new Set<string>();
      for (const r of ranges) {
        if (r.file !== file) continue;
        if (ln < r.startLine || ln > r.endLine || (ln === r.startLine && col < r.startColumn)) continue;
        owners.add(r.owner);
      }
      if (owners.size > 0) return [...owners];
    }
    return [];
  }

  #findRanges(functions: readonly OwnedFunction[]): Range[] {
    let bundle: string;
    try {
      bundle = readFileSync(this.bundlePath, 'utf8');
    } catch {
      return [];
    }
    const map = findSourceMap(this.bundlePath);
    if (map === undefined) return [];
    const lineStarts = [0];
    for (let i = bundle.indexOf('\n'); i >= 0; i = bundle.indexOf('\n', i + 1)) lineStarts.push(i + 1);
    const position = (offset: number): { line: number; column: number } => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if ((lineStarts[mid] as number) <= offset) lo = mid;
        else hi = mid - 1;
      }
      return { line: lo, column: offset - (lineStarts[lo] as number) };
    };
    const ranges: Range[] = [];
    for (const { owner, fn } of functions) {
      if (typeof fn !== 'function') continue;
      const text = Function.prototype.toString.call(fn);
      const at = bundle.indexOf(text);
      // a text found twice could be either function: no range, rather than a wrong one
      if (at < 0 || bundle.indexOf(text, at + 1) >= 0) continue;
      const start = position(at);
      const end = position(at + text.length - 1);
      const s = map.findEntry(start.line, start.column) as { originalSource?: string; originalLine?: number; originalColumn?: number };
      const e = map.findEntry(end.line, end.column) as { originalSource?: string; originalLine?: number };
      if (s.originalSource === undefined || e.originalSource !== s.originalSource || s.originalLine === undefined || e.originalLine === undefined) continue;
      ranges.push({ owner, file: asPath(s.originalSource), startLine: s.originalLine + 1, startColumn: (s.originalColumn ?? 0) + 1, endLine: e.originalLine + 1 });
    }
    return ranges;
  }
}
