import { defineTest } from 'agentload';

// One GET + one check per iteration, every built-in HTTP metric recorded.
// BENCH_URL, BENCH_VUS and BENCH_DURATION come from the harness (bench/http-throughput.mjs).
const url = process.env.BENCH_URL ?? 'http://127.0.0.1:8080/json';

export default defineTest({
  scenarios: {
    get: {
      executor: 'constant-vus',
      vus: Number(process.env.BENCH_VUS ?? 50),
      duration: process.env.BENCH_DURATION ?? '10s',
      exec: async (ctx) => {
        const res = await ctx.http.get(url);
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
      },
    },
  },
});
