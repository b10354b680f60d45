import { defineTest } from 'agentload';

// The accuracy benchmark (bench/accuracy.mjs): BENCH_VUS VUs (default 1), each
// sends a GET, checks it, then pauses BENCH_PAUSE_MS (default 1 ms), the same
// shape as wrk with a delay() of that many milliseconds.
const url = process.env.BENCH_URL ?? 'http://127.0.0.1:8080/json';
const pause = Number(process.env.BENCH_PAUSE_MS ?? 1) / 1000;

export default defineTest({
  scenarios: {
    paced: {
      executor: 'constant-vus',
      vus: Number(process.env.BENCH_VUS ?? 1),
      duration: process.env.BENCH_DURATION ?? '10s',
      exec: async (ctx) => {
        const res = await ctx.http.get(url);
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
        await ctx.sleep(pause);
      },
    },
  },
});
