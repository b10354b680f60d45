import { defineTest, Trend } from 'agentload';

const createTime = new Trend('create_time', true);

export default defineTest({
  http: { baseUrl: process.env.API_URL ?? 'http://127.0.0.1:8088' },
  scenarios: {
    browse: {
      executor: 'constant-vus',
      vus: 5,
      duration: '5s',
      exec: async (ctx) => {
        const res = await ctx.http.get('/health', { name: 'health' });
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
        ctx.record(createTime, res.timings.duration);
        await ctx.sleep(0.1);
      },
    },
  },
  thresholds: {
    http_req_duration: ['p(95)<500'],
    http_req_failed: ['rate<0.01'],
  },
});
