import { Accumulator } from './accumulator.ts';
import type { MetricInfo } from './metric.ts';
import type { EncodedSeries } from './sample-store.ts';
import { OVERFLOW_TAG, overflowTags } from './series-cap.ts';
import { TagSet, tagKey, type TagEntries } from './tags.ts';

export interface SeriesAggregate {
  readonly tags: TagSet;
  readonly acc: Accumulator;
}

export interface MetricAggregate {
  readonly info: MetricInfo;
  /** Everything recorded for the metric, all tags merged. */
  readonly total: Accumulator;
  /** Per tag set. */
  readonly series: Map<string, SeriesAggregate>;
  /** The series by tag and value: submetric queries look at the matching series only. */
  readonly index: Map<string, Map<string, SeriesAggregate[]>>;
}

export interface RunMetricsOptions {
  /** Most series kept (metric × tag set, overflow series apart); past it, new tag sets fold into overflow series. */
  readonly maxSeries?: number;
  /** Keep totals only (the controller's per-second interval: charts need no series). */
  readonly totalsOnly?: boolean;
}

/** How many series a run has, and what went past its cap. */
export interface SeriesStats {
  /** Series, overflow series included. */
  readonly count: number;
  /** The cap (null when there was none, e.g. metrics read back from files). */
  readonly limit: number | null;
  /** Samples recorded in overflow series (tagged overflow=true), in workers or here. */
  readonly foldedSamples: number;
}

/**
 * The controller's view of a run's metrics: cumulative per metric and per
 * series, built by merging worker snapshots. Submetrics (`name{tag:value}`)
 * are answered by merging the matching series, found through a per-tag index,
 * so that every end-of-run report is linear in the number of series.
 */
export class RunMetrics {
  readonly metrics = new Map<string, MetricAggregate>();
  /** Set before the first sample (the controller sets it from the plan). */
  maxSeries: number;
  readonly #totalsOnly: boolean;
  #count = 0;
  /** Called once, when the cap is first reached. */
  onLimit: ((max: number) => void) | null = null;

  constructor(options: RunMetricsOptions = {}) {
    this.maxSeries = options.maxSeries ?? Infinity;
    this.#totalsOnly = options.totalsOnly === true;
  }

  #entry(info: MetricInfo): MetricAggregate {
    let e = this.metrics.get(info.name);
    if (e === undefined) {
      e = { info: { name: info.name, type: info.type, contains: info.contains }, total: new Accumulator(info.type), series: new Map(), index: new Map() };
      this.metrics.set(info.name, e);
    }
    return e;
  }

  /** Make a metric known even before it has samples (so thresholds on it report zero values). */
  declare(info: MetricInfo): void {
    this.#entry(info);
  }

  ingest(batch: readonly EncodedSeries[]): void {
    for (const s of batch) {
      const e = this.#entry(s.metric);
      e.total.merge(s.acc);
      if (this.#totalsOnly) continue;
      // looked up by key before interning: past the cap, a new tag set is neither kept nor interned
      let agg = e.series.get(tagKey(s.tags));
      if (agg === undefined) agg = this.#newSeries(e, s.tags);
      agg.acc.merge(s.acc);
    }
  }

  #newSeries(e: MetricAggregate, entries: TagEntries): SeriesAggregate {
    let tags: TagSet;
    if (this.#count < this.maxSeries) {
      tags = TagSet.of(entries);
      this.#count++;
    } else {
      if (this.onLimit !== null) {
        const notify = this.onLimit;
        this.onLimit = null;
        notify(this.maxSeries);
      }
      tags = overflowTags(entries);
      const known = e.series.get(tags.key);
      if (known !== undefined) return known;
    }
    const agg: SeriesAggregate = { tags, acc: new Accumulator(e.info.type) };
    e.series.set(tags.key, agg);
    for (const [k, v] of tags.entries) {
      let byValue = e.index.get(k);
      if (byValue === undefined) {
        byValue = new Map();
        e.index.set(k, byValue);
      }
      const list = byValue.get(v);
      if (list === undefined) byValue.set(v, [agg]);
      else list.push(agg);
    }
    return agg;
  }

  /** Record a value produced on the controller itself (vus, vus_max). */
  record(info: MetricInfo, tags: TagSet, value: number, time = Date.now()): void {
    const acc = new Accumulator(info.type);
    acc.add(value, time);
    this.ingest([{ metric: info, tags: tags.entries, acc: acc.encode() }]);
  }

  get(name: string): MetricAggregate | undefined {
    return this.metrics.get(name);
  }

  /** The series of a metric whose tags include every entry of `selector` (all of them for an empty one). */
  matching(name: string, selector: TagEntries): SeriesAggregate[] {
    const e = this.metrics.get(name);
    if (e === undefined) return [];
    if (selector.length === 0) return [...e.series.values()];
    // walk the shortest candidate list, check the other entries on each
    let shortest: SeriesAggregate[] | undefined;
    for (const [k, v] of selector) {
      const list = e.index.get(k)?.get(v);
      if (list === undefined) return [];
      if (shortest === undefined || list.length < shortest.length) shortest = list;
    }
    if (selector.length === 1) return shortest as SeriesAggregate[];
    return (shortest as SeriesAggregate[]).filter((s) => s.tags.matches(selector));
  }

  /** The metric's data restricted to series whose tags include `selector`; undefined if the metric is unknown. */
  query(name: string, selector: TagEntries = []): Accumulator | undefined {
    const e = this.metrics.get(name);
    if (e === undefined) return undefined;
    if (selector.length === 0) return e.total;
    const acc = new Accumulator(e.info.type);
    for (const s of this.matching(name, selector)) acc.mergeFrom(s.acc);
    return acc;
  }

  /** Distinct values of one tag over a metric's series (for per-endpoint tables). */
  tagValues(name: string, tag: string): string[] {
    const byValue = this.metrics.get(name)?.index.get(tag);
    return byValue === undefined ? [] : [...byValue.keys()].sort();
  }

  /** Series count, cap and samples folded past it. */
  seriesStats(): SeriesStats {
    let count = 0;
    let foldedSamples = 0;
    for (const e of this.metrics.values()) {
      count += e.series.size;
      for (const s of e.index.get(OVERFLOW_TAG)?.get('true') ?? []) foldedSamples += s.acc.count;
    }
    return { count, limit: Number.isFinite(this.maxSeries) ? this.maxSeries : null, foldedSamples };
  }
}
