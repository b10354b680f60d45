// The words the mock LLM "generates". Every token is one word; its text is
// taken from tables built once at load time, so that streaming a token
// allocates nothing for the text or the event object.
import type { Prng } from './prng.ts';

const WORDS = [
  'agent', 'answer', 'request', 'system', 'model', 'token', 'stream', 'task', 'plan', 'step',
  'result', 'value', 'context', 'memory', 'query', 'service', 'latency', 'budget', 'cache', 'queue',
  'worker', 'message', 'signal', 'record', 'report', 'metric', 'update', 'review', 'status', 'graph',
  'node', 'edge', 'branch', 'policy', 'schema', 'field', 'index', 'vector', 'summary', 'detail',
  'the', 'a', 'an', 'this', 'that', 'each', 'every', 'some', 'many', 'few',
  'is', 'was', 'will', 'can', 'should', 'might', 'must', 'does', 'has', 'keeps',
  'runs', 'sends', 'reads', 'writes', 'builds', 'checks', 'finds', 'makes', 'takes', 'moves',
  'returns', 'handles', 'covers', 'shows', 'holds', 'starts', 'stops', 'waits', 'tracks', 'joins',
  'and', 'or', 'but', 'so', 'then', 'when', 'while', 'because', 'after', 'before',
  'with', 'without', 'for', 'from', 'into', 'over', 'under', 'through', 'between', 'across',
  'quick', 'steady', 'small', 'large', 'clear', 'simple', 'careful', 'useful', 'recent', 'stable',
  'fast', 'slow', 'early', 'late', 'open', 'closed', 'shared', 'local', 'remote', 'final',
  'first', 'next', 'last', 'other', 'same', 'new', 'old', 'whole', 'main', 'extra',
  'data', 'user', 'team', 'tool', 'call', 'route', 'client', 'server', 'session', 'window',
  'load', 'rate', 'limit', 'error', 'retry', 'timeout', 'trace', 'batch', 'chunk', 'event',
  'we', 'it', 'they', 'you', 'here', 'there', 'now', 'again', 'also', 'only',
] as const;

/** A token as the mock LLM streams it (shared, frozen objects). */
export interface TokenEvent { readonly type: 'token'; readonly text: string }

function table(map: (word: string) => string): readonly TokenEvent[] {
  return Object.freeze(WORDS.map((w) => Object.freeze({ type: 'token' as const, text: map(w) })));
}

const capitalise = (w: string): string => w.charAt(0).toUpperCase() + w.slice(1);
const FIRST = table(capitalise); //                 "Word"   (first token of an answer)
const START = table((w) => ` ${capitalise(w)}`); // " Word"  (start of a later sentence)
const MIDDLE = table((w) => ` ${w}`); //            " word"
const COMMA = table((w) => ` ${w},`); //            " word,"
const END = table((w) => ` ${w}.`); //              " word."
const FIRST_END = table((w) => `${capitalise(w)}.`); // a one-word answer
const START_END = table((w) => ` ${capitalise(w)}.`); // a one-word last sentence

/** Number of distinct words. */
export const VOCABULARY_SIZE = WORDS.length;

/**
 * Produces the tokens of one answer: sentences of 5 to 14 words, capitalised,
 * with occasional commas. When `closeSentence` is set the answer's last token
 * ends with a full stop (a natural stop); otherwise it may end mid-sentence
 * (cut at the length limit).
 */
export class WordSequence {
  private index = 0;
  private sentenceLeft = 0;
  private readonly rng: Prng;
  private readonly total: number;
  private readonly closeSentence: boolean;

  constructor(rng: Prng, total: number, closeSentence: boolean) {
    this.rng = rng;
    this.total = total;
    this.closeSentence = closeSentence;
  }

  next(): TokenEvent {
    const i = this.index++;
    const word = this.rng.int(WORDS.length);
    const start = this.sentenceLeft === 0;
    if (start) this.sentenceLeft = 5 + this.rng.int(10);
    this.sentenceLeft--;
    const end = this.sentenceLeft === 0 || (i === this.total - 1 && this.closeSentence);
    if (end) this.sentenceLeft = 0;
    let tokens: readonly TokenEvent[];
    if (i === 0) tokens = end ? FIRST_END : FIRST;
    else if (start) tokens = end ? START_END : START;
    else if (end) tokens = END;
    else tokens = this.rng.next() < 0.08 ? COMMA : MIDDLE;
    return tokens[word] as TokenEvent;
  }
}
