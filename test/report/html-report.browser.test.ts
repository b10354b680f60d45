/**
 * The HTML report in a real browser (Debian's Chromium through playwright-core),
 * opened from disk: every chart draws its data, tables sort, nothing is
 * fetched, no console errors, hostile strings do not run, and a screenshot
 * shows content. Skips where Chromium is not installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { renderHtmlReport } from '../../src/report/html/render-html-report.ts';
import type { RunTrend } from '../../src/report/html/trend-panel.ts';
import { canvasContent, launchChromium, screenshotContent, skipWithoutChromium, waitUntil, watchProblems } from './browser.ts';
import { sampleRun } from './sample-run.ts';

let browser: Browser | undefined;
const dir = mkdtempSync(join(tmpdir(), 'agentload-report-'));

before(async () => {
  if (skipWithoutChromium === false) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
});

function writeReport(name: string, html: string): string {
  const file = join(dir, name);
  writeFileSync(file, html);
  return pathToFileURL(file).href;
}

test('the report opens from disk: every chart renders with data, no console errors, no requests', { skip: skipWithoutChromium }, async () => {
  assert.ok(browser);
  const run = sampleRun({ protocols: true, arrival: true });
  const url = writeReport('report.html', renderHtmlReport(run.summary, run.timeseries, { series: run.series }));
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(url);
  await waitUntil(page, 'document.body.dataset.chartsDrawn !== undefined');
  const charts = await canvasContent(page);
  assert.ok(charts.length >= 15, `charts: ${charts.map((c) => c.id).join(', ')}`);
  assert.equal(await page.evaluate('Number(document.body.dataset.chartsDrawn)'), charts.length);
  for (const c of charts) {
    assert.equal(c.canvases, 1, `${c.id}: one canvas`);
    assert.ok(c.points >= 5, `${c.id}: ${c.points} points`);
    assert.ok(c.painted > 0.01, `${c.id}: painted ${c.painted}`);
    assert.ok(c.colors >= 3, `${c.id}: ${c.colors} colours (axes, grid and at least one line)`);
  }
  assert.deepEqual(problems, []);
  assert.deepEqual(
    requests.filter((u) => u !== url),
    [],
    'nothing but the file itself is loaded',
  );
  const png = await page.screenshot({ fullPage: true });
  const shot = await screenshotContent(browser, png);
  assert.ok(shot.height > 1500, `full page height ${shot.height}`);
  assert.ok(shot.colors > 50, `screenshot has ${shot.colors} colours`);
  assert.ok(shot.nonBackground > 0.1, `screenshot is ${(shot.nonBackground * 100).toFixed(1)}% content`);
  await page.close();
});

test('tables sort by a click on their headers', { skip: skipWithoutChromium }, async () => {
  assert.ok(browser);
  const run = sampleRun();
  const page = await browser.newPage();
  const problems = watchProblems(page);
  await page.goto(writeReport('sort.html', renderHtmlReport(run.summary, run.timeseries, { series: run.series })));
  const names = (): Promise<string[]> => page.evaluate(`Array.from(document.querySelectorAll('#endpoints tbody tr')).map((r) => r.cells[0].textContent)`) as Promise<string[]>;
  assert.deepEqual(await names(), ['list_runs', 'create_run', 'get_run']);
  await page.click('#endpoints th:nth-child(3)');
  assert.deepEqual(await names(), ['get_run', 'create_run', 'list_runs'], 'requests ascending');
  assert.equal(await page.getAttribute('#endpoints th:nth-child(3)', 'aria-sort'), 'ascending');
  await page.click('#endpoints th:nth-child(3)');
  assert.deepEqual(await names(), ['list_runs', 'create_run', 'get_run'], 'requests descending');
  await page.click('#endpoints th:nth-child(1)');
  assert.deepEqual(await names(), ['create_run', 'get_run', 'list_runs'], 'by name');
  assert.deepEqual(problems, []);
  await page.close();
});

test('hostile strings from the run are shown as text and never run', { skip: skipWithoutChromium }, async () => {
  assert.ok(browser);
  const run = sampleRun({ protocols: true, evil: true });
  const page = await browser.newPage();
  const problems = watchProblems(page);
  await page.goto(writeReport('evil.html', renderHtmlReport(run.summary, run.timeseries, { series: run.series })));
  await waitUntil(page, 'document.body.dataset.chartsDrawn !== undefined');
  assert.equal(await page.evaluate('window.__pwned === undefined'), true);
  assert.equal(await page.evaluate('document.querySelectorAll("main img").length'), 0);
  const title = (await page.textContent('h1')) ?? '';
  assert.ok(title.includes('<script>window.__pwned=1</script>'), title);
  assert.deepEqual(problems, []);
  await page.close();
});

/** Share of painted (non-transparent) pixels in one column of a chart's canvas. */
const columnPainted = (chart: string, dx: string): string => `(() => {
  const el = document.querySelector('[data-chart="${chart}"]');
  const canvas = el.querySelector('canvas');
  const x = Number(el.dataset.markerX) + (${dx});
  const d = canvas.getContext('2d').getImageData(x, 0, 1, canvas.height).data;
  let p = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0) p++;
  return p / canvas.height;
})()`;

test('the trend panel draws its charts over 3 runs and marks the current run', { skip: skipWithoutChromium }, async () => {
  assert.ok(browser);
  const run = sampleRun();
  const point = (runId: number, day: number, p95: number, rps: number): RunTrend['points'][number] => ({
    runId,
    time: `2026-11-${day}T10:00:00.000Z`,
    p95,
    p99: p95 * 1.5,
    errorRate: runId === 9 ? 0.02 : 0.001,
    rps,
    verdict: runId === 9 ? 'thresholds-failed' : 'passed',
    profile: 'load',
    gitCommit: null,
  });
  const trend: RunTrend = { test: 'api', environment: 'staging', currentRunId: 9, points: [point(4, 21, 80, 36), point(7, 22, 95, 35), point(9, 23, 120, 31)] };
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const problems = watchProblems(page);
  await page.goto(writeReport('trend.html', renderHtmlReport(run.summary, run.timeseries, { series: run.series, trend })));
  await waitUntil(page, 'document.body.dataset.chartsDrawn !== undefined');
  const charts = (await canvasContent(page)).filter((c) => c.id.startsWith('trend-'));
  assert.deepEqual(
    charts.map((c) => c.id),
    ['trend-latency', 'trend-errors', 'trend-rps'],
  );
  for (const c of charts) {
    assert.equal(c.canvases, 1, `${c.id}: one canvas`);
    assert.equal(c.points, 3, `${c.id}: one point per run`);
    assert.ok(c.painted > 0.01, `${c.id}: painted ${c.painted}`);
    assert.ok(c.colors >= 3, `${c.id}: ${c.colors} colours (axes, grid, line, marker)`);
  }
  // the current run (the last one) is a band: its column is painted top to bottom of the plot, a column beside it is not
  for (const id of ['trend-latency', 'trend-errors', 'trend-rps']) {
    const width = Number(await page.evaluate(`document.querySelector('[data-chart="${id}"]').dataset.markerWidth`));
    assert.ok(width >= 8, `${id}: marker ${width}px wide`);
    const inside = (await page.evaluate(columnPainted(id, String(Math.floor(width / 4))))) as number;
    const outside = (await page.evaluate(columnPainted(id, String(-width)))) as number;
    assert.ok(inside > 0.5, `${id}: the current run's band covers ${inside}`);
    assert.ok(outside < 0.3, `${id}: beside the band ${outside}`);
  }
  // the x axis names the runs; the table marks the current one
  assert.equal(await page.textContent('#trend table.trend tr.current td'), '#9 this run');
  assert.equal(await page.evaluate(`document.querySelectorAll('#trend table.trend tbody tr').length`), 3);
  assert.deepEqual(problems, []);
  await page.close();
});
