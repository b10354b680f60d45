/**
 * The six executors side by side, k6 names and options. Each scenario is
 * tagged with its name (`scenario`), so thresholds can hold every one to its
 * own numbers.
 *
 *   npx agentload target &                 # the reference target on :8088
 *   npx agentload run examples/executors.ts
 *   npx agentload run examples/executors.ts --time-scale 10   # the same shape in ~4 s
 */
import { defineTest, type VuContext } from 'agentload';

async function health(ctx: VuContext): Promise<void> {
  const res = await ctx.http.get('/health', { name: 'health' });
  ctx.check(res, { 'health is 200': (r) => r.status === 200 });
  await ctx.sleep(0.05);
}

async function listRuns(ctx: VuContext): Promise<void> {
  const res = await ctx.http.get('/api/runs', { name: 'list_runs', query: { limit: 10 } });
  ctx.check(res, { 'list is 200': (r) => r.status === 200 });
}

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    // closed model: a fixed number of iterations, shared; faster VUs do more of them
    warmup: { executor: 'shared-iterations', vus: 2, iterations: 20, maxDuration: '30s', exec: health },
    // closed model: every VU does exactly `iterations`
    per_vu: { executor: 'per-vu-iterations', vus: 2, iterations: 5, exec: health },
    // closed model: N VUs loop for a duration (starts once the warm-up had time to finish)
    steady: { executor: 'constant-vus', vus: 3, duration: '20s', startTime: '5s', exec: health },
    // closed model: the VU count follows the stages
    ramp: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: '10s', target: 5 },
        { duration: '10s', target: 5 },
        { duration: '5s', target: 0 },
      ],
      gracefulRampDown: '5s',
      exec: health,
    },
    // open model: 20 iterations per second whatever the response times
    rate: { executor: 'constant-arrival-rate', rate: 20, timeUnit: '1s', duration: '20s', preAllocatedVUs: 5, maxVUs: 20, exec: listRuns },
    // open model: the rate ramps from 5/s to 30/s and back down
    ramp_rate: {
      executor: 'ramping-arrival-rate',
      startRate: 5,
      timeUnit: '1s',
      stages: [
        { duration: '10s', target: 30 },
        { duration: '10s', target: 30 },
        { duration: '5s', target: 5 },
      ],
      preAllocatedVUs: 5,
      maxVUs: 30,
      exec: listRuns,
    },
  },
  thresholds: {
    // iteration-based executors run an exact number of iterations
    'iterations{scenario:warmup}': ['count==20'],
    'iterations{scenario:per_vu}': ['count==10'],
    // the open-model scenarios kept their schedule: no iteration found every VU busy
    dropped_iterations: ['count==0'],
    'http_req_duration{scenario:rate}': ['p(95)<500'],
    http_req_failed: ['rate<0.01'],
  },
});
