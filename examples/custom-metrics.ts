/**
 * Custom metrics: Counter, Gauge, Rate and Trend, declared once at the top of
 * the script and recorded from scenario code. They appear in the summary,
 * summary.json and thresholds exactly like the built-in ones.
 *
 *   npx agentload run examples/custom-metrics.ts
 *   jq '.metrics.run_create_duration.values.p95' results/*-custom-metrics/summary.json
 */
import { Counter, defineTest, Gauge, Rate, Trend } from 'agentload';

// names: letters, digits and underscores; `true` marks a Trend as milliseconds
const createDuration = new Trend('run_create_duration', true);
const goalLength = new Trend('goal_length');
const runsCreated = new Counter('runs_created');
const createdOk = new Rate('run_create_ok');
const runsStored = new Gauge('runs_stored'); // how many runs the target holds, as its list reports

export default defineTest({
  http: { baseUrl: 'http://127.0.0.1:8088' },
  scenarios: {
    creators: {
      executor: 'constant-vus',
      vus: 3,
      duration: '30s',
      exec: async (ctx) => {
        const big = ctx.chance(0.25);
        const goal = big ? 'summarise '.repeat(50) : 'say hello';
        const res = await ctx.http.post('/api/runs', { goal }, { name: 'create_run' });
        const ok = res.status === 200 || res.status === 201;

        // ctx.record adds the VU's tags (scenario, group, your own) plus the ones given here
        ctx.record(createDuration, res.timings.duration, { size: big ? 'big' : 'small' });
        ctx.record(goalLength, goal.length);
        ctx.record(createdOk, ok ? 1 : 0);
        if (ok) ctx.record(runsCreated, 1);

        const list = await ctx.http.get('/api/runs', { name: 'list_runs', query: { limit: 50 } });
        if (list.status === 200) {
          // metric.add(value, tags) records with exactly the tags given (no scenario tag)
          runsStored.add(list.json<{ total: number }>().total, { source: 'list' });
        }
        await ctx.sleep(0.2);
      },
    },
  },
  thresholds: {
    run_create_duration: ['p(95)<500', 'avg<300'],
    'run_create_duration{size:big}': ['p(95)<800'],
    runs_created: ['count>0'],
    run_create_ok: ['rate>0.99'],
    runs_stored: ['value>0'],
    goal_length: ['max<=500'],
  },
});
