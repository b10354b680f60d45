import { selectJson } from '../json-path.ts';

const UNPARSED = Symbol('unparsed');

/** One Server-Sent Event. */
export class SseEvent {
  #json: unknown = UNPARSED;

  constructor(
    /** The `event:` field, 'message' when the server sent none. */
    readonly event: string,
    /** The `data:` lines joined with "\n". */
    readonly data: string,
    /** The `id:` field of this event, if it had one. */
    readonly id: string | undefined,
    /** When it was parsed (epoch ms). */
    readonly time: number,
  ) {}

  /**
   * `data` parsed as JSON (once); undefined when it is not JSON. With a selector, the value at that path
   * (`e.json('choices.0.delta.content')`: the paths of `res.json()`, docs/http.md), undefined when it finds nothing.
   */
  json<T = unknown>(selector?: string): T | undefined {
    if (selector !== undefined) return selectJson(this.json(), selector) as T | undefined;
    if (this.#json === UNPARSED) {
      this.#json = undefined;
      try {
        this.#json = JSON.parse(this.data) as unknown;
      } catch {
        // not JSON ("[DONE]", plain text): stays undefined
      }
    }
    return this.#json as T | undefined;
  }
}
