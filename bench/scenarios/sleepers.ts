import { defineTest } from 'agentload';

// Mostly-sleeping VUs for the VU-cost benchmark (bench/vu-cost.mjs): the VU
// count ramps from 0 to BENCH_VUS over BENCH_RAMP, holds for BENCH_HOLD, and
// every VU sends one GET (+ one check) every 10 s.
const url = process.env.BENCH_URL ?? 'http://127.0.0.1:8080/json';
const vus = Number(process.env.BENCH_VUS ?? 10000);

export default defineTest({
  scenarios: {
    sleepers: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { duration: process.env.BENCH_RAMP ?? '10s', target: vus },
        { duration: process.env.BENCH_HOLD ?? '12s', target: vus },
      ],
      gracefulRampDown: '0s',
      gracefulStop: '2s',
      exec: async (ctx) => {
        const res = await ctx.http.get(url);
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
        await ctx.sleep(10);
      },
    },
  },
});
