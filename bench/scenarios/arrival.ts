import { defineTest } from 'agentload';

// Open model for the coordinated-omission and accuracy benchmarks: BENCH_RATE
// iterations per second for BENCH_DURATION, each one GET + one check, with
// enough VUs that a stalled target never makes an iteration wait for a VU.
const url = process.env.BENCH_URL ?? 'http://127.0.0.1:8080/json';
const rate = Number(process.env.BENCH_RATE ?? 200);

export default defineTest({
  scenarios: {
    arrivals: {
      executor: 'constant-arrival-rate',
      rate,
      timeUnit: '1s',
      duration: process.env.BENCH_DURATION ?? '10s',
      preAllocatedVUs: Math.ceil(rate * 1.5),
      maxVUs: Math.ceil(rate * 3),
      gracefulStop: '3s',
      exec: async (ctx) => {
        const res = await ctx.http.get(url);
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
      },
    },
  },
});
