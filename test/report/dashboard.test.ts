/**
 * The live dashboard's server without a browser: routes, the event stream
 * (snapshot, plan, ticks that add charts as their metrics appear, done),
 * the final report, loopback-only binding and Host checking.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { ProgressState } from '../../src/engine/run-options.ts';
import { RunMetrics } from '../../src/metrics/run-metrics.ts';
import type { TimePoint } from '../../src/metrics/timeseries.ts';
import { DashboardError, LiveDashboard } from '../../src/outputs/dashboard/dashboard-server.ts';

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/** Read server-sent events from a URL, one at a time. */
async function openEvents(url: string): Promise<{ next(): Promise<SseEvent>; close(): void }> {
  const ctrl = new AbortController();
  const res = await fetch(url, { signal: ctrl.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream');
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = '';
  return {
    async next() {
      for (;;) {
        const end = buf.indexOf('\n\n');
        if (end >= 0) {
          const block = buf.slice(0, end);
          buf = buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) return { event, data: JSON.parse(data) as Record<string, unknown> };
          continue;
        }
        const r = await reader.read();
        if (r.done) throw new Error('event stream ended');
        buf += decoder.decode(r.value, { stream: true });
      }
    },
    close: () => ctrl.abort(),
  };
}

const progress = (iterations: number): ProgressState => ({ elapsedMs: iterations * 100, totalMs: 5000, vus: 2, vusMax: 2, iterations, iterationsPerSec: 10, requestsPerSec: 10, p95Ms: 3.5, errorRate: 0, stopping: false });

function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request({ hostname: u.hostname, port: u.port, path: '/state', headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves the page, streams a snapshot, plan and ticks, then the final report', async () => {
  const dash = await LiveDashboard.start({ port: 0, lingerMs: 5000 });
  assert.match(dash.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const page = await fetch(dash.url);
  assert.equal(page.status, 200);
  const html = await page.text();
  assert.match(html, /connect-src 'self'/);
  assert.match(html, /id="charts"/);
  assert.equal((await fetch(`${dash.url}report`)).status, 404);
  assert.equal(await getWithHost(dash.url, 'attacker.example:80'), 403);
  assert.equal(await getWithHost(dash.url, `localhost:${new URL(dash.url).port}`), 200);

  const events = await openEvents(`${dash.url}events`);
  const snap = await events.next();
  assert.equal(snap.event, 'snapshot');
  assert.deepEqual(snap.data.charts, []);
  assert.equal(snap.data.done, null);

  dash.setPlan({ name: 'live', scenarios: [{ name: 'main', executor: 'constant-arrival-rate', description: '10 iterations/s' }] });
  assert.deepEqual((await events.next()).data, { name: 'live', scenarios: [{ name: 'main', executor: 'constant-arrival-rate', description: '10 iterations/s' }] });

  const metrics = new RunMetrics();
  metrics.declare({ name: 'http_reqs', type: 'counter', contains: 'default' });
  metrics.declare({ name: 'http_req_duration', type: 'trend', contains: 'time' });
  const points: TimePoint[] = [{ t: 1000, elapsed: 1, metrics: { http_reqs: { count: 10, value: 10 } } }];
  dash.update(progress(10), points, metrics);
  const t1 = await events.next();
  assert.equal(t1.event, 'tick');
  assert.equal((t1.data.progress as ProgressState).iterations, 10);
  const new1 = (t1.data.newCharts as { id: string; x: number[] }[]).map((c) => c.id);
  assert.deepEqual(new1, ['throughput', 'dropped'], 'requests chart, and dropped iterations for an arrival-rate run');
  assert.deepEqual(t1.data.rows, [{ x: 1, values: {} }]);

  points.push({ t: 2000, elapsed: 2, metrics: { http_reqs: { count: 20, value: 20 }, http_req_duration: { count: 20, value: 4, p50: 3, p95: 6, p99: 9, max: 10 } } });
  dash.update(progress(30), points, metrics);
  const t2 = await events.next();
  assert.deepEqual(
    (t2.data.newCharts as { id: string; x: number[]; series: { values: (number | null)[] }[] }[]).map((c) => [c.id, c.x, c.series.map((s) => s.values)]),
    [['latency', [1, 2], [[null, 3], [null, 6], [null, 9]]]],
  );
  assert.deepEqual(t2.data.rows, [{ x: 2, values: { throughput: [20, 0], dropped: [0, 0] } }]);

  // a page that connects now gets every chart so far in its snapshot
  const late = await openEvents(`${dash.url}events`);
  const lateSnap = await late.next();
  assert.deepEqual((lateSnap.data.charts as { id: string }[]).map((c) => c.id), ['throughput', 'latency', 'dropped']);
  const state = (await (await fetch(`${dash.url}state`)).json()) as { points: number };
  assert.equal(state.points, 2);

  // finish: both pages are told, fetch the report, and then the server stops
  const finished = dash.finish({ status: 'passed', exitCode: 0, reportPath: '/tmp/x/report.html' }, '<!doctype html><title>final</title>');
  for (const ev of [events, late]) {
    const done = await ev.next();
    assert.equal(done.event, 'done');
    assert.deepEqual(done.data, { status: 'passed', exitCode: 0, reportPath: '/tmp/x/report.html' });
  }
  assert.equal(await (await fetch(`${dash.url}report`)).text(), '<!doctype html><title>final</title>');
  assert.equal(await (await fetch(`${dash.url}report`)).text(), '<!doctype html><title>final</title>');
  await finished;
  events.close();
  late.close();
  await assert.rejects(fetch(dash.url));
});

test('a port in use or out of range is a clear error naming the port', async () => {
  const a = await LiveDashboard.start({ port: 0 });
  const port = Number(new URL(a.url).port);
  await assert.rejects(LiveDashboard.start({ port }), (e: unknown) => e instanceof DashboardError && e.message === `--dashboard-port ${port}: the port is in use (pick another, or 0 for any free port)`);
  await assert.rejects(LiveDashboard.start({ port: 70000 }), /--dashboard-port "70000": expected an integer from 0 to 65535/);
  await a.close();
});

test('finish with no page open does not wait', async () => {
  const dash = await LiveDashboard.start({ port: 0, lingerMs: 60_000 });
  await dash.finish({ status: 'passed', exitCode: 0, reportPath: null }, '<p>r</p>');
  await assert.rejects(fetch(dash.url));
});
