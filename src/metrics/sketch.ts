import { DDSketch } from '@datadog/sketches-js';

/**
 * Trend values are kept in DDSketch (relative-error quantile sketch): bounded
 * memory, exact merges across threads and machines. 0.5% relative accuracy
 * keeps percentiles well inside the 1% budget.
 */
export const RELATIVE_ACCURACY = 0.005;

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: RELATIVE_ACCURACY });
}

export type { DDSketch };

/** A dense store as plain data: counts for consecutive keys starting at `k`. */
export interface EncodedStore {
  readonly k: number;
  readonly c: number[];
}

/** A sketch as plain data, structured-clone friendly (worker messages, JSON files). */
export interface EncodedSketch {
  readonly pos: EncodedStore | null;
  readonly neg: EncodedStore | null;
  readonly zero: number;
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

interface DenseStoreShape {
  bins: number[];
  count: number;
  minKey: number;
  maxKey: number;
  offset: number;
  add(key: number, weight?: number): void;
}

function encodeStore(store: DenseStoreShape): EncodedStore | null {
  if (store.count === 0) return null;
  const from = store.minKey - store.offset;
  const to = store.maxKey - store.offset;
  return { k: store.minKey, c: store.bins.slice(from, to + 1) };
}

function decodeStore(store: DenseStoreShape, enc: EncodedStore | null): void {
  if (enc === null) return;
  for (let i = 0; i < enc.c.length; i++) {
    const w = enc.c[i] ?? 0;
    if (w > 0) store.add(enc.k + i, w);
  }
}

export function encodeSketch(s: DDSketch): EncodedSketch {
  return {
    pos: encodeStore(s.store as unknown as DenseStoreShape),
    neg: encodeStore(s.negativeStore as unknown as DenseStoreShape),
    zero: s.zeroCount,
    count: s.count,
    sum: s.sum,
    min: s.min,
    max: s.max,
  };
}

export function decodeSketch(enc: EncodedSketch): DDSketch {
  const s = newSketch();
  mergeEncoded(s, enc);
  return s;
}

/**
 * The sketch's value for the sample at integer rank `rank` (0 = smallest) in
 * sorted order: the representative value of the bin holding that sample,
 * within the relative accuracy. Integer ranks avoid the floating-point drift
 * of going through a quantile.
 */
export function valueAtRank(s: DDSketch, rank: number): number {
  const neg = s.negativeStore;
  if (rank < neg.count) return -s.mapping.value(neg.keyAtRank(neg.count - rank - 1, false));
  if (rank < neg.count + s.zeroCount) return 0;
  return s.mapping.value(s.store.keyAtRank(rank - neg.count - s.zeroCount));
}

/** Add an encoded sketch into `s` (exact: bins are summed). */
export function mergeEncoded(s: DDSketch, enc: EncodedSketch): void {
  if (enc.count === 0) return;
  decodeStore(s.store as unknown as DenseStoreShape, enc.pos);
  decodeStore(s.negativeStore as unknown as DenseStoreShape, enc.neg);
  s.zeroCount += enc.zero;
  s.count += enc.count;
  s.sum += enc.sum;
  if (enc.min < s.min) s.min = enc.min;
  if (enc.max > s.max) s.max = enc.max;
}
