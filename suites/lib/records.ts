/**
 * Seed 003 scenarios C (database CRUD: inserts, one by one and in batches)
 * and D (cache performance: reads with a chosen share of hot keys).
 */
import { Rate, Trend, type SetupContext, type VuContext } from 'agentload';
import { authHeaders, fieldOf, jsonOf, ok } from './requests.ts';
import { pathSetting } from './settings.ts';

/** Time per stored record: a single insert's duration, or a batch's divided by its size (batch efficiency). */
export const insertPerRecord = new Trend('insert_per_record', true);
/** Share of cache reads the server answered from its cache (`x-cache: HIT`). */
export const cacheHitRate = new Rate('cache_hit_rate');
/** Cache reads by outcome, tagged cache=hit|miss: the miss penalty is the difference. */
export const cacheRead = new Trend('cache_read_duration', true);

const recordsPath = (ctx: SetupContext | VuContext): string => pathSetting('RECORDS_PATH', '/api/records', ctx);
const batchPath = (ctx: SetupContext | VuContext): string => pathSetting('RECORDS_BATCH_PATH', '/api/records/batch', ctx);

/** Scenario C: one insert. */
export async function insertOne(ctx: VuContext<{ runKey: string }>): Promise<void> {
  const res = await ctx.http.post(recordsPath(ctx), { kind: `${ctx.data.runKey}-insert`, payload: { vu: ctx.vu, iteration: ctx.iteration } }, { name: 'insert_record', headers: authHeaders(ctx) });
  if (ctx.check(res, { 'insert: 201': (r) => r.status === 201 })) ctx.record(insertPerRecord, res.timings.duration, { mode: 'single' });
}

/** Scenario C: one batch of `size` inserts in one transaction. */
export async function insertBatch(ctx: VuContext<{ runKey: string }>, size: number): Promise<void> {
  const records = Array.from({ length: size }, (_, i) => ({ kind: `${ctx.data.runKey}-insert`, payload: { vu: ctx.vu, iteration: ctx.iteration, i } }));
  const res = await ctx.http.post(batchPath(ctx), { records }, { name: 'insert_batch', headers: authHeaders(ctx) });
  const inserted = jsonOf<{ inserted?: unknown }>(res)?.inserted;
  if (ctx.check(res, { 'batch insert: every record stored': (r) => ok(r) && inserted === size })) ctx.record(insertPerRecord, res.timings.duration / size, { mode: 'batch' });
}

/** setup(): insert `count` records of `kind` in batches of up to 1000; their ids. */
export async function seedRecords(ctx: SetupContext, kind: string, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; ) {
    const n = Math.min(1000, count - done);
    const res = await ctx.http.post(batchPath(ctx), { records: Array.from({ length: n }, (_, i) => ({ kind, payload: { n: done + i } })) }, { name: 'setup_records', tags: { type: 'setup' }, headers: authHeaders(ctx) });
    const got = jsonOf<{ ids?: unknown }>(res)?.ids;
    if (!ok(res) || !Array.isArray(got)) throw new Error(`could not seed the cache records: POST ${res.url} answered ${res.status} ${res.error}`);
    for (const id of got) if (typeof id === 'string') ids.push(id);
    done += n;
  }
  return ids;
}

/** setup(): read each hot key once, so that the cache holds them when the reads begin. */
export async function warmCache(ctx: SetupContext, ids: readonly string[]): Promise<void> {
  for (const id of ids) await ctx.http.get(pathSetting('RECORD_PATH', '/api/records/{id}', ctx, { id }), { name: 'setup_warm_cache', tags: { type: 'setup' }, headers: authHeaders(ctx) });
}

/** teardown(): how many records of `kind` the server holds (the list's `total`). */
export async function countRecords(ctx: SetupContext, kind: string): Promise<number | null> {
  const res = await ctx.http.get(recordsPath(ctx), { name: 'verify_records', tags: { type: 'verify' }, headers: authHeaders(ctx), query: { kind, limit: 1 } });
  const total = jsonOf<{ total?: unknown }>(res)?.total;
  return typeof total === 'number' ? total : null;
}

/**
 * Scenario D: one read. Hot keys are few, warmed by setup and read again
 * and again (cache hits); cold keys are each read once (misses). VU slot
 * s of n takes cold keys s, s+n, s+2n… so no two VUs read the same one.
 */
export async function cacheReadOnce(
  ctx: VuContext<{ hot: string[]; cold: string[] }>,
  hotShare: number,
  mix: string,
  slot: number,
  slots: number,
  coldReads: number,
): Promise<boolean> {
  const { hot, cold } = ctx.data;
  const useHot = ctx.chance(hotShare) || cold.length === 0;
  const id = useHot ? hot[ctx.randomInt(0, hot.length - 1)] : cold[(slot + coldReads * slots) % cold.length];
  if (id === undefined) return useHot;
  const res = await ctx.http.get(pathSetting('RECORD_PATH', '/api/records/{id}', ctx, { id }), { name: 'cache_read', headers: authHeaders(ctx) });
  if (ctx.check(res, { 'cache read: 200': (r) => r.status === 200 && fieldOf(jsonOf(r)) === id })) {
    const hit = (res.headers['x-cache'] ?? '').toUpperCase() === 'HIT';
    ctx.record(cacheHitRate, hit ? 1 : 0, { mix });
    ctx.record(cacheRead, res.timings.duration, { mix, cache: hit ? 'hit' : 'miss' });
  }
  return useHot;
}
