/**
 * orchestration — seed 003's four scenarios, one after the other, each in
 * its time window (so that none measures another's load):
 *
 *   D cache              0s: 10,000 reads at 1000 req/s for 10 s, with 90% /
 *                        50% / 10% hot keys (warmed in setup) and cold keys
 *                        read once each: hit ratio, miss penalty; the target
 *                        must keep up with 1000 req/s (seed 003's minimum
 *                        throughput)
 *   C inserts            15s: 10,000 single inserts within 1 minute
 *                        (p95 < 50 ms each), then
 *   C insert_batches     1m15s: 10,000 more in batches of 100 within 30 s
 *                        (time per record); teardown checks all are stored
 *   B voting             1m45s: 100 agents vote on 50 proposals within 1
 *                        minute; teardown checks every tally is exactly what
 *                        the agents cast; a second vote by an agent is refused
 *   A task_distribution  2m45s: 1000 tasks submitted by 100 VUs at once,
 *                        each followed to the end within 3 minutes: enqueue
 *                        p95 < 100 ms, processing p95 < 500 ms
 *
 * and seed 003's SLA tables over everything: p50 < 100 ms, p95 < 500 ms,
 * p99 < 2 s, max < 5 s, errors < 0.1%.
 *
 * The amounts of work are fixed (SUITE_SCALE multiplies them); --profile
 * does not apply and stops the run with a message.
 *
 *   agentload run --suite orchestration
 *
 * Options: docs/suites.md#orchestration.
 */
import { Counter, defineTest, Rate, type ThresholdInput } from 'agentload';
import { cacheReadOnce, countRecords, insertBatch, insertOne, seedRecords, warmCache } from './lib/records.ts';
import { perVu } from './lib/requests.ts';
import { requireHealthy, targetHttp } from './lib/runs-api.ts';
import { numberSetting, scaled, scaledCount, setting } from './lib/settings.ts';
import { distributeTasks } from './lib/task-distribution.ts';
import { castVote, createProposals, verifyTallies } from './lib/voting.ts';

const TASKS = scaledCount('ORCH_TASKS', 1000);
const TASK_VUS = Math.min(TASKS, scaledCount('ORCH_TASK_VUS', 100));
const VOTERS = scaledCount('ORCH_VOTERS', 100, 2);
const PROPOSALS = scaledCount('ORCH_PROPOSALS', 50, 2);
const INSERTS = scaledCount('ORCH_INSERTS', 10_000);
const INSERT_VUS = Math.min(INSERTS, scaledCount('ORCH_INSERT_VUS', 50));
const BATCH_SIZE = numberSetting('ORCH_BATCH_SIZE', 100, undefined, { min: 1, max: 1000, integer: true });
const BATCHES = Math.max(1, Math.round(INSERTS / BATCH_SIZE));
const CACHE_RATE = scaledCount('ORCH_CACHE_RATE', 1000);
const CACHE_SECONDS = numberSetting('ORCH_CACHE_SECONDS', 10, undefined, { min: 1 });
const CACHE_VUS = Math.max(20, Math.ceil(CACHE_RATE / 2));
const HOT_KEYS = scaledCount('ORCH_HOT_KEYS', 50);
/** Cold keys: enough for every read of the run to miss when it is meant to. */
const COLD_KEYS = scaled(5000);
/** The windows, in seconds from the start: each scenario runs alone in its own. */
const WINDOWS = (() => {
  const inserts = CACHE_SECONDS + 5;
  const batches = inserts + 60;
  const voting = batches + 30;
  const tasks = voting + 60;
  return { inserts: `${inserts}s`, batches: `${batches}s`, voting: `${voting}s`, tasks: `${tasks}s` };
})();
const HOT_SHARES = setting('ORCH_HOT_SHARES', '0.9,0.5,0.1')
  .split(',')
  .map((x) => {
    const n = Number(x);
    if (!(n >= 0 && n <= 1) || x.trim() === '') throw new Error(`ORCH_HOT_SHARES="${process.env.ORCH_HOT_SHARES}": expected shares from 0 to 1, like 0.9,0.5,0.1`);
    return n;
  });

const votesCast = new Counter('votes_cast');
const tallyExact = new Rate('vote_tally_exact');
const consensusExpected = new Rate('vote_consensus_expected');
const recordsStored = new Rate('records_stored');

interface Data {
  runKey: string;
  proposals: string[];
  hot: string[];
  cold: string[];
}

const coldReads = perVu(() => ({ n: 0 }));

const thresholds: Record<string, ThresholdInput[]> = {
  // seed 003 SLA tables
  http_req_duration: ['p(50)<100', 'p(95)<500', 'p(99)<2000', 'max<5000'],
  http_req_failed: ['rate<0.001'],
  checks: ['rate>0.999'],
  // A
  'http_req_duration{name:enqueue_task}': ['p(95)<100'],
  task_processing_latency: ['p(95)<500'],
  task_completed: ['rate>0.99'],
  // B
  'http_req_duration{name:vote}': ['p(95)<500'],
  votes_cast: [`count==${VOTERS * PROPOSALS}`],
  vote_tally_exact: ['rate==1'],
  vote_consensus_expected: ['rate==1'],
  // C
  'insert_per_record{mode:single}': ['p(95)<50'],
  'insert_per_record{mode:batch}': ['p(95)<50'],
  records_stored: ['rate==1'],
  // D: minimum throughput, and the cache serves the hot keys
  'dropped_iterations{scenario:cache}': ['count==0'],
};
for (const share of HOT_SHARES) if (share >= 0.5) thresholds[`cache_hit_rate{mix:${share}}`] = [`rate>${share / 2}`];

export default defineTest<Data>({
  name: 'orchestration',
  fixedLoad: 'the orchestration suite runs fixed amounts of work (seed 003 scenarios A-D); scale it with SUITE_SCALE',
  http: targetHttp(),
  setup: async (ctx) => {
    await requireHealthy(ctx);
    const runKey = `orch-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
    const proposals = await createProposals(ctx, runKey, PROPOSALS, VOTERS);
    const hot = await seedRecords(ctx, `${runKey}-hot`, HOT_KEYS);
    const cold = await seedRecords(ctx, `${runKey}-cold`, COLD_KEYS);
    await warmCache(ctx, hot);
    return { runKey, proposals, hot, cold };
  },
  scenarios: {
    cache: {
      executor: 'constant-arrival-rate',
      rate: CACHE_RATE,
      timeUnit: '1s',
      duration: `${CACHE_SECONDS}s`,
      preAllocatedVUs: Math.max(5, Math.ceil(CACHE_RATE / 10)),
      maxVUs: CACHE_VUS,
      gracefulStop: '5s',
      exec: async (ctx) => {
        const share = HOT_SHARES[ctx.randomInt(0, HOT_SHARES.length - 1)] as number;
        const state = coldReads(ctx);
        const slot = (ctx.vu - 1) % CACHE_VUS;
        if (!(await cacheReadOnce(ctx, share, String(share), slot, CACHE_VUS, state.n))) state.n++;
      },
    },
    inserts: {
      executor: 'shared-iterations',
      startTime: WINDOWS.inserts,
      vus: INSERT_VUS,
      iterations: INSERTS,
      maxDuration: '1m',
      gracefulStop: '10s',
      exec: async (ctx) => {
        await insertOne(ctx);
      },
    },
    insert_batches: {
      executor: 'shared-iterations',
      startTime: WINDOWS.batches,
      vus: 1,
      iterations: BATCHES,
      maxDuration: '30s',
      gracefulStop: '10s',
      exec: async (ctx) => {
        await insertBatch(ctx, BATCH_SIZE);
      },
    },
    voting: {
      executor: 'per-vu-iterations',
      startTime: WINDOWS.voting,
      vus: VOTERS,
      iterations: PROPOSALS,
      maxDuration: '1m',
      gracefulStop: '10s',
      exec: async (ctx) => {
        await castVote(ctx, VOTERS, () => ctx.record(votesCast, 1));
      },
    },
    task_distribution: {
      executor: 'per-vu-iterations',
      startTime: WINDOWS.tasks,
      vus: TASK_VUS,
      iterations: 1,
      maxDuration: '3m',
      // the VUs follow their tasks in real time: TASK_TIMEOUT bounds the wait, not the time scale
      gracefulStop: '10m',
      exec: async (ctx) => {
        await distributeTasks(ctx, TASK_VUS, TASKS);
      },
    },
  },
  teardown: async (ctx, data) => {
    await verifyTallies(ctx, data.proposals, VOTERS, (exact, consensus) => {
      ctx.record(tallyExact, exact ? 1 : 0);
      ctx.record(consensusExpected, consensus ? 1 : 0);
    });
    const stored = await countRecords(ctx, `${data.runKey}-insert`);
    ctx.record(recordsStored, stored === INSERTS + BATCHES * BATCH_SIZE ? 1 : 0);
  },
  thresholds,
});
