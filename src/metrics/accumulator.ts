import type { MetricType } from './metric.ts';
import { encodeSketch, mergeEncoded, newSketch, valueAtRank, type DDSketch, type EncodedSketch } from './sketch.ts';

/** An accumulator as plain data (crosses worker threads, stored in files). */
export interface EncodedAccumulator {
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
  /** Last value added (gauges). */
  readonly last: number;
  /** Time of the last value, epoch ms (gauges merge by it). */
  readonly lastTime: number;
  /** Values that were non-zero (rates: the passes). */
  readonly nonZero: number;
  readonly sketch: EncodedSketch | null;
}

/**
 * One shape for every metric type, so that recording a sample is monomorphic:
 * count/sum/min/max for everything, last for gauges, nonZero for rates and a
 * sketch for trends. Never keeps raw samples.
 */
export class Accumulator {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;
  last = 0;
  lastTime = 0;
  nonZero = 0;
  sketch: DDSketch | null;

  constructor(readonly type: MetricType) {
    this.sketch = type === 'trend' ? newSketch() : null;
  }

  add(value: number, time = 0): void {
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    this.last = value;
    this.lastTime = time;
    if (value !== 0) this.nonZero++;
    if (this.sketch !== null) this.sketch.accept(value);
  }

  merge(e: EncodedAccumulator): void {
    if (e.count === 0) return;
    this.count += e.count;
    this.sum += e.sum;
    if (e.min < this.min) this.min = e.min;
    if (e.max > this.max) this.max = e.max;
    if (e.lastTime >= this.lastTime) {
      this.last = e.last;
      this.lastTime = e.lastTime;
    }
    this.nonZero += e.nonZero;
    if (this.sketch !== null && e.sketch !== null) mergeEncoded(this.sketch, e.sketch);
  }

  mergeFrom(other: Accumulator): void {
    this.merge(other.encode());
  }

  encode(): EncodedAccumulator {
    return {
      count: this.count,
      sum: this.sum,
      min: this.min,
      max: this.max,
      last: this.last,
      lastTime: this.lastTime,
      nonZero: this.nonZero,
      sketch: this.sketch === null ? null : encodeSketch(this.sketch),
    };
  }

  reset(): void {
    this.count = 0;
    this.sum = 0;
    this.min = Infinity;
    this.max = -Infinity;
    this.nonZero = 0;
    if (this.sketch !== null) this.sketch = newSketch();
  }

  /**
   * Value at quantile q in [0, 1] by k6's method: rank i = q·(count−1), linear
   * interpolation between the samples at ranks ⌊i⌋ and ⌈i⌉. The smallest and
   * largest ranks are the exact min and max; other ranks come from the sketch
   * (within its relative accuracy) and are kept inside [min, max], so a
   * percentile never falls outside the data.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const sketch = this.sketch;
    if (sketch === null) return NaN;
    if (!(q > 0)) return this.min;
    if (q >= 1) return this.max;
    const i = q * (this.count - 1);
    const lo = Math.floor(i);
    const hi = Math.ceil(i);
    const vLo = this.#atRank(sketch, lo);
    if (hi === lo) return vLo;
    const vHi = this.#atRank(sketch, hi);
    return vLo + (vHi - vLo) * (i - lo);
  }

  #atRank(sketch: DDSketch, rank: number): number {
    if (rank <= 0) return this.min;
    if (rank >= this.count - 1) return this.max;
    return Math.min(this.max, Math.max(this.min, valueAtRank(sketch, rank)));
  }

  static decode(type: MetricType, e: EncodedAccumulator): Accumulator {
    const a = new Accumulator(type);
    a.merge(e);
    return a;
  }
}
