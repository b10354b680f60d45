// A fixed count of requests, for comparing generator CPU per request between two builds
// (throughput moves too much on a shared VM):
//   BENCH_URL=http://127.0.0.1:PORT/json /usr/bin/time -f "%U %S" taskset -c 1 \
//     node bin/agentload.js run bench/scenarios/http-get-fixed.ts --workers 1 --quiet --no-thresholds --no-history
// CPU µs per request = (user + sys) * 1e6 / BENCH_ITERATIONS.
import { defineTest } from 'agentload';

const url = process.env.BENCH_URL ?? 'http://127.0.0.1:8080/json';

export default defineTest({
  scenarios: {
    get: {
      executor: 'shared-iterations',
      vus: Number(process.env.BENCH_VUS ?? 50),
      iterations: Number(process.env.BENCH_ITERATIONS ?? 300_000),
      maxDuration: '120s',
      exec: async (ctx) => {
        const res = await ctx.http.get(url);
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
      },
    },
  },
});
