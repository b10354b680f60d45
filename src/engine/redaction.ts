import type { EncodedSeries } from '../metrics/sample-store.ts';
import type { TagEntries } from '../metrics/tags.ts';
import { redact } from '../util/redact.ts';

/**
 * Keeps secrets (tokens from --env) out of everything a run emits. The
 * controller is the one place every sample, tag, error message and log line
 * passes through on its way from the workers to any output (raw JSON lines,
 * CSV, summary, series, dashboard, history), so redaction happens here, once
 * per batch, never per request. A secret is matched as written, JSON-escaped
 * (inside JSON lines) and URL-encoded (inside a URL tag).
 */
export class Redactor {
  readonly #forms: string[];

  constructor(secrets: readonly string[]) {
    const forms = new Set<string>();
    for (const s of secrets) {
      if (s.length < 4) continue;
      forms.add(s);
      forms.add(JSON.stringify(s).slice(1, -1));
      forms.add(encodeURIComponent(s));
    }
    // longest first, so that a form containing another is replaced whole
    this.#forms = [...forms].sort((a, b) => b.length - a.length);
  }

  get active(): boolean {
    return this.#forms.length > 0;
  }

  text(s: string): string {
    return this.#forms.length === 0 ? s : redact(s, this.#forms);
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
}
