import { Accumulator } from './accumulator.ts';
import type { MetricInfo } from './metric.ts';
import type { EncodedSeries } from './sample-store.ts';
import { TagSet, type TagEntries } from './tags.ts';

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
}

/**
 * The controller's view of a run's metrics: cumulative per metric and per
 * series, built by merging worker snapshots. Submetrics (`name{tag:value}`)
 * are answered by merging the matching series.
 */
export class RunMetrics {
  readonly metrics = new Map<string, MetricAggregate>();

  #entry(info: MetricInfo): MetricAggregate {
    let e = this.metrics.get(info.name);
    if (e === undefined) {
      e = { info: { name: info.name, type: info.type, contains: info.contains }, total: new Accumulator(info.type), series: new Map() };
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
      const tags = TagSet.of(s.tags);
      let agg = e.series.get(tags.key);
      if (agg === undefined) {
        agg = { tags, acc: new Accumulator(s.metric.type) };
        e.series.set(tags.key, agg);
      }
      agg.acc.merge(s.acc);
      e.total.merge(s.acc);
    }
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

  /** The metric's data restricted to series whose tags include `selector`; undefined if the metric is unknown. */
  query(name: string, selector: TagEntries = []): Accumulator | undefined {
    const e = this.metrics.get(name);
    if (e === undefined) return undefined;
    if (selector.length === 0) return e.total;
    const acc = new Accumulator(e.info.type);
    for (const s of e.series.values()) if (s.tags.matches(selector)) acc.mergeFrom(s.acc);
    return acc;
  }

  /** Distinct values of one tag over a metric's series (for per-endpoint tables). */
  tagValues(name: string, tag: string): string[] {
    const e = this.metrics.get(name);
    if (e === undefined) return [];
    const out = new Set<string>();
    for (const s of e.series.values()) {
      const v = s.tags.get(tag);
      if (v !== undefined) out.add(v);
    }
    return [...out].sort();
  }
}
