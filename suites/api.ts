/**
 * api — seed 000's API load test (api-load-test.js): the runs API under
 * 0 → 100 → 150 (spike) → 0 users over 20 minutes.
 *
 * Each iteration draws every operation independently (seed 000's mix adds up
 * to 170%): create 30%, list 50%, get 60%, graft 20%, delete 10%, plus an AI
 * call 10% (chat 3 : workflow 2), then thinks 0.5–1.5 s. A VU without a run
 * of its own creates one first; it gets, grafts and deletes only its own runs.
 *
 * Thresholds (seed 000's baselines): API p95 < 500 ms, p99 < 1 s, errors
 * < 1%, > 100 requests/s; AI calls apart: p95 < 2 s, p99 < 5 s, success > 99%.
 *
 *   agentload run --suite api                                 # against $API_URL or http://127.0.0.1:8088
 *   agentload run --suite api --env staging --time-scale 10   # 2 minutes
 *
 * Options: docs/suites.md#api.
 */
import { defineTest } from 'agentload';
import { perVu, anyOf } from './lib/requests.ts';
import { chat, createRun, deleteRun, getRun, graftRun, listRuns, requireHealthy, targetHttp, workflow } from './lib/runs-api.ts';
import { chanceSetting, scaledFloor, scaledStages, secondsRange } from './lib/settings.ts';

/** The runs this VU created and has not deleted (the newest 100). */
const runsOf = perVu<string[]>(() => []);

export default defineTest({
  name: 'api',
  http: targetHttp(),
  setup: requireHealthy,
  scenarios: {
    api_users: {
      executor: 'ramping-vus',
      startVUs: 0,
      // Generous: a VU ramping down finishes its iteration (an AI call takes seconds), even under a strong --time-scale.
      gracefulRampDown: '10m',
      gracefulStop: '10m',
      stages: scaledStages([
        { duration: '2m', target: 50 },
        { duration: '3m', target: 100 },
        { duration: '5m', target: 100 },
        { duration: '1m', target: 150 }, // spike
        { duration: '3m', target: 150 },
        { duration: '1m', target: 100 },
        { duration: '2m', target: 100 },
        { duration: '3m', target: 0 },
      ]),
      exec: async (ctx) => {
        const mine = runsOf(ctx);
        if (mine.length === 0 || ctx.chance(chanceSetting('P_CREATE', 0.3, ctx))) {
          const id = await createRun(ctx);
          if (id !== null) {
            mine.push(id);
            if (mine.length > 100) mine.shift();
          }
        }
        if (ctx.chance(chanceSetting('P_LIST', 0.5, ctx))) await listRuns(ctx);
        const id = anyOf(ctx, mine);
        if (id !== undefined && ctx.chance(chanceSetting('P_GET', 0.6, ctx))) await getRun(ctx, id);
        if (id !== undefined && ctx.chance(chanceSetting('P_GRAFT', 0.2, ctx))) await graftRun(ctx, id);
        if (id !== undefined && ctx.chance(chanceSetting('P_DELETE', 0.1, ctx))) {
          if (await deleteRun(ctx, id)) mine.splice(mine.indexOf(id), 1);
        }
        if (ctx.chance(chanceSetting('P_AI', 0.1, ctx))) {
          if (ctx.pick({ chat: 3, workflow: 2 }) === 'chat') await chat(ctx);
          else await workflow(ctx);
        }
        const [lo, hi] = secondsRange('THINK_TIME', [0.5, 1.5], ctx);
        await ctx.sleepBetween(lo, hi);
      },
    },
  },
  thresholds: {
    // API endpoints (/api/runs)
    'http_req_duration{type:api}': ['p(95)<500', 'p(99)<1000'],
    'http_req_failed{type:api}': ['rate<0.01'],
    'http_reqs{type:api}': [`rate>${scaledFloor(100)}`],
    // AI agent responses (chat, workflows)
    'http_req_duration{type:ai}': ['p(95)<2000', 'p(99)<5000'],
    'http_req_failed{type:ai}': ['rate<0.01'],
    http_req_failed: ['rate<0.01'],
    checks: ['rate>0.99'],
  },
});
