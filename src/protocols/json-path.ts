/**
 * k6's `res.json(selector)`: a GJSON path (github.com/tidwall/gjson, SYNTAX.md), the part of it scripts use.
 * No npm package implements GJSON paths (there is no JavaScript port worth depending on), so this is the
 * documented subset, and every selector outside it is refused with an error naming it: a selector half
 * understood would return a wrong value silently.
 *
 *   path       = component *( "." component )
 *   component  = key | index | "#"
 *   key        = 1*( char | "\" any )      ; "\" escapes the next character: fav\.movie
 *   index      = "0" | %x31-39 *DIGIT       ; an array element (on an object, a key like any other)
 *   "#"        = the length of an array when last; otherwise the rest of the path applied to every element,
 *                elements where it finds nothing left out (friends.#.first)
 *
 * Refused, with an error naming the selector: wildcards (* ?), queries (#(…)), modifiers (@reverse), pipes (|),
 * multipaths ([…] {…}), literals (!true), and what other path languages write (items[0], $.items), which GJSON
 * would read as keys that are not there.
 */

/** One step of a compiled selector. */
export type Step = { readonly kind: 'key'; readonly key: string } | { readonly kind: 'each' };

const SUPPORTED =
  'supported: keys (a.b), array indexes (items.0.id), items.# (length), items.#.id (a key of every element) and "\\" to escape a special character (fav\\.movie)';

/** A selector split into steps; throws naming the selector when it is outside the subset. */
export function compileSelector(selector: string): readonly Step[] {
  const fail = (why: string): never => {
    throw new Error(`res.json(${JSON.stringify(selector)}): ${why}; ${SUPPORTED}`);
  };
  if (typeof selector !== 'string') throw new TypeError(`res.json(selector): the selector must be a string like "items.0.id", got ${typeof selector}`);
  if (selector === '') fail('an empty selector (call res.json() for the whole body)');
  const first = selector[0];
  if (first === '!') fail('literals (!…) are not supported');
  if (first === '[' || first === '{') fail('multipaths ([…] and {…}) are not supported');
  if (selector === '$' || selector.startsWith('$.')) fail('GJSON paths have no "$": write items.0.id for $.items[0].id');
  const steps: Step[] = [];
  let key = '';
  /** The component began with an unescaped "#" or "@", which GJSON reads as an operator. */
  let operator = false;
  const end = (): void => {
    if (!operator) {
      if (key === '') fail('an empty key (".." or a "." at either end; escape a literal dot as "\\.")');
      steps.push({ kind: 'key', key });
    } else if (key === '#') {
      steps.push({ kind: 'each' });
    } else if (key.startsWith('@')) {
      fail(`modifiers (${key}) are not supported (escape a literal "@" as "\\@")`);
    } else {
      fail(`"${key}": "#" stands alone between dots (escape a literal "#" as "\\#")`);
    }
    key = '';
    operator = false;
  };
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i] as string;
    if (c === '\\') {
      if (i === selector.length - 1) fail('a "\\" at the end escapes nothing');
      key += selector[++i] as string;
      continue;
    }
    if (c === '.') {
      end();
      continue;
    }
    if (c === '*' || c === '?') fail('wildcards (* and ?) are not supported (escape them with "\\" to match them literally)');
    if (c === '|') fail('pipes (|) are not supported');
    if (c === '[' || c === ']') fail('brackets are not GJSON: write items.0.id for items[0].id (escape a literal bracket as "\\[")');
    if (c === '{' || c === '}') fail('multipaths ({…}) are not supported');
    if (operator && key === '#' && c === '(') fail('queries #(…) are not supported');
    if (key === '' && (c === '#' || c === '@')) operator = true;
    key += c;
  }
  end();
  return steps;
}

const INDEX = /^(?:0|[1-9][0-9]*)$/;

function select(value: unknown, steps: readonly Step[], from: number): unknown {
  let v = value;
  for (let i = from; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (step.kind === 'each') {
      if (!Array.isArray(v)) return undefined;
      if (i === steps.length - 1) return v.length;
      const out: unknown[] = [];
      for (const el of v) {
        const x = select(el, steps, i + 1);
        if (x !== undefined) out.push(x);
      }
      return out;
    }
    if (Array.isArray(v)) {
      if (!INDEX.test(step.key)) return undefined;
      v = v[Number(step.key)];
    } else if (typeof v === 'object' && v !== null && Object.hasOwn(v, step.key)) {
      v = (v as Record<string, unknown>)[step.key];
    } else {
      return undefined;
    }
    if (v === undefined) return undefined;
  }
  return v;
}

/** The value a compiled selector finds in parsed JSON, or undefined when it finds nothing (as k6 does). */
export function selectSteps(value: unknown, steps: readonly Step[]): unknown {
  return select(value, steps, 0);
}

/** The value at `selector` in parsed JSON, or undefined when the path finds nothing. */
export function selectJson(value: unknown, selector: string): unknown {
  return select(value, compileSelector(selector), 0);
}
