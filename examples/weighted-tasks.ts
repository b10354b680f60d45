/**
 * Seed 004's APIUser, the Locust way: each iteration runs ONE task picked by
 * weight — chat 3, workflow 2, analytics 1, i.e. 50% / 33% / 17% of
 * iterations (the seed's comments say 70/20/10, which would be weights 7:2:1)
 * — then waits 1 to 3 s (Locust's `wait_time = between(1, 3)`). Users spawn at
 * 10 per second (Locust's spawn_rate).
 *
 *   npx agentload run examples/weighted-tasks.ts                # 20 users, 5 minutes
 *   npx agentload run examples/weighted-tasks.ts --stage 10s:100 --stage 9m50s:100
 *                                                 # seed 004's baseline: 100 users, 10 minutes
 *
 * With --stage (or --vus/--duration) the tasks and waitTime below still apply:
 * the command line replaces only the load shape. Against the reference target,
 * 100 users saturate its mock LLM (32 generations at once by default) and the
 * AI thresholds fail: that is the saturation knee a stress test looks for.
 */
import { defineTest } from 'agentload';

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    api_user: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '2s', target: 20 }, // spawn_rate 10/s
        { duration: '4m58s', target: 20 },
      ],
      waitTime: [1, 3],
      tasks: {
        chat: {
          weight: 3,
          fn: async (ctx) => {
            const res = await ctx.http.post('/api/chat', { message: 'How can I help you?', context: { session_id: `vu-${ctx.vu}` } }, { name: 'chat' });
            ctx.check(res, { 'chat 200': (r) => r.status === 200 });
          },
        },
        workflow: {
          weight: 2,
          fn: async (ctx) => {
            const res = await ctx.http.post('/api/workflows/execute', { workflow_id: 'faq_workflow', parameters: { query: 'test query' } }, { name: 'workflow' });
            ctx.check(res, { 'workflow 200': (r) => r.status === 200 });
          },
        },
        // a bare function has weight 1
        analytics: async (ctx) => {
          const res = await ctx.http.get('/api/analytics/metrics', { name: 'analytics' });
          ctx.check(res, { 'analytics 200': (r) => r.status === 200 });
        },
      },
    },
  },
  thresholds: {
    // seed 004's baseline targets for plain API calls, seed 000's for AI answers
    // (seed 004's "> 100 RPS" cannot come from 100 users who wait 1–3 s between
    // requests: that is ~50 req/s at most; hold a rate with an arrival-rate executor)
    'http_req_duration{name:analytics}': ['p(95)<500', 'p(99)<1000'],
    'http_req_duration{name:chat}': ['p(95)<2000', 'p(99)<5000'],
    // a workflow is several LLM calls in sequence
    'http_req_duration{name:workflow}': ['p(95)<6000'],
    http_req_failed: ['rate<0.001'],
  },
});
