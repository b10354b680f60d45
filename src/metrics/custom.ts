import { registry } from './builtin.ts';
import type { MetricHandle, MetricInfo, MetricType, ValueKind } from './metric.ts';
import { TagSet } from './tags.ts';
import { threadStore } from './thread-store.ts';

abstract class CustomMetric implements MetricInfo {
  readonly handle: MetricHandle;
  constructor(type: MetricType, name: string, contains: ValueKind) {
    this.handle = registry.define(name, type, contains);
  }
  get name(): string {
    return this.handle.name;
  }
  get type(): MetricType {
    return this.handle.type;
  }
  get contains(): ValueKind {
    return this.handle.contains;
  }
  /**
   * Record a value with these tags only. To add the VU's scenario and group
   * tags, record through the context: `ctx.record(metric, value)`.
   */
  add(value: number | boolean, tags?: Readonly<Record<string, string>>): void {
    threadStore.add(this.handle, tags === undefined ? TagSet.EMPTY : TagSet.of(tags), typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }
}

/** A cumulative sum (k6 Counter). */
export class Counter extends CustomMetric {
  constructor(name: string, isData = false) {
    super('counter', name, isData ? 'data' : 'default');
  }
}

/** The last value, with min and max (k6 Gauge). */
export class Gauge extends CustomMetric {
  constructor(name: string, isData = false) {
    super('gauge', name, isData ? 'data' : 'default');
  }
}

/** The share of non-zero values (k6 Rate). */
export class Rate extends CustomMetric {
  constructor(name: string) {
    super('rate', name, 'default');
  }
}

/** A distribution: avg, min, med, max, percentiles (k6 Trend). `isTime` makes values milliseconds. */
export class Trend extends CustomMetric {
  constructor(name: string, isTime = false) {
    super('trend', name, isTime ? 'time' : 'default');
  }
}
