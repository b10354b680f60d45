import { TagSet, type TagEntries } from './tags.ts';

/**
 * A hard cap on series (one per metric and distinct tag set). Each series
 * holds its own accumulators in every worker and in the controller, and the
 * end-of-run reports walk them all, so a script that puts ids in tags would
 * grow memory and the summary without end. k6 warns at 100,000 series and
 * goes on; agentload stops creating series there (`maxSeries` raises or
 * lowers it) and folds the samples of further tag sets into overflow series:
 * nothing is dropped, every sample still counts in its metric's totals.
 */
export const DEFAULT_MAX_SERIES = 100_000;

/** The tag that marks an overflow series (reserved). */
export const OVERFLOW_TAG = 'overflow';

/**
 * Tags an overflow series keeps: few values each, and what thresholds and
 * the summary select on most (`{expected_response:true}`, `{scenario:…}`).
 * Names, URLs, checks, groups and user tags are what overflows, so they go.
 */
export const OVERFLOW_KEEPS: readonly string[] = ['scenario', 'method', 'status', 'expected_response', 'error_code'];

/** Distinct overflow tag sets per thread; past it, the bare `{overflow:true}` (so the cap stays hard). */
const MAX_OVERFLOW_SETS = 1000;

const overflowSets = new Map<string, TagSet>();
const BARE: TagEntries = [[OVERFLOW_TAG, 'true']];

/** The overflow tag set that samples tagged `entries` are folded into, past the series cap. */
export function overflowTags(entries: TagEntries): TagSet {
  const kept: [string, string][] = [[OVERFLOW_TAG, 'true']];
  let key = '';
  for (const [k, v] of entries) {
    if (!OVERFLOW_KEEPS.includes(k)) continue;
    kept.push([k, v]);
    key += `${k}\u0001${v}\u0002`;
  }
  let t = overflowSets.get(key);
  if (t === undefined) {
    t = TagSet.pinned(overflowSets.size < MAX_OVERFLOW_SETS ? kept : BARE);
    if (overflowSets.size < MAX_OVERFLOW_SETS) overflowSets.set(key, t);
  }
  return t;
}

/** The warning printed once when the cap is reached (in a worker or in the controller: the same line). */
export function seriesCapWarning(max: number): string {
  return (
    `the run reached its cap of ${max} series (metric × distinct tags): samples with new tags are folded into series tagged ` +
    `${OVERFLOW_TAG}=true, still counted in every metric's totals. Give URLs with ids a name ({ name: 'get_run' }) ` +
    `or keep ids out of tags; raise the cap with maxSeries in defineTest (docs/metrics.md#series-cap)`
  );
}
