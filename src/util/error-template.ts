import { withoutCredentials } from './url-credentials.ts';
import { isId, urlTemplate } from './url-template.ts';

/**
 * Iteration errors are grouped by message template, so that `item 8412 not
 * found` and `item 77 not found` are one kind of error with one example and
 * a count, however many distinct messages a run throws. The template of a
 * message has (in this order):
 *   - URLs as their path template (util/url-template.ts: ids as {id}, no query, user part masked);
 *   - quoted values ("…", '…', `…`) as "…";
 *   - ids (ID_RULES: UUIDs, hex, long tokens) as {id};
 *   - numbers as {n}.
 */

/** Kinds of error a worker and the controller keep; further kinds are counted in iteration_errors only. */
export const MAX_ERROR_TEMPLATES = 1000;
/** Kinds listed in summary.json (most frequent first); the rest are counted in `errorsNotListed`. */
export const MAX_LISTED_ERRORS = 100;
/** Kinds the console shows as they first happen; then one line says further ones are counted, not shown. */
export const MAX_ERROR_LINES = 20;
/** An example message is cut to this many characters (a whole response body in a message stays out of the files). */
export const MAX_ERROR_MESSAGE = 1000;

const URL_RE = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'`<>]+/gi;
const TRAILING = /[.,;:!?)\]}]+$/;
const DOUBLE = /"[^"\n]*"/g;
const BACKTICK = /`[^`\n]*`/g;
// a single quote opens after a non-word character and closes before one, so that "can't" and "don't" are words
const SINGLE = /(^|[^\w'])'[^'\n]*'(?=$|[^\w'])/g;
const WORD = /[A-Za-z0-9_.~=+-]{8,}/g;
const NUMBER = /\b\d+(?:\.\d+)?(?:e[+-]?\d+)?\b/gi;
const DECIMAL = /^\d+(?:\.\d+)?$/;
/** Marks a URL template kept aside while the other rules run (restored in order). */
const HOLD = /\uE000/g;

/** An example message as summary.json keeps it: user parts of URLs masked, at most MAX_ERROR_MESSAGE characters. */
export function exampleMessage(message: string): string {
  const m = withoutCredentials(message);
  return m.length <= MAX_ERROR_MESSAGE ? m : `${m.slice(0, MAX_ERROR_MESSAGE - 1)}…`;
}

/** The template of an error message (see above). */
export function errorTemplate(message: string): string {
  const held: string[] = [];
  let t = message.length > MAX_ERROR_MESSAGE ? message.slice(0, MAX_ERROR_MESSAGE) : message;
  t = t.replace(URL_RE, (url) => {
    const tail = TRAILING.exec(url)?.[0] ?? '';
    held.push(urlTemplate(url.slice(0, url.length - tail.length)));
    return `\uE000${tail}`;
  });
  t = t.replace(DOUBLE, '"…"').replace(BACKTICK, '"…"').replace(SINGLE, '$1"…"');
  t = t.replace(WORD, (w) => {
    const word = w.replace(/[.=+~-]+$/, '');
    // plain numbers are left to the number rule ({n})
    return !DECIMAL.test(word) && isId(word) ? `{id}${w.slice(word.length)}` : w;
  });
  t = t.replace(NUMBER, '{n}');
  let next = 0;
  return t.replace(HOLD, () => held[next++] ?? '');
}

/** Counts of what a capped error list leaves out. */
export interface NotListed {
  /** Errors not counted in any listed kind (iteration_errors minus the listed counts). */
  readonly errors: number;
  /** Kinds known but not listed (kinds past MAX_ERROR_TEMPLATES per worker are counted as errors only). */
  readonly templates: number;
}

/**
 * The most frequent kinds (at most MAX_LISTED_ERRORS, ties in the order first
 * seen) and what the list leaves out, given every error counted (`total`,
 * iteration_errors) and kinds known beyond `groups` (`moreTemplates`).
 */
export function listErrors<T extends { readonly count: number }>(groups: readonly T[], total: number, moreTemplates = 0): { listed: T[]; notListed: NotListed } {
  const listed = groups
    .map((g, i) => ({ g, i }))
    .sort((a, b) => b.g.count - a.g.count || a.i - b.i)
    .slice(0, MAX_LISTED_ERRORS)
    .map((x) => x.g);
  const counted = listed.reduce((n, g) => n + g.count, 0);
  return { listed, notListed: { errors: Math.max(0, total - counted), templates: groups.length - listed.length + moreTemplates } };
}
