import type { ErrorsNotListed, IterationError } from '../types/run-outcome.ts';
import { errorTemplate, exampleMessage, listErrors, MAX_ERROR_LINES, MAX_ERROR_TEMPLATES, MAX_LISTED_ERRORS } from '../util/error-template.ts';

/**
 * The run's iteration errors as the controller gathers them from its threads: grouped by scenario and message
 * template (util/error-template.ts), at most MAX_ERROR_TEMPLATES kinds kept (further kinds are counted, not
 * kept), the first MAX_ERROR_LINES kinds shown on the console and then one line that says the rest are not.
 * A source is a worker (its reports carry its running count: the last one wins) or the main thread (each
 * report is one error).
 */
export class IterationErrors<Source> {
  readonly #kinds = new Map<string, { first: IterationError; bySource: Map<Source | 'main', number> }>();
  /** Kinds seen past MAX_ERROR_TEMPLATES (counted, not kept), at most `maxMore()` of them. */
  readonly #more = new Set<string>();
  #lines = 0;

  constructor(
    /** Redacts a message before it is kept or shown. */
    private readonly redact: (text: string) => string,
    private readonly log: (line: string) => void,
    /** How many kinds past the cap are remembered to be counted (a bound on memory). */
    private readonly maxMore: () => number,
  ) {}

  /** An error of `source` (the first of its kind there, or its count so far); `show` false: already shown. */
  note(source: Source | 'main', raw: IterationError, count: number, show = true): void {
    const message = this.redact(exampleMessage(raw.message));
    const template = this.redact(raw.template ?? errorTemplate(raw.message));
    const key = `${raw.scenario}\u0000${template}`;
    let entry = this.#kinds.get(key);
    if (entry === undefined) {
      if (this.#kinds.size >= MAX_ERROR_TEMPLATES) {
        // counted in iteration_errors (and as a kind not listed), not kept
        if (this.#more.size < this.maxMore()) this.#more.add(key);
        return;
      }
      entry = { first: { ...raw, message, template }, bySource: new Map() };
      this.#kinds.set(key, entry);
      if (show) this.#show(raw, message);
    }
    entry.bySource.set(source, source === 'main' ? (entry.bySource.get(source) ?? 0) + 1 : Math.max(entry.bySource.get(source) ?? 0, count));
  }

  /** The most frequent kinds, and what the list leaves out of `total` (the iteration_errors count). */
  listed(total: number): { errors: IterationError[]; errorsNotListed: ErrorsNotListed } {
    const groups = [...this.#kinds.values()].map((e) => ({ ...e.first, count: [...e.bySource.values()].reduce((a, b) => a + b, 0) }));
    const { listed, notListed } = listErrors(groups, total, this.#more.size);
    return { errors: listed, errorsNotListed: notListed };
  }

  #show(raw: IterationError, message: string): void {
    if (this.#lines < MAX_ERROR_LINES) {
      this.log(`iteration error in scenario "${raw.scenario}": ${message}${raw.location === '' ? '' : ` at ${raw.location}`} (logged once per kind; counted in iteration_errors)`);
    } else if (this.#lines === MAX_ERROR_LINES) {
      this.log(`more kinds of iteration errors: counted in iteration_errors and listed in summary.json (the ${MAX_LISTED_ERRORS} most frequent), not shown here`);
    }
    this.#lines++;
  }
}
