import type { Stage } from '../config/definition.ts';
import { parseDuration } from '../util/duration.ts';

/** A flag value that does not parse: exit 104 with the flag and the value quoted. */
export class FlagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FlagError';
  }
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function parseKeyValues(list: readonly string[] | undefined, flag: string): Record<string, string> {
  const entries: [string, string][] = [];
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FlagError(`${flag} "${item}": expected KEY=VALUE`);
    entries.push([item.slice(0, eq), item.slice(eq + 1)]);
  }
  // fromEntries defines own properties: `-e __proto__=x` is kept, not swallowed by the prototype setter
  return Object.fromEntries(entries);
}

/** `--stage 30s:100` → { duration: '30s', target: 100 } */
export function parseStage(s: string): Stage {
  const m = /^([^:]+):(\d+)$/.exec(s.trim());
  if (m === null) throw new FlagError(`--stage "${s}": expected DURATION:TARGET, like 30s:100`);
  const duration = (m[1] as string).trim();
  try {
    parseDuration(duration);
  } catch (e) {
    throw new FlagError(`--stage "${s}": ${(e as Error).message.replace(/^duration: /, '')}`);
  }
  const target = Number(m[2]);
  if (!Number.isSafeInteger(target)) throw new FlagError(`--stage "${s}": target ${m[2]} is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  return { duration, target };
}

export function parsePositiveInt(v: string | undefined, flag: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) < min) throw new FlagError(`${flag} "${v}": expected an integer >= ${min}`);
  // past 2^53 the digits are rounded (or become Infinity): never a count anyone meant
  if (!Number.isSafeInteger(Number(v))) throw new FlagError(`${flag} "${v}": too large (at most ${Number.MAX_SAFE_INTEGER})`);
  return Number(v);
}

/** A decimal number (exponent allowed); not hex, binary, "Infinity" or what else Number() takes. */
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** A number > 0 (and >= `min` when given): `--time-scale 20`. */
export function parsePositiveNumber(v: string | undefined, flag: string, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = DECIMAL.test(v.trim()) ? Number(v) : Number.NaN;
  if (!Number.isFinite(n) || n <= 0 || n < min) throw new FlagError(`${flag} "${v}": expected a number ${min > 0 ? `>= ${min}` : '> 0'}`);
  return n;
}

/** `--segment 2/4` → { index: 1, count: 4 } */
export function parseSegment(v: string | undefined): { index: number; count: number } | undefined {
  if (v === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(v);
  if (m === null) throw new FlagError(`--segment "${v}": expected i/n, like 1/3`);
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (!Number.isSafeInteger(n)) throw new FlagError(`--segment "${v}": n is too large (at most ${Number.MAX_SAFE_INTEGER})`);
  if (n < 1 || i < 1 || i > n) throw new FlagError(`--segment "${v}": need 1 <= i <= n`);
  return { index: i - 1, count: n };
}

export function parseDurationFlag(v: string | undefined, flag: string): string | undefined {
  if (v === undefined) return undefined;
  try {
    parseDuration(v);
  } catch (e) {
    // `--duration "30x": not a duration (…)`: the flag and the value quoted once
    throw new FlagError(`${flag} "${v}": ${(e as Error).message.replace(/^duration: /, '').replace(`"${v}" is `, '')}`);
  }
  return v;
}

/** `--out json=FILE` (repeatable) → { json: FILE } */
export function parseOutputs(list: readonly string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const o of list ?? []) {
    const eq = o.indexOf('=');
    const kind = eq === -1 ? o : o.slice(0, eq);
    const path = eq === -1 ? '' : o.slice(eq + 1);
    if (kind !== 'json' && kind !== 'csv') throw new FlagError(`--out "${o}": unknown output "${kind}" (known: json=FILE, csv=FILE)`);
    if (path === '') throw new FlagError(`--out "${o}": expected ${kind}=FILE`);
    // one file per kind: a second one would silently replace the first
    if (out[kind] !== undefined) throw new FlagError(`--out "${o}": ${kind} output given twice (already --out "${kind}=${out[kind]}")`);
    out[kind] = path;
  }
  return out;
}
