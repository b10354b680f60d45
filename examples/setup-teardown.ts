/**
 * setup() runs once before the load starts and its return value reaches every
 * VU as `ctx.data`; teardown() runs once after the last iteration with the
 * same data. Both get a context with `http`, `check`, `group`, `sleep` and
 * `env`; their requests are tagged `scenario: setup`.
 *
 *   npx agentload run examples/setup-teardown.ts
 */
import { defineTest } from 'agentload';

interface Fixture {
  runIds: string[];
}

export default defineTest<Fixture>({
  http: { baseUrl: 'http://127.0.0.1:8088' },

  setup: async (ctx) => {
    // fail fast: an exception here stops the test before any load (exit 107)
    const health = await ctx.http.get('/health', { name: 'setup_health' });
    if (health.status !== 200) throw new Error(`target not healthy: ${health.status} ${health.error}`);
    const runIds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await ctx.http.post('/api/runs', { goal: `fixture ${i}` }, { name: 'setup_create_run' });
      if (res.status >= 300) throw new Error(`could not create fixture run: ${res.status}`);
      runIds.push(res.json<{ id: string }>().id);
    }
    // must be plain data (it is copied to every worker thread)
    return { runIds };
  },

  scenarios: {
    readers: {
      executor: 'constant-vus',
      vus: 4,
      duration: '30s',
      exec: async (ctx) => {
        // each VU starts on a different fixture run
        const id = ctx.data.runIds[(ctx.vu + ctx.iteration) % ctx.data.runIds.length] as string;
        const res = await ctx.http.get(`/api/runs/${id}`, { name: 'get_run' });
        ctx.check(res, { 'fixture run readable': (r) => r.status === 200 });
        // stop the whole test (exit 108) when continuing makes no sense
        if (res.status === 401 || res.status === 403) ctx.abortTest(`not authorised: ${res.status}`);
        await ctx.sleep(0.1);
      },
    },
  },

  teardown: async (ctx, data) => {
    for (const id of data.runIds) await ctx.http.del(`/api/runs/${id}`, undefined, { name: 'teardown_delete_run' });
  },

  thresholds: {
    'http_req_duration{name:get_run}': ['p(95)<500'],
    checks: ['rate>0.99'],
  },
});
