/**
 * Seed 000's API load test: 20 minutes, 0 → 100 → 150 (spike) → 0 VUs, with
 * an operation mix of independent per-iteration probabilities — create 30%,
 * list 50%, get 60%, graft 20%, delete 10% (they add up to 170%: one
 * iteration may do several operations, or none). `ctx.chance(p)` is true with
 * probability p, drawn afresh for each operation. A VU that has no run of its
 * own yet creates one first, so get/graft/delete always have an id to use.
 *
 *   npx agentload run examples/operation-mix.ts
 *   npx agentload run examples/operation-mix.ts --time-scale 20   # the same shape in 1 minute
 *   jq '.metrics.http_req_duration.values.p95' results/*-operation-mix/summary.json
 */
import { defineTest, type VuContext } from 'agentload';

// Runs each VU created and may still use; module state is per worker thread, keyed by VU id.
const runsOf = new Map<number, string[]>();

async function createRun(ctx: VuContext, mine: string[]): Promise<void> {
  const res = await ctx.http.post('/api/runs', { goal: 'Summarise the latest incident report' }, { name: 'create_run' });
  if (ctx.check(res, { 'create 2xx': (r) => r.status === 200 || r.status === 201 })) mine.push(res.json<{ id: string }>().id);
}

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    api: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '2m', target: 100 }, // ramp up
        { duration: '8m', target: 100 }, // normal load
        { duration: '1m', target: 150 }, // spike
        { duration: '3m', target: 150 },
        { duration: '1m', target: 100 }, // recovery
        { duration: '3m', target: 100 },
        { duration: '2m', target: 0 }, // ramp down
      ],
      exec: async (ctx) => {
        let mine = runsOf.get(ctx.vu);
        if (mine === undefined) {
          mine = [];
          runsOf.set(ctx.vu, mine);
        }
        if (ctx.chance(0.3) || mine.length === 0) await createRun(ctx, mine);
        if (ctx.chance(0.5)) {
          const res = await ctx.http.get('/api/runs', { name: 'list_runs', query: { limit: 20 } });
          ctx.check(res, { 'list 200': (r) => r.status === 200 });
        }
        const id = mine.length > 0 ? mine[ctx.randomInt(0, mine.length - 1)] : undefined;
        if (id !== undefined && ctx.chance(0.6)) {
          const res = await ctx.http.get(`/api/runs/${id}`, { name: 'get_run' });
          ctx.check(res, { 'get 200': (r) => r.status === 200 });
        }
        if (id !== undefined && ctx.chance(0.2)) {
          const res = await ctx.http.post(`/api/runs/${id}/graft`, { name: 'review', agent: 'load-test' }, { name: 'graft_run' });
          ctx.check(res, { 'graft 2xx': (r) => r.status >= 200 && r.status < 300 });
        }
        if (id !== undefined && ctx.chance(0.1)) {
          const res = await ctx.http.del(`/api/runs/${id}`, undefined, { name: 'delete_run' });
          if (ctx.check(res, { 'delete 2xx': (r) => r.status >= 200 && r.status < 300 })) mine.splice(mine.indexOf(id), 1);
        }
        await ctx.sleepBetween(1, 3);
      },
    },
  },
  thresholds: {
    // seed 000's API baselines
    http_req_duration: ['p(95)<500', 'p(99)<1000'],
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:create_run}': ['p(95)<500'],
    'http_req_duration{name:get_run}': ['p(95)<500'],
    checks: ['rate>0.99'],
  },
});
