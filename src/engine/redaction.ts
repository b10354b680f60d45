import type { EncodedSeries } from '../metrics/sample-store.ts';
import type { TagEntries } from '../metrics/tags.ts';
import { replaceForms, secretForms } from '../util/redact.ts';

/**
 * Keeps secrets (tokens from --env, the LLM key, A2A tokens, credential
 * headers) out of everything a run emits. The controller is the one place
 * every sample, tag, error message and log line passes through on its way
 * from the workers to any output (raw JSON lines, CSV, summary, series,
 * dashboard, history), so redaction happens here, once per batch, never per
 * request. A secret is matched as written, JSON-escaped (inside JSON lines)
 * and URL-encoded (inside a URL tag).
 */
export class Redactor {
  #secrets: string[] = [];
  #forms: string[] = [];

  constructor(secrets: readonly string[]) {
    this.add(secrets);
  }

  /** More secrets (those the plan names, known once the script is loaded). */
  add(secrets: readonly string[]): void {
    const fresh = secrets.filter((s) => !this.#secrets.includes(s));
    if (fresh.length === 0) return;
    this.#secrets = [...this.#secrets, ...fresh];
    this.#forms = secretForms(this.#secrets);
  }

  /** Every secret value, for the outputs written after the run (summary, report, history). */
  get secrets(): readonly string[] {
    return this.#secrets;
  }

  /** The forms matched, longest first. */
  get forms(): readonly string[] {
    return this.#forms;
  }

  get active(): boolean {
    return this.#forms.length > 0;
  }

  text(s: string): string {
    return this.#forms.length === 0 ? s : replaceForms(s, this.#forms);
  }

  #leaks(s: string): boolean {
    for (const f of this.#forms) if (s.includes(f)) return true;
    return false;
  }

  /** Tag entries with secrets replaced (the same array when there are none). */
  tags(entries: TagEntries): TagEntries {
    if (this.#forms.length === 0 || !entries.some(([k, v]) => this.#leaks(v) || this.#leaks(k))) return entries;
    return entries.map(([k, v]) => [this.text(k), this.text(v)] as const);
  }

  /** A worker's batch of series with secrets replaced in their tags. */
  series(batch: EncodedSeries[]): EncodedSeries[] {
    if (this.#forms.length === 0) return batch;
    return batch.map((s) => {
      const tags = this.tags(s.tags);
      return tags === s.tags ? s : { ...s, tags };
    });
  }

  /** Redaction of one stream written in pieces (a script's stdout): see StreamRedaction. */
  stream(): StreamRedaction {
    return new StreamRedaction(this);
  }
}

/**
 * A stream redacted as it is written: a secret split across two writes is
 * still replaced. What is written at once goes out at once, except a tail
 * that could be the beginning of a secret (a proper prefix of one of its
 * forms), held until the next write or the end. Console lines end with a
 * newline, so in practice nothing is held.
 */
export class StreamRedaction {
  #held = '';

  constructor(private readonly redactor: Redactor) {}

  /** What is safe to write now of what was held and `chunk`. */
  push(chunk: string): string {
    const text = this.#held + chunk;
    const forms = this.redactor.forms;
    if (forms.length === 0) {
      this.#held = '';
      return text;
    }
    const partialFrom = Math.max(0, text.length - (forms[0] as string).length + 1);
    let out = '';
    let pos = 0;
    for (;;) {
      const hold = firstPartial(text, Math.max(pos, partialFrom), forms);
      const m = firstMatch(text, pos, forms);
      if (m !== null && m.index < hold) {
        out += `${text.slice(pos, m.index)}***`;
        pos = m.index + m.length;
        continue;
      }
      this.#held = text.slice(hold);
      return out + text.slice(pos, hold);
    }
  }

  /** Whatever is held, redacted (the stream ended). */
  end(): string {
    const rest = this.redactor.text(this.#held);
    this.#held = '';
    return rest;
  }
}

/** The first index >= from where the rest of the text is a proper prefix of a form (text.length if none). */
function firstPartial(text: string, from: number, forms: readonly string[]): number {
  for (let i = from; i < text.length; i++) {
    const tail = text.slice(i);
    for (const f of forms) if (f.length > tail.length && f.startsWith(tail)) return i;
  }
  return text.length;
}

/** The earliest occurrence of a form at or after `from` (the longest one at that index). */
function firstMatch(text: string, from: number, forms: readonly string[]): { index: number; length: number } | null {
  let best: { index: number; length: number } | null = null;
  for (const f of forms) {
    const i = text.indexOf(f, from);
    if (i >= 0 && (best === null || i < best.index)) best = { index: i, length: f.length };
  }
  return best;
}
