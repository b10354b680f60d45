/**
 * Shared pieces of the parser fuzz suite (test/fuzz/*.fuzz.test.ts): seeded
 * parameters, arbitraries that reach the edges of a grammar, and the one
 * property every parser a user feeds must have — it returns a value that
 * satisfies its invariants, or throws its own typed error quoting the input.
 *
 * Runs are seeded (a fixed seed per property, derived from its name), so a
 * failure reproduces; fast-check prints the seed and the shrunk counterexample.
 * AGENTLOAD_FUZZ_RUNS=N runs more cases locally (default 300 per property).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';

export { fc };

const RUNS = Math.max(1, Math.min(100_000, Number(process.env.AGENTLOAD_FUZZ_RUNS ?? 300) || 300));

/** A 32-bit seed from a property's name (FNV-1a): stable across runs and machines. */
function seedOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** Seeded, bounded parameters for `fc.assert`. */
export function params(name: string, runs = RUNS): fc.Parameters<unknown> {
  return { seed: seedOf(name), numRuns: runs, includeErrorInReport: true };
}

/** Run a property under the seeded parameters. */
export function check<Ts extends [unknown, ...unknown[]]>(name: string, arbs: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> }, predicate: (...args: Ts) => void, runs?: number): void {
  fc.assert(fc.property(...arbs, predicate), params(name, runs) as fc.Parameters<Ts>);
}

/** Whitespace, invisible, look-alike and broken characters that trip hand-written parsers. */
export const ODD_CHARS = [
  '',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\u000b',
  '\u00a0',
  '\u2003',
  '\u200b',
  '\u2028',
  '\ufeff',
  '\u0000',
  '\ud800',
  '\u202e',
  'µ',
  'μ',
  'ｓ',
  '１',
  '٣',
  'é',
  '😀',
  '"',
  "'",
  '\\',
  '$',
  '%',
] as const;

export const oddChar: fc.Arbitrary<string> = fc.constantFrom(...ODD_CHARS);

/** Number-looking text: plain, huge, tiny, signed, exponents, hex, separators, non-ASCII digits, NaN/Infinity. */
export const numberText: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.nat({ max: 10_000 }).map(String) },
  { weight: 2, arbitrary: fc.double({ noNaN: false }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => '9'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 400 }).map((n) => `${'0'.repeat(n)}1`) },
  { weight: 1, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 40n }).map(String) },
  { weight: 1, arbitrary: fc.tuple(fc.nat({ max: 999 }), fc.nat({ max: 999_999 })).map(([a, b]) => `${a}.${b}`) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      '0',
      '-0',
      '-1',
      '+1',
      '.5',
      '5.',
      '1e3',
      '1E+3',
      '1e-400',
      '1e400',
      '5e-324',
      '0x10',
      '0b1',
      '0o7',
      '1_000',
      '1,5',
      'Infinity',
      '-Infinity',
      'NaN',
      '９',
      '٣',
      '9007199254740993',
      '2147483648',
    ),
  },
);

/**
 * Near-valid strings: the grammar's own tokens glued to numbers and odd
 * characters, so that most inputs get deep into the parser before they fail.
 */
export function nearValid(tokens: readonly string[], maxParts = 8): fc.Arbitrary<string> {
  return fc
    .array(
      fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom(...tokens) },
        { weight: 3, arbitrary: numberText },
        { weight: 1, arbitrary: oddChar },
        { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 3 }) },
      ),
      { maxLength: maxParts },
    )
    .map((parts) => parts.join(''));
}

/** Anything a user might type: near-valid text, random unicode, empty, and very long (bounded) strings. */
export function userText(tokens: readonly string[], maxParts = 8): fc.Arbitrary<string> {
  const near = nearValid(tokens, maxParts);
  return fc.oneof(
    { weight: 8, arbitrary: near },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
    { weight: 1, arbitrary: fc.tuple(near, fc.integer({ min: 50, max: 5000 })).map(([s, n]) => (s === '' ? 'x' : s).repeat(n).slice(0, 20_000)) },
  );
}

/** Pieces glued in order: a grammar's shape (`DURATION ":" TARGET`) with each piece valid or not. */
export function glue(...parts: fc.Arbitrary<string>[]): fc.Arbitrary<string> {
  return fc.tuple(...parts).map((p) => p.join(''));
}

/** One of several arbitraries, the structured ones weighted up: most inputs reach deep into the parser. */
export function mostly(structured: fc.Arbitrary<string>, free: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof({ weight: 3, arbitrary: structured }, { weight: 1, arbitrary: free });
}

type ErrorClass = abstract new (...args: never[]) => Error;

/**
 * The property: `parse()` returns a value (checked by `invariants`), or throws
 * `errorClass` with a message containing every string of `quoted`. Any other
 * exception — TypeError, RangeError, a stack overflow — fails the property.
 */
export function parsesOrFails<T>(parse: () => T, errorClass: ErrorClass, quoted: readonly string[], invariants: (value: T) => void): T | undefined {
  let value: T;
  try {
    value = parse();
  } catch (e) {
    assert.ok(e instanceof errorClass, `expected a ${errorClass.name}, got ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    // a parser that throws plain Error still must not throw the engine's own errors
    const builtin = [TypeError, RangeError, ReferenceError, SyntaxError].find((c) => e instanceof c);
    assert.ok(builtin === undefined || builtin === errorClass, `expected a ${errorClass.name}, got ${e.name}: ${e.message}`);
    for (const q of quoted) assert.ok(e.message.includes(q), `the ${errorClass.name} message does not quote ${JSON.stringify(q)}: ${JSON.stringify(e.message)}`);
    return undefined;
  }
  invariants(value);
  return value;
}

/** Arbitrary JSON-like data for files a user hands in (baselines, summaries, series). */
export const jsonish: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 4 });

/** A value of any type, as a JavaScript config file may hold where a string was expected. */
export const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(undefined, null, true, false, 0, -1, Number.NaN, Infinity, '', [], {}),
  fc.string({ maxLength: 10 }),
  fc.double(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);
