/**
 * Series cardinality end to end: a few thousand unnamed requests to unique URLs. The default `name` is the
 * URL's path template, so there are two names, not thousands; the url tag and a small series cap bound the
 * rest, samples past the cap are folded into overflow series and still counted, and the run ends with exact
 * counts and a warning that says what happened.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';
import type { SeriesFile } from '../../dist/outputs/results-folder.js';

let server: http.Server;
let base = '';
let hits = 0;

before(async () => {
  server = http.createServer((req, res) => {
    hits++;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(`{"path":${JSON.stringify(req.url ?? '')}}`);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // read by the fixture in the controller and in every worker
  process.env.AL_URL = base;
  process.env.AL_ITERATIONS = String(ITERATIONS);
  process.env.AL_MAX_SERIES = String(MAX_SERIES);
});
after(() => new Promise<void>((r) => server.close(() => r())));

const ITERATIONS = 1500;
const MAX_SERIES = 300;

test('unique URLs: two path-template names, the series cap warns and folds, every count exact', async () => {
  hits = 0;
  const r = await runCli(['run', fixture('unique-urls.ts'), '--quiet', '--no-history'], { timeoutMs: 120_000 });
  assert.equal(r.code, 0, r.stderr);
  const requests = 2 * ITERATIONS;
  assert.equal(hits, requests);

  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.http_reqs?.values.count, requests);
  assert.equal(s.metrics.http_req_duration?.values.count, requests);
  assert.equal(s.metrics.http_req_failed?.values.fails, requests);
  assert.equal(s.metrics['http_req_duration{expected_response:true}']?.values.count, requests, 'overflow series keep expected_response');
  assert.equal(s.metrics.iterations?.values.count, ITERATIONS);
  assert.equal(s.metrics.checks?.values.passes, requests);

  // the default name is the path template: ids and query strings collapse
  assert.deepEqual(s.agentload.endpoints.map((e) => e.name).sort(), [`${base}/api/runs/{id}/events`, `${base}/ok`]);

  // the cap: reached, warned about (once per place it was reached), samples folded and counted, never dropped
  const series = s.agentload.series;
  assert.ok(series !== undefined);
  assert.equal(series.limit, MAX_SERIES);
  assert.ok(series.foldedSamples > 0, 'samples were folded into overflow series');
  const warnings = (r.stdout + r.stderr).split('\n').filter((l) => /reached its cap of \d+ series/.test(l));
  assert.equal(warnings.length, 1, 'one warning, whether workers or the controller reached the cap');
  assert.match(warnings[0] as string, new RegExp(`^WARN the run reached its cap of ${MAX_SERIES} series .*overflow=true.*maxSeries`));
  assert.match(r.stdout, /series cap reached .* samples folded into series tagged overflow=true/);

  // series.json: bounded, the names bounded, overflow series without the tags that overflowed
  const dir = join(r.resultsDir, readdirSync(r.resultsDir)[0] as string);
  const file = JSON.parse(readFileSync(join(dir, 'series.json'), 'utf8')) as SeriesFile;
  const overflow = file.series.filter((x) => x.tags.some(([k, v]) => k === 'overflow' && v === 'true'));
  assert.ok(overflow.length > 0);
  for (const o of overflow) assert.deepEqual(o.tags.map(([k]) => k).filter((k) => ['name', 'url', 'check'].includes(k)), []);
  const kept = file.series.length - overflow.length;
  assert.ok(kept <= MAX_SERIES, `${kept} series kept, cap ${MAX_SERIES}`);
  assert.equal(series.count, file.series.length);
  const names = new Set(file.series.flatMap((x) => x.tags.filter(([k]) => k === 'name').map(([, v]) => v)));
  assert.ok(names.size <= 2, [...names].join(', '));
  // folded samples counted exactly: the overflow series of http_reqs plus the named ones make every request
  const reqs = file.series.filter((x) => x.metric.name === 'http_reqs');
  assert.equal(reqs.reduce((n, x) => n + x.acc.sum, 0), requests);
});
