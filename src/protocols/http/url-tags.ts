/**
 * The `url` tag of HTTP samples, bounded. Every distinct tag value is a time
 * series of its own (a histogram per metric), so a script that puts ids in its
 * URLs would grow memory without end. The first `max` distinct URLs of a
 * thread keep their own url tag; beyond them a request's url tag is its `name`
 * tag (which groups URLs when the script sets it), and a warning is raised
 * once, as k6 warns about high-cardinality series.
 */
export class UrlTagCap {
  readonly #seen = new Set<string>();
  #warned = false;
  /** Called once when the cap is first reached (the worker forwards it to the console). */
  onLimit: ((max: number) => void) | null = null;

  constructor(readonly max: number) {}

  /** The url tag value for a request to `url` whose name tag is `name`. No allocation. */
  valueFor(url: string, name: string): string {
    const seen = this.#seen;
    if (seen.has(url)) return url;
    if (seen.size < this.max) {
      seen.add(url);
      return url;
    }
    if (!this.#warned) {
      this.#warned = true;
      this.onLimit?.(this.max);
    }
    return name;
  }

  /** How many distinct URLs have their own url tag. */
  get size(): number {
    return this.#seen.size;
  }
}

/** Distinct URLs with their own `url` tag, per thread. */
export const URL_TAG_LIMIT = 1000;

/** The thread's cap (one per worker: each worker's VUs share it). */
export const urlTags = new UrlTagCap(URL_TAG_LIMIT);
