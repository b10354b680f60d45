/** A VU scope for protocol tests: a real SampleStore whose samples are kept for assertions. */
import { SampleStore } from '../../src/metrics/sample-store.ts';
import { TagSet } from '../../src/metrics/tags.ts';
import { InterruptedError, type Abortable, type VuScope } from '../../src/protocols/vu-scope.ts';

export interface RecordedSample {
  metric: string;
  tags: Readonly<Record<string, string>>;
  value: number;
}

export class TestScope implements VuScope {
  readonly vuId = 7;
  readonly store = new SampleStore();
  tags = TagSet.of({ scenario: 'test' });
  readonly samples: RecordedSample[] = [];
  readonly inflight = new Set<Abortable>();
  #controller = new AbortController();
  #interrupt: InterruptedError | null = null;

  constructor(readonly env: Readonly<Record<string, string>> = {}) {
    this.store.listener = (metric, tags, value) => this.samples.push({ metric: metric.name, tags: tags.toObject(), value });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  track(work: Abortable): void {
    if (this.#interrupt !== null) work.abort(this.#interrupt);
    else this.inflight.add(work);
  }
  untrack(work: Abortable): void {
    this.inflight.delete(work);
  }

  interrupt(): void {
    this.#interrupt = new InterruptedError('test interrupt');
    this.#controller.abort(this.#interrupt);
    for (const w of [...this.inflight]) w.abort(this.#interrupt);
    this.inflight.clear();
  }

  /** Samples of a metric whose tags include every entry of `where`. */
  of(metric: string, where: Readonly<Record<string, string>> = {}): RecordedSample[] {
    return this.samples.filter((s) => s.metric === metric && Object.entries(where).every(([k, v]) => s.tags[k] === v));
  }
  count(metric: string, where?: Readonly<Record<string, string>>): number {
    return this.of(metric, where).length;
  }
  sum(metric: string, where?: Readonly<Record<string, string>>): number {
    return this.of(metric, where).reduce((a, s) => a + s.value, 0);
  }
  values(metric: string, where?: Readonly<Record<string, string>>): number[] {
    return this.of(metric, where).map((s) => s.value);
  }
}

/** Resolve when `cond()` holds, polling on the event loop (bounded: fails after `limitMs`). */
export async function until(cond: () => boolean, what: string, limitMs = 5000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > limitMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
