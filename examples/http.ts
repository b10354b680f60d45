/**
 * The HTTP client: JSON bodies, query parameters, headers, the `name` tag that
 * groups URLs with ids, expected statuses, per-request timeouts and tags,
 * batches, discarded bodies and the k6 timings. See docs/http.md.
 *
 *   npx agentload run examples/http.ts
 *   AUTH_TOKEN=… npx agentload run examples/http.ts --env local   # token from the environment, redacted from output
 */
import { defineTest } from 'agentload';

interface Run {
  id: string;
}

export default defineTest({
  http: {
    baseUrl: 'http://127.0.0.1:8088',
    timeout: '10s', // default per-request timeout (the default is 60s)
    headers: { accept: 'application/json' }, // sent with every request
  },
  scenarios: {
    api: {
      executor: 'per-vu-iterations',
      vus: 2,
      iterations: 10,
      exec: async (ctx) => {
        const auth: Record<string, string> = ctx.env.AUTH_TOKEN === undefined ? {} : { authorization: `Bearer ${ctx.env.AUTH_TOKEN}` };

        // a JSON body (objects are sent as JSON with content-type application/json)
        const created = await ctx.http.post('/api/runs', { goal: 'http example' }, { headers: auth, name: 'create_run', tags: { kind: 'write' } });
        ctx.check(created, { 'run created': (r) => r.status === 200 || r.status === 201 });
        const id = created.status < 300 ? created.json<Run>().id : undefined;

        // query parameters, and a per-request timeout
        const list = await ctx.http.get('/api/runs', { headers: auth, name: 'list_runs', query: { limit: 10 }, timeout: '2s' });
        ctx.check(list, { 'list is 200': (r) => r.status === 200, 'list is JSON': (r) => r.headers['content-type']?.includes('json') === true });

        // one `name` for every id, so /api/runs/1, /api/runs/2 … make one series
        if (id !== undefined) {
          const one = await ctx.http.get(`/api/runs/${id}`, { headers: auth, name: 'get_run' });
          ctx.check(one, { 'got the run': (r) => r.status === 200 && r.json<Run>().id === id, 'fast enough': (r) => r.timings.duration < 1000 });
        }

        // a 404 that is the right answer: not counted in http_req_failed
        const missing = await ctx.http.get('/api/runs/no-such-run', { headers: auth, name: 'get_missing_run', expectedStatuses: [404] });
        ctx.check(missing, { 'unknown id is 404': (r) => r.status === 404 && r.expected });

        // several requests at once; the body of the second one is not kept
        const [health, analytics] = await ctx.http.batch([
          { method: 'GET', url: '/health', params: { name: 'health' } },
          { method: 'GET', url: '/api/analytics/metrics', params: { headers: auth, name: 'analytics', responseType: 'none' } },
        ]);
        ctx.check(health, { 'health is 200': (r) => r.status === 200 });
        ctx.check(analytics, { 'analytics is 200': (r) => r.status === 200, 'body discarded': (r) => r.body === null });

        if (id !== undefined) {
          const del = await ctx.http.del(`/api/runs/${id}`, undefined, { headers: auth, name: 'delete_run', tags: { kind: 'write' } });
          ctx.check(del, { 'run deleted': (r) => r.status === 200 || r.status === 204 });
        }
      },
    },
  },
  thresholds: {
    http_req_failed: ['rate<0.01'],
    'http_req_duration{name:get_run}': ['p(95)<500'],
    'http_req_duration{kind:write}': ['p(95)<800'],
    checks: ['rate==1'],
  },
});
