/**
 * Script traps that made numbers silently wrong, end to end through the CLI (the build) against a local
 * server: booleans recorded into metrics, res.json(selector), a forgotten `await`, and a destructured
 * context. Each asserts the exit code and what summary.json counts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSummary, runCli, type CliResult } from '../helpers/cli.ts';
import { writeScript } from '../helpers/run-script.ts';

/** /fast: 200 JSON; POST /api/runs: a created run; GET /api/runs/<id>: that run (404 for another id). Paths are kept. */
interface RunsServer {
  url: string;
  paths: string[];
  close(): Promise<void>;
}

async function startRunsServer(): Promise<RunsServer> {
  const paths: string[] = [];
  const server = http.createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(`${req.method} ${path}`);
    const json = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    req.resume();
    req.on('end', () => {
      if (path === '/fast') return json(200, { ok: true });
      if (req.method === 'POST' && path === '/api/runs') return json(201, { id: 'run-7', status: 'queued', steps: [{ id: 's1' }, { id: 's2' }] });
      if (path === '/api/runs/run-7') return json(200, { id: 'run-7', status: 'done', steps: [{ id: 's1', ms: 5 }, { id: 's2', ms: 7 }] });
      json(404, { error: 'not found', path });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    paths,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let server: RunsServer;
before(async () => {
  server = await startRunsServer();
});
after(() => server.close());

const output = (r: CliResult): string => r.stdout + r.stderr;

test('booleans record 1/0: a ported errorRate.add(!ok) with every request OK reports 0% errors; a bad value throws naming the metric', async () => {
  const source = `import { defineTest, Rate, Trend } from 'agentload';
const errorRate = new Rate('error_rate');
const okRate = new Rate('ok_rate');
const viaAdd = new Rate('via_add');
const flags = new Trend('flag_values');
export default defineTest({
  http: { baseUrl: ${JSON.stringify(server.url)} },
  scenarios: {
    main: { executor: 'shared-iterations', vus: 2, iterations: 10, exec: async (ctx) => {
      const res = await ctx.http.get('/fast');
      const ok = res.status === 200;
      ctx.record(errorRate, !ok);
      ctx.record(okRate, ok);
      ctx.record(flags, true);
      viaAdd.add(false);
    } },
    bad: { executor: 'per-vu-iterations', vus: 1, iterations: 3, exec: (ctx) => {
      ctx.record(flags, 'fast'); // a string
    } },
  },
  thresholds: { error_rate: ['rate==0'] },
});
`;
  const r = await runCli(['run', writeScript(source), '--quiet']);
  assert.equal(r.code, 0, output(r));
  const s = readSummary(r.resultsDir);
  assert.deepEqual(s.metrics.error_rate?.values, { rate: 0, passes: 0, fails: 10 });
  assert.deepEqual(s.metrics.error_rate?.thresholds, { 'rate==0': { ok: true } });
  assert.deepEqual(s.metrics.ok_rate?.values, { rate: 1, passes: 10, fails: 0 });
  assert.deepEqual(s.metrics.via_add?.values, { rate: 0, passes: 0, fails: 10 });
  // true is 1; the string was not recorded as anything
  assert.equal(s.metrics.flag_values?.values.avg, 1);
  assert.equal(s.metrics.flag_values?.values.min, 1);
  assert.equal(s.metrics.iterations?.values.count, 13);
  assert.equal(s.metrics.iteration_errors?.values.count, 3);
  const err = s.agentload.errors.find((e) => e.scenario === 'bad');
  assert.ok(err !== undefined, JSON.stringify(s.agentload.errors));
  assert.match(err.message, /^TypeError: ctx\.record\(\): metric "flag_values" takes a finite number or a boolean \(true counts 1, false 0\), got the string "fast"$/);
  assert.match(err.location, new RegExp(`case\\.ts:${lineOf(source, '// a string')}:\\d+$`));
});

test('res.json(selector) selects with GJSON paths: the id goes into the next URL; an unsupported selector fails loudly, naming it', async () => {
  const script = writeScript(`import { defineTest } from 'agentload';
export default defineTest({
  http: { baseUrl: ${JSON.stringify(server.url)} },
  scenarios: {
    flow: { executor: 'shared-iterations', vus: 1, iterations: 4, exec: async (ctx) => {
      const created = await ctx.http.post('/api/runs', { goal: 'x' }, { name: 'create_run' });
      const id = created.json('id');
      const run = await ctx.http.get('/api/runs/' + id, { name: 'get_run' });
      ctx.check(run, {
        'the created run': (r) => r.status === 200 && r.json('id') === id,
        'two steps': (r) => r.json('steps.#') === 2,
        'step ids': (r) => JSON.stringify(r.json('steps.#.id')) === '["s1","s2"]',
        'second step ms': (r) => r.json('steps.1.ms') === 7,
        'absent is undefined': (r) => r.json('owner.name') === undefined,
      });
    } },
    jsonpath: { executor: 'shared-iterations', vus: 1, iterations: 2, exec: async (ctx) => {
      const created = await ctx.http.post('/api/runs', { goal: 'y' }, { name: 'create_run' });
      await ctx.http.get('/api/runs/' + created.json('steps[0].id'), { name: 'never' });
    } },
  },
});
`);
  const r = await runCli(['run', script, '--quiet']);
  assert.equal(r.code, 0, output(r));
  const s = readSummary(r.resultsDir);
  const checks = Object.fromEntries(s.root_group.checks.map((c) => [c.name, [c.passes, c.fails]]));
  assert.deepEqual(checks, {
    'the created run': [4, 0],
    'two steps': [4, 0],
    'step ids': [4, 0],
    'second step ms': [4, 0],
    'absent is undefined': [4, 0],
  });
  assert.equal(server.paths.filter((p) => p === 'GET /api/runs/run-7').length, 4);
  assert.deepEqual(
    server.paths.filter((p) => p.startsWith('GET /api/') && p !== 'GET /api/runs/run-7'),
    [],
    'no request went to /api/runs/[object Object] or anywhere else',
  );
  assert.equal(s.metrics.iteration_errors?.values.count, 2);
  const err = s.agentload.errors.find((e) => e.scenario === 'jsonpath');
  assert.match(err?.message ?? '', /^res\.json\("steps\[0\]\.id"\): brackets are not GJSON: write items\.0\.id for items\[0\]\.id/);
});

/** The 1-based line of the first line of `source` that contains `marker`. */
function lineOf(source: string, marker: string): number {
  const i = source.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(i >= 0, marker);
  return i + 1;
}

test('a forgotten await on ctx.http and on ctx.sleep: one warning per scenario with the line of the call; a correct scenario gets none', async () => {
  const source = `import { defineTest } from 'agentload';
export default defineTest({
  http: { baseUrl: ${JSON.stringify(server.url)} },
  scenarios: {
    nohttp: { executor: 'shared-iterations', vus: 1, iterations: 30, exec: async (ctx) => {
      ctx.http.get('/fast'); // not awaited: http
    } },
    nosleep: { executor: 'shared-iterations', vus: 2, iterations: 30, exec: async (ctx) => {
      await ctx.http.get('/fast');
      ctx.sleep(0.2); // not awaited: sleep
    } },
    fine: { executor: 'shared-iterations', vus: 2, iterations: 20, exec: async (ctx) => {
      const res = await ctx.http.get('/fast');
      ctx.check(res, { ok: (x) => x.status === 200 });
      await ctx.sleep(0.001);
    } },
    spin: { executor: 'shared-iterations', vus: 1, iterations: 1500, exec: async (ctx) => {
      ctx.check(ctx.iteration, { counted: (i) => i >= 0 });
    } },
  },
});
`;
  const script = writeScript(source);
  const r = await runCli(['run', script, '--quiet']);
  assert.equal(r.code, 0, output(r));
  const out = output(r);
  const warnings = out.split('\n').filter((l) => /forgotten `await`/.test(l));
  const httpLine = lineOf(source, 'not awaited: http');
  const sleepLine = lineOf(source, 'not awaited: sleep');
  assert.equal(warnings.filter((w) => w.includes('scenario "nohttp"')).length, 1, out);
  assert.match(
    warnings.find((w) => w.includes('scenario "nohttp"')) ?? '',
    new RegExp(`scenario "nohttp": an iteration ended while a request it started was still in flight \\(called at .*case\\.ts:${httpLine}:\\d+\\)`),
  );
  assert.equal(warnings.filter((w) => w.includes('scenario "nosleep"')).length, 1, out);
  assert.match(
    warnings.find((w) => w.includes('scenario "nosleep"')) ?? '',
    new RegExp(`scenario "nosleep": an iteration ended while a ctx\\.sleep\\(\\) it started was still pending \\(called at .*case\\.ts:${sleepLine}:\\d+\\)`),
  );
  assert.equal(warnings.filter((w) => w.includes('scenario "spin"')).length, 1, out);
  assert.match(warnings.find((w) => w.includes('scenario "spin"')) ?? '', /its iterations never wait for anything/);
  assert.equal(warnings.length, 3, out);
  assert.doesNotMatch(out, /scenario "fine"/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.iterations?.values.count, 30 + 30 + 20 + 1500);
  assert.deepEqual(s.root_group.checks.map((c) => [c.name, c.passes, c.fails]).sort(), [
    ['counted', 1500, 0],
    ['ok', 20, 0],
  ]);
});

/** Every member of the context, destructured: the script records what it saw, the test reads it back. */
const DESTRUCTURED = (url: string): string => `import { defineTest, Counter } from 'agentload';
const seen = new Counter('seen');
const members = (c: Record<string, unknown>) =>
  Object.entries(c).filter(([, v]) => v === undefined || v === null).map(([k]) => k).join(',') || 'all';
export default defineTest<{ token: string }>({
  http: { baseUrl: ${JSON.stringify(url)} },
  setup: async ({ vu, scenario, env, signal, http, ws, sse, llm, a2a, amqp, sql, redis, check, group, sleep, sleepBetween, chance, pick, randomInt, record, setTag }) => {
    setTag('phase', 'setup');
    const res = await group('prepare', () => http.get('/fast'));
    check(res, { 'setup got 200': (r) => r.status === 200 });
    await sleep(0.001);
    await sleepBetween(0, 0.001);
    const fns = chance(1) && pick({ only: 1 }) === 'only' && randomInt(3, 3) === 3;
    record(seen, true, { where: 'setup', vu: String(vu), scenario: scenario.name, fns: String(fns), signal: String(signal instanceof AbortSignal),
      missing: members({ env, ws, sse, llm, a2a, amqp, sql, redis }) });
    return { token: 't-1' };
  },
  scenarios: {
    main: { executor: 'per-vu-iterations', vus: 2, iterations: 3,
      exec: async ({ vu, iteration, scenario, env, data, signal, http, ws, sse, llm, a2a, amqp, sql, redis, check, group, sleep, sleepBetween, chance, pick, randomInt, record, setTag, abortTest }) => {
        setTag('phase', 'main');
        await group('step', async () => {
          const res = await http.get('/fast');
          check(res, { 'main got 200': (r) => r.status === 200 });
          await sleep(0.001);
        });
        await sleepBetween(0, 0.001);
        const fns = chance(1) && pick({ only: 1 }) === 'only' && randomInt(3, 3) === 3 && typeof abortTest === 'function';
        record(seen, 1, { where: 'main', vu: String(vu), iteration: String(iteration), scenario: scenario.name, data: data.token, fns: String(fns),
          signal: String(signal instanceof AbortSignal), missing: members({ env, ws, sse, llm, a2a, amqp, sql, redis }) });
      } },
  },
  teardown: async ({ check, record, group, sleep, http }, data) => {
    await group('cleanup', () => sleep(0.001));
    const res = await http.get('/fast');
    check(res, { 'teardown got 200': (r) => r.status === 200 });
    record(seen, 1, { where: 'teardown', data: data.token });
  },
});
`;

test('every member of the context works destructured, in scenarios, setup() and teardown()', async () => {
  const r = await runCli(['run', writeScript(DESTRUCTURED(server.url)), '--quiet']);
  assert.equal(r.code, 0, output(r));
  assert.doesNotMatch(output(r), /forgotten `await`|iteration error/);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.iteration_errors, undefined, JSON.stringify(s.agentload.errors));
  assert.equal(s.metrics.iterations?.values.count, 6);
  assert.equal(s.metrics.seen?.values.count, 1 + 6 + 1);
  const checks = (g: typeof s.root_group): [string, number, number][] => [...g.checks.map((c) => [c.name, c.passes, c.fails] as [string, number, number]), ...g.groups.flatMap(checks)];
  assert.deepEqual(checks(s.root_group).sort(), [
    ['main got 200', 6, 0],
    ['setup got 200', 1, 0],
    ['teardown got 200', 1, 0],
  ]);
});

test('the destructured samples carry their tags: groups, setTag, the VU, the data from setup()', async () => {
  const points = writeScript('', 'points.json');
  const r = await runCli(['run', writeScript(DESTRUCTURED(server.url)), '--quiet', '--out', `json=${points}`]);
  assert.equal(r.code, 0, output(r));
  const { readFileSync } = await import('node:fs');
  const lines = readFileSync(points, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as { type: string; metric: string; data: { value: number; tags: Record<string, string> } });
  const seen = lines.filter((l) => l.type === 'Point' && l.metric === 'seen').map((l) => l.data);
  assert.equal(seen.length, 8);
  for (const p of seen) {
    assert.equal(p.value, 1, 'true records as 1');
    if (p.tags.where !== 'teardown') {
      assert.equal(p.tags.fns, 'true', JSON.stringify(p.tags));
      assert.equal(p.tags.signal, 'true');
      assert.equal(p.tags.missing, 'all', 'every client member is there');
    }
  }
  const setup = seen.filter((p) => p.tags.where === 'setup');
  assert.deepEqual(setup.map((p) => [p.tags.vu, p.tags.scenario, p.tags.phase]), [['0', 'setup', 'setup']]);
  const main = seen.filter((p) => p.tags.where === 'main');
  assert.deepEqual([...new Set(main.map((p) => `${p.tags.vu}/${p.tags.iteration}`))].sort(), ['1/0', '1/1', '1/2', '2/0', '2/1', '2/2']);
  for (const p of main) {
    assert.equal(p.tags.data, 't-1');
    assert.equal(p.tags.scenario, 'main');
    assert.equal(p.tags.phase, 'main', 'setTag taken off the context applies to the VU');
  }
  const groups = new Set(lines.filter((l) => l.type === 'Point' && l.metric === 'group_duration').map((l) => l.data.tags.group));
  assert.deepEqual([...groups].sort(), ['::cleanup', '::prepare', '::step']);
  assert.deepEqual(
    seen.filter((p) => p.tags.where === 'teardown').map((p) => p.tags.data),
    ['t-1'],
  );
});

test('abortTest taken off the context stops the test (exit 108) with its reason', async () => {
  const script = writeScript(`import { defineTest } from 'agentload';
export default defineTest({
  scenarios: { s: { executor: 'per-vu-iterations', vus: 1, iterations: 50, exec: async ({ iteration, abortTest, sleep }) => {
    await sleep(0.001);
    if (iteration === 2) abortTest('enough seen');
  } } },
});
`);
  const r = await runCli(['run', script, '--quiet']);
  assert.equal(r.code, 108, output(r));
  const s = readSummary(r.resultsDir);
  assert.equal(s.agentload.meta.status, 'aborted-by-script');
  assert.match(s.agentload.meta.stopReason ?? '', /enough seen/);
  assert.equal(s.metrics.iterations?.values.count, 2);
});
