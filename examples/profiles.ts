/**
 * Profiles: one script, many load shapes. Without --profile the scenarios run
 * as written; with one, every scenario takes the profile's stages (VU-based
 * scenarios share its VUs by `weight`) and the profile's default thresholds.
 *
 *   npx agentload run examples/profiles.ts                                  # as written
 *   npx agentload run examples/profiles.ts --profile smoke                  # 1 VU per scenario, 1 minute
 *   npx agentload run examples/profiles.ts --profile stress --time-scale 26 # 26 minutes in 1
 *   npx agentload run examples/profiles.ts --profile ramp-and-hold          # defined below
 */
import { defineTest } from 'agentload';

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    // 3 of every 4 profile VUs browse ...
    readers: {
      executor: 'constant-vus',
      vus: 3,
      duration: '30s',
      weight: 3,
      exec: async (ctx) => {
        const res = await ctx.http.get('/api/runs', { name: 'list_runs' });
        ctx.check(res, { 'list is 200': (r) => r.status === 200 });
        await ctx.sleepBetween(0.5, 1.5);
      },
    },
    // ... and 1 in 4 writes
    writers: {
      executor: 'constant-vus',
      vus: 1,
      duration: '30s',
      weight: 1,
      exec: async (ctx) => {
        const res = await ctx.http.post('/api/runs', { goal: 'profile example' }, { name: 'create_run' });
        ctx.check(res, { 'created': (r) => r.status === 200 || r.status === 201 });
        await ctx.sleepBetween(1, 2);
      },
    },
  },
  profiles: {
    // a profile of your own: ramp to 20 VUs, hold, ramp down; with its own thresholds
    'ramp-and-hold': {
      description: 'ramp to 20 VUs in 30 s, hold 1 minute, ramp down',
      stages: [
        { duration: '30s', target: 20 },
        { duration: '1m', target: 20 },
        { duration: '15s', target: 0 },
      ],
      thresholds: { 'http_req_duration{name:list_runs}': ['p(95)<300'] },
    },
  },
  thresholds: {
    // the script's thresholds apply with every profile (and win over a profile's on the same metric)
    http_req_failed: ['rate<0.01'],
  },
});
