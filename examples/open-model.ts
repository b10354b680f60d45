/**
 * Open model: iterations start on a schedule, not when a VU is done. An
 * iteration that finds every VU busy (and maxVUs reached) is dropped and
 * counted in `dropped_iterations`; `iteration_lag` is how late the started
 * ones began. Together they say whether the numbers describe the load you
 * asked for (see docs/executors.md, "Coordinated omission").
 *
 *   npx agentload run examples/open-model.ts
 */
import { defineTest } from 'agentload';

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    // 30 chat requests per second for a minute; each VU handles one at a time,
    // so maxVUs must cover rate × the slowest response you expect (30/s × 2 s = 60)
    chat: {
      executor: 'constant-arrival-rate',
      rate: 30,
      timeUnit: '1s',
      duration: '1m',
      preAllocatedVUs: 10,
      maxVUs: 60,
      exec: async (ctx) => {
        const res = await ctx.http.post('/api/chat', { message: 'How can I help you?' }, { name: 'chat', timeout: '10s' });
        ctx.check(res, { 'chat answered': (r) => r.status === 200 });
      },
    },
    // a rate given per minute: 60 → 600 list calls per minute over 30 s, then hold
    lists: {
      executor: 'ramping-arrival-rate',
      startRate: 60,
      timeUnit: '1m',
      stages: [
        { duration: '30s', target: 600 },
        { duration: '30s', target: 600 },
      ],
      preAllocatedVUs: 5,
      maxVUs: 20,
      exec: async (ctx) => {
        await ctx.http.get('/api/runs', { name: 'list_runs' });
      },
    },
  },
  thresholds: {
    // the generator kept up: nothing dropped, and iterations started on time
    dropped_iterations: ['count==0'],
    iteration_lag: ['p(99)<250'],
    'http_req_duration{name:chat}': ['p(95)<2000'],
    http_req_failed: ['rate<0.01'],
  },
});
