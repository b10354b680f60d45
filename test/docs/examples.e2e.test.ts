/**
 * Keeps the documentation honest: every examples/*.ts runs through the real
 * CLI (the build) against a local stand-in for the reference target's HTTP
 * API, time-compressed, and must exit 0 with the metrics it promises, its
 * thresholds passed and no iteration errors. The docs' links to examples and
 * to other pages must resolve.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readSummary, runCli } from '../helpers/cli.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const EXAMPLES = join(ROOT, 'examples');

interface ExampleRun {
  /** Flags after `run <file> --quiet --no-history --base-url URL`: keep each run to a few seconds. */
  readonly args: readonly string[];
  /** Metrics the summary must hold with at least one sample. */
  readonly metrics: readonly string[];
}

/** One entry per example file (a new example needs an entry: that is the point). */
const RUNS: Readonly<Record<string, readonly ExampleRun[]>> = {
  'quickstart.ts': [{ args: ['--time-scale', '5'], metrics: ['http_reqs', 'http_req_duration', 'checks', 'create_time'] }],
  'executors.ts': [
    {
      args: ['--time-scale', '12'],
      metrics: ['iterations{scenario:warmup}', 'iterations{scenario:per_vu}', 'http_req_duration{scenario:rate}', 'iteration_lag', 'vus_max'],
    },
  ],
  'open-model.ts': [{ args: ['--time-scale', '30'], metrics: ['iteration_lag', 'http_req_duration{name:chat}', 'http_reqs'] }],
  'thresholds.ts': [{ args: ['--time-scale', '15'], metrics: ['http_req_duration{name:list_runs}', 'group_duration{group:::home}', 'checks', 'http_reqs'] }],
  'profiles.ts': [
    { args: ['--profile', 'ramp-and-hold', '--time-scale', '50'], metrics: ['http_req_duration{name:list_runs}', 'checks'] },
    { args: ['--profile', 'smoke', '--time-scale', '60'], metrics: ['http_req_failed', 'checks'] },
  ],
  'http.ts': [{ args: [], metrics: ['http_req_duration{name:get_run}', 'http_req_duration{kind:write}', 'checks', 'data_received'] }],
  'custom-metrics.ts': [{ args: ['--time-scale', '15'], metrics: ['run_create_duration', 'runs_created', 'run_create_ok', 'runs_stored', 'goal_length'] }],
  'setup-teardown.ts': [{ args: ['--time-scale', '15'], metrics: ['http_req_duration{name:get_run}', 'checks'] }],
  'operation-mix.ts': [{ args: ['--time-scale', '600'], metrics: ['http_req_duration{name:create_run}', 'http_req_duration{name:get_run}', 'checks'] }],
  'weighted-tasks.ts': [{ args: ['--time-scale', '150'], metrics: ['http_req_duration{name:chat}', 'http_req_failed', 'checks'] }],
};

/**
 * The subset of the reference target's HTTP API the examples use, in memory,
 * with the target's shapes and validation (src/reference-target/routes/): a body the
 * target would reject with 400 is rejected here too.
 */
function startMiniTarget(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  const runs = new Map<string, { id: string; name: string; goal?: string; status: string; steps: unknown[] }>();
  const workflows = ['faq_workflow', 'summarize_workflow', 'research_workflow', 'code_review_workflow'];
  let nextId = 1;
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests++;
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      const send = (status: number, body?: unknown): void => {
        res.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json; charset=utf-8' });
        res.end(body === undefined ? undefined : JSON.stringify(body));
      };
      const bad = (field: string, message: string): void => send(400, { error: { code: 'bad_request', message: `${field}: ${message}`, field } });
      let body: Record<string, unknown> = {};
      if (raw !== '') {
        try {
          body = JSON.parse(raw) as Record<string, unknown>;
        } catch {
          return bad('body', 'invalid JSON');
        }
      }
      const str = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
      const m = /^\/api\/runs\/([^/]+)(\/graft)?$/.exec(path);
      if (req.method === 'GET' && (path === '/health' || path === '/actuator/health')) return send(200, { status: 'UP' });
      if (path === '/api/runs' && req.method === 'POST') {
        if (!str(body.name) && !str(body.goal)) return bad('name', 'is required (or give a goal)');
        const run = { id: `run-${nextId++}`, name: String(body.name ?? body.goal).slice(0, 200), goal: body.goal as string | undefined, status: 'pending', steps: [] };
        runs.set(run.id, run);
        return send(201, run);
      }
      if (path === '/api/runs' && req.method === 'GET') {
        const limit = Number(url.searchParams.get('limit') ?? 20);
        if (!Number.isInteger(limit) || limit < 1 || limit > 100) return bad('limit', 'must be an integer from 1 to 100');
        return send(200, { items: [...runs.values()].slice(0, limit), total: runs.size, limit, offset: 0 });
      }
      if (m !== null) {
        const run = runs.get(decodeURIComponent(m[1] as string));
        if (run === undefined) return send(404, { error: { code: 'not_found', message: `run ${m[1]} not found` } });
        if (m[2] !== undefined && req.method === 'POST') {
          if (!str(body.name)) return bad('name', 'is required');
          const step = { id: `step-${nextId++}`, name: body.name, parentId: null };
          run.steps.push(step);
          return send(201, step);
        }
        if (m[2] === undefined && req.method === 'GET') return send(200, run);
        if (m[2] === undefined && req.method === 'DELETE') {
          runs.delete(run.id);
          return send(204);
        }
      }
      if (path === '/api/chat' && req.method === 'POST') {
        if (!str(body.message)) return bad('message', 'is required');
        return send(200, { reply: `echo: ${String(body.message)}` });
      }
      if (path === '/api/workflows/execute' && req.method === 'POST') {
        if (!workflows.includes(String(body.workflow_id))) return send(404, { error: { code: 'not_found', message: `workflow_id: unknown workflow "${String(body.workflow_id)}"` } });
        return send(200, { workflow_id: body.workflow_id, status: 'completed' });
      }
      if (path === '/api/analytics/metrics' && req.method === 'GET') return send(200, { runs: { total: runs.size } });
      send(404, { error: { code: 'not_found', message: `no route ${req.method} ${path}` } });
    });
  });
  return new Promise((ready) => {
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      ready({
        url: `http://127.0.0.1:${port}`,
        requests: () => requests,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}

let target: Awaited<ReturnType<typeof startMiniTarget>>;
before(async () => {
  target = await startMiniTarget();
});
after(() => target.close());

const exampleFiles = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.ts'))
  .sort();

test('every example has a run in this test', () => {
  assert.ok(exampleFiles.length > 0, 'no examples found');
  const missing = exampleFiles.filter((f) => RUNS[f] === undefined);
  assert.deepEqual(missing, [], `add an entry to RUNS in test/docs/examples.e2e.test.ts for: ${missing.join(', ')}`);
  const stale = Object.keys(RUNS).filter((f) => !exampleFiles.includes(f));
  assert.deepEqual(stale, [], `RUNS names examples that do not exist: ${stale.join(', ')}`);
});

for (const file of exampleFiles) {
  for (const run of RUNS[file] ?? []) {
    test(`examples/${file}${run.args.map((a) => ` ${a}`).join('')}: exit 0, thresholds pass, metrics recorded`, async () => {
      const before = target.requests();
      const r = await runCli(['run', join(EXAMPLES, file), '--quiet', '--no-history', '--base-url', target.url, ...run.args], { timeoutMs: 90_000 });
      assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}\n${r.stdout}`);
      assert.ok(target.requests() > before, 'the example sent no request to the target');
      const s = readSummary(r.resultsDir);
      assert.equal(s.agentload.meta.status, 'passed');
      assert.deepEqual(s.agentload.errors, [], 'iteration errors');
      for (const t of s.agentload.thresholds) assert.ok(t.ok, `threshold ${t.metric} ${t.expression} = ${t.value}`);
      for (const name of run.metrics) {
        const m = s.metrics[name];
        assert.ok(m !== undefined, `summary.json has no metric "${name}" (has: ${Object.keys(s.metrics).join(', ')})`);
        const samples = m.type === 'rate' ? (m.values.passes ?? 0) + (m.values.fails ?? 0) : m.type === 'gauge' ? 1 : (m.values.count ?? 0);
        assert.ok(samples > 0, `metric "${name}" has no samples`);
      }
      const d = s.metrics.http_req_duration?.values;
      if (d !== undefined) assert.equal(d.p95, d['p(95)'], 'p95 alias');
    });
  }
}

/** Markdown files whose links must resolve: the docs and the README. */
function markdownFiles(): string[] {
  const docs = join(ROOT, 'docs');
  const files = existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => join(docs, f)) : [];
  return [join(ROOT, 'README.md'), ...files];
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

function anchors(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1] as string)));
}

test('docs: every linked page, anchor and examples/*.ts they name exists', () => {
  const broken: string[] = [];
  for (const file of markdownFiles()) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\]\(([^)#\s]*)(?:#([^)\s]+))?\)/g)) {
      const link = m[1] as string;
      const fragment = m[2];
      if (/^[a-z]+:/.test(link) || (link !== '' && !/\.(md|ts)$/.test(link))) continue;
      const path = link === '' ? file : resolve(dirname(file), link);
      if (!existsSync(path)) broken.push(`${file}: link to ${link}`);
      else if (fragment !== undefined && path.endsWith('.md') && !anchors(path).has(fragment)) broken.push(`${file}: link to ${link}#${fragment}`);
    }
    for (const m of text.matchAll(/\bexamples\/([\w.-]+\.ts)\b/g)) {
      if (!existsSync(join(EXAMPLES, m[1] as string))) broken.push(`${file}: names examples/${m[1]}`);
    }
  }
  assert.deepEqual(broken, []);
});
