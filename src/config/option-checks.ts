import { closest } from '../util/closest.ts';
import { shown } from '../util/shown.ts';

/**
 * Checks the shape of one option value at `path` (e.g. `scenarios.api.gracefulStop`), pushing an error per
 * problem, and returns the value to go on with: as given when it is fine, undefined when it cannot be used
 * (then the defaults apply and later checks do not report it twice). Unknown keys are left out.
 */
export type Check = (value: unknown, path: string, errors: string[]) => unknown;

/** `a.b` for identifier-like keys, `a["x{y:z}"]` otherwise, as the key is written in a script. */
export function keyPath(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${JSON.stringify(key)}]`;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** out[k] = v as an own data property, even for a key like "__proto__" (a script's object may have one). */
function put(out: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
}

function typed(test: (v: unknown) => boolean, expected: string): Check {
  return (v, path, errors) => {
    if (test(v)) return v;
    errors.push(`${path}: must be ${expected}, got ${shown(v)}`);
    return undefined;
  };
}

/** Checked later, where it is used (durations parsed, numbers ranged): its key is known, its value passes. */
export const any: Check = (v) => v;
export const string = typed((v) => typeof v === 'string', 'a string');
export const number = typed((v) => typeof v === 'number' && Number.isFinite(v), 'a number');
export const boolean = typed((v) => typeof v === 'boolean', 'true or false');
export const func = typed((v) => typeof v === 'function', 'a function');
/** A duration's type; its text is parsed where it is used. */
export const duration = typed((v) => typeof v === 'string' || typeof v === 'number', 'a duration like "30s" or a number of milliseconds');

/** An object of any keys whose values pass `of`. */
export function record(of: Check, expected = 'an object'): Check {
  return (v, path, errors) => {
    if (!isPlainObject(v)) {
      errors.push(`${path}: must be ${expected}, got ${shown(v)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const y = of(x, keyPath(path, k), errors);
      if (y !== undefined) put(out, k, y);
    }
    return out;
  };
}

/** Names and string values: env, tags, headers. */
export const strings = record(string, 'an object of strings');

/** A list whose entries pass `of` (an entry `of` cannot use is left out). */
export function list(of: Check, expected = 'a list'): Check {
  return (v, path, errors) => {
    if (!Array.isArray(v)) {
      errors.push(`${path}: must be ${expected}, got ${shown(v)}`);
      return undefined;
    }
    const out: unknown[] = [];
    v.forEach((x: unknown, i) => {
      const y = of(x, `${path}[${i}]`, errors);
      if (y !== undefined) out.push(y);
    });
    return out;
  };
}

/** The error for a key no option has, with the closest known one when it is close. */
export function unknownKey(path: string, key: string, known: readonly string[], what = 'option'): string {
  const hint = closest(key, known);
  return `${keyPath(path, key)}: unknown ${what}${hint === undefined ? `; known: ${known.join(', ')}` : ` (did you mean "${hint}"?)`}`;
}

export interface ObjectOptions {
  /** Keys that are known but refused, reported by their own check (e.g. `llm.apiKey`): no "unknown" error. */
  readonly refused?: readonly string[];
  /** What the object must look like, for the error when it is not an object. */
  readonly expected?: string;
}

/** An object with these keys only, each checked by its own check. */
export function object(fields: Readonly<Record<string, Check>>, opts: ObjectOptions = {}): Check {
  const known = Object.keys(fields);
  return (v, path, errors) => {
    if (!isPlainObject(v)) {
      errors.push(`${path === '' ? 'the test definition' : path}: must be ${opts.expected ?? 'an object of options'}, got ${shown(v)}`);
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const check = Object.hasOwn(fields, k) ? fields[k] : undefined;
      if (check === undefined) {
        if (opts.refused?.includes(k) === true) put(out, k, x);
        else errors.push(unknownKey(path, k, known));
        continue;
      }
      if (x === undefined) continue;
      const y = check(x, keyPath(path, k), errors);
      if (y !== undefined) put(out, k, y);
    }
    return out;
  };
}
