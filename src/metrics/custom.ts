import { registry } from './builtin.ts';
import type { MetricHandle, MetricInfo, MetricType, ValueKind } from './metric.ts';
import { TagSet } from './tags.ts';
import { threadStore } from './thread-store.ts';

/**
 * The number a script's value records as: a finite number as is, a boolean as 1 or 0 (k6: `Rate.add(false)` is
 * a fail, `Trend.add(true)` is 1). Anything else is a TypeError naming the metric and the value: k6 converts
 * strings and throws only on NaN, but a string or NaN recorded into a metric is always a script bug, and a silent
 * conversion is the wrong number in every result. `call` says how it was recorded, for the message.
 */
export function metricValue(value: unknown, metric: string, call: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return value;
  } else if (typeof value === 'boolean') {
    return value ? 1 : 0;
  }
  throw new TypeError(`${call}: metric "${metric}" takes a finite number or a boolean (true counts 1, false 0), got ${describeValue(value)}`);
}

function describeValue(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (typeof v === 'number' || typeof v === 'bigint') return `${String(v)}${typeof v === 'bigint' ? 'n' : ''}`;
  if (v === null || v === undefined) return String(v);
  if (v instanceof Promise) return 'a Promise (await the value first)';
  return Array.isArray(v) ? 'an array' : `a${typeof v === 'object' ? 'n' : ''} ${typeof v}`;
}

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
    const v = metricValue(value, this.handle.name, `${this.handle.name}.add()`);
    threadStore.add(this.handle, tags === undefined ? TagSet.EMPTY : TagSet.of(tags), v);
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
