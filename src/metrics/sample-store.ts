import { Accumulator, type EncodedAccumulator } from './accumulator.ts';
import type { MetricHandle, MetricInfo } from './metric.ts';
import { DEFAULT_MAX_SERIES, overflowTags } from './series-cap.ts';
import type { TagEntries, TagSet } from './tags.ts';

/** One series' data for one interval, as it crosses from a worker to the controller. */
export interface EncodedSeries {
  readonly metric: MetricInfo;
  readonly tags: TagEntries;
  readonly acc: EncodedAccumulator;
}

class Series {
  readonly acc: Accumulator;
  dirty = false;
  constructor(
    readonly metric: MetricHandle,
    readonly tags: TagSet,
  ) {
    this.acc = new Accumulator(metric.type);
  }
}

/** Receives every sample when an output needs raw points (`--out json=`). */
export type SampleListener = (metric: MetricHandle, tags: TagSet, value: number, time: number) => void;

/**
 * Where a thread records samples. Each (metric, tag set) series accumulates
 * for one interval; `flush()` hands the touched series over as plain data and
 * starts the next interval. Recording is an array access and a few adds.
 */
export class SampleStore {
  #dirty: Series[] = [];
  #count = 0;
  listener: SampleListener | null = null;
  /** Most series this store creates; samples of further tag sets go to overflow series (series-cap.ts). */
  maxSeries = DEFAULT_MAX_SERIES;
  /** Called once, when the cap is first reached (a worker forwards it to the console). */
  onLimit: ((max: number) => void) | null = null;

  add(metric: MetricHandle, tags: TagSet, value: number): void {
    let s = tags.series[metric.id] as Series | undefined;
    if (s === undefined) {
      s = this.#newSeries(metric, tags);
      // past the cap the overflow series is kept here too: the next sample is an array access again
      tags.series[metric.id] = s;
    }
    if (!s.dirty) {
      s.dirty = true;
      this.#dirty.push(s);
    }
    if (metric.type === 'gauge' || this.listener !== null) {
      const now = Date.now();
      s.acc.add(value, now);
      if (this.listener !== null) this.listener(metric, tags, value, now);
    } else {
      s.acc.add(value);
    }
  }

  /** Series created so far (overflow series not counted). */
  get seriesCount(): number {
    return this.#count;
  }

  #newSeries(metric: MetricHandle, tags: TagSet): Series {
    if (tags.pooled && this.#count < this.maxSeries) {
      this.#count++;
      return new Series(metric, tags);
    }
    if (this.onLimit !== null) {
      const notify = this.onLimit;
      this.onLimit = null;
      notify(this.maxSeries);
    }
    const o = overflowTags(tags.entries);
    let s = o.series[metric.id] as Series | undefined;
    if (s === undefined) {
      s = new Series(metric, o);
      o.series[metric.id] = s;
    }
    return s;
  }

  /** The interval's series as plain data; resets them. */
  flush(): EncodedSeries[] {
    const out: EncodedSeries[] = new Array(this.#dirty.length);
    for (let i = 0; i < this.#dirty.length; i++) {
      const s = this.#dirty[i] as Series;
      out[i] = {
        metric: { name: s.metric.name, type: s.metric.type, contains: s.metric.contains },
        tags: s.tags.entries,
        acc: s.acc.encode(),
      };
      s.acc.reset();
      s.dirty = false;
    }
    this.#dirty = [];
    return out;
  }
}
