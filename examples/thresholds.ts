/**
 * Thresholds: k6's grammar on every metric type, submetrics selected by tags,
 * and a threshold that stops the test early (abortOnFail). A failed threshold
 * makes the run exit 99; see docs/thresholds.md.
 *
 *   npx agentload run examples/thresholds.ts
 *   npx agentload run examples/thresholds.ts --no-thresholds   # measure only
 */
import { defineTest } from 'agentload';

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    browse: {
      executor: 'constant-vus',
      vus: 4,
      duration: '30s',
      tags: { flow: 'browse' },
      exec: async (ctx) => {
        await ctx.group('home', async () => {
          const res = await ctx.http.get('/health', { name: 'health' });
          ctx.check(res, { 'health is 200': (r) => r.status === 200 });
        });
        await ctx.group('runs', async () => {
          const res = await ctx.http.get('/api/runs', { name: 'list_runs', query: { limit: 20 } });
          ctx.check(res, { 'list is 200': (r) => r.status === 200 });
        });
        await ctx.sleep(0.2);
      },
    },
  },
  thresholds: {
    // Trend: avg, min, med, max, p(N) — milliseconds for time trends
    http_req_duration: ['p(95)<500', 'p(99)<1000', 'p(99.9)<2000', 'avg<300', 'med<250', 'max<5000'],
    // submetrics: any tag, several at once
    'http_req_duration{name:list_runs}': ['p(95)<400'],
    'http_req_duration{flow:browse,method:GET}': ['p(90)<400'],
    'http_req_duration{expected_response:true}': ['p(95)<500'],
    // group_duration is tagged with the group path: "::home"
    'group_duration{group:::home}': ['p(95)<600'],
    // Rate: the share of non-zero samples; abortOnFail stops the run at once (exit 99)
    http_req_failed: [{ threshold: 'rate<0.05', abortOnFail: true, delayAbortEval: '10s' }],
    checks: ['rate>0.99'],
    // Counter: count (the total) and rate (per second over the whole run)
    http_reqs: ['count>=10', 'rate>1'],
    iteration_errors: ['count==0'],
    // Gauge: value (the last one)
    vus_max: ['value<=4'],
  },
});
