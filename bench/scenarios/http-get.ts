import { defineTest, type ScenarioFn } from 'agentload';

// One GET + one check per iteration, every built-in HTTP metric recorded.
// BENCH_URL, BENCH_VUS and BENCH_DURATION come from the harness (bench/http-throughput.mjs).
// BENCH_ITERATIONS=N runs a fixed count of requests instead (shared-iterations), to compare two builds
// by CPU time per request: (user + sys) × 1e6 / N µs (docs/benchmarks.md).
const url = process.env.BENCH_URL ?? 'http://127.0.0.1:8080/json';
const vus = Number(process.env.BENCH_VUS ?? 50);
const iterations = process.env.BENCH_ITERATIONS;

const exec: ScenarioFn = async (ctx) => {
  const res = await ctx.http.get(url);
  ctx.check(res, { 'status is 200': (r) => r.status === 200 });
};

export default defineTest({
  scenarios: {
    get:
      iterations === undefined
        ? { executor: 'constant-vus', vus, duration: process.env.BENCH_DURATION ?? '10s', exec }
        : { executor: 'shared-iterations', vus, iterations: Number(iterations), maxDuration: '120s', exec },
  },
});
