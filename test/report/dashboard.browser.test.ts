/**
 * `agentload run --dashboard` end to end in Chromium: the page updates while
 * a short bounded run goes on (values change between two reads, charts gain
 * points), and at the end it offers the final report, which opens and draws.
 * Skips where Chromium is not installed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { canvasContent, launchChromium, skipWithoutChromium, waitUntil, watchProblems } from './browser.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentload.js');
const SCRIPT = join(import.meta.dirname, 'fixtures', 'dashboard-run.ts');

let server: TestServer;
let browser: Browser | undefined;
before(async () => {
  server = await startTestServer();
  if (skipWithoutChromium === false) browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  await server.close();
});

test('the dashboard updates during a run and offers the final report at the end', { skip: skipWithoutChromium, timeout: 90_000 }, async () => {
  assert.ok(browser);
  const resultsDir = mkdtempSync(join(tmpdir(), 'agentload-dash-'));
  const child = spawn(process.execPath, [BIN, 'run', SCRIPT, '--dashboard', '--dashboard-port', '0', '--quiet', '--results-dir', resultsDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, AL_URL: server.url, NO_COLOR: '1' },
  });
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      const m = /dashboard: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(stderr);
      if (m !== null) resolve(m[1] as string);
    });
    child.on('close', () => reject(new Error(`agentload exited before printing the dashboard URL:\n${stderr}`)));
  });

  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // the page closes its event stream itself when the run is done
  const problems = watchProblems(page, /^request failed: http:\/\/127\.0\.0\.1:\d+\/events net::ERR_ABORTED$/);
  try {
    await page.goto(url);
    await waitUntil(page, 'Number(document.body.dataset.ticks ?? 0) >= 1 && document.querySelector("[data-chart=throughput]") !== null', 30_000).catch((e: Error) => {
      throw new Error(`${e.message}\nproblems: ${problems.join('\n')}\nagentload: ${stderr}`);
    });
    const read = async (): Promise<{ ticks: number; iterations: number; points: number }> =>
      (await page.evaluate(`({ ticks: Number(document.body.dataset.ticks), iterations: Number(document.getElementById('p-iterations').textContent), points: Number(document.querySelector('[data-chart=throughput]').dataset.points) })`)) as { ticks: number; iterations: number; points: number };
    const first = await read();
    // a tick can repeat the last counts when the worker's once-a-second flush is late (a loaded machine):
    // wait for the counts to move, then check that the tick counter and the chart moved with them
    await waitUntil(page, `Number(document.getElementById('p-iterations').textContent) > ${first.iterations}`, 30_000);
    const second = await read();
    assert.ok(second.ticks > first.ticks, `ticks went from ${first.ticks} to ${second.ticks}`);
    assert.ok(second.iterations > first.iterations, `iterations went from ${first.iterations} to ${second.iterations}`);
    assert.ok(second.points > first.points, `the requests chart went from ${first.points} to ${second.points} points`);
    assert.equal(await page.textContent('#run-name'), 'dashboard-run');

    // the end: a link to the final report, kept in the page (the server stops after)
    await waitUntil(page, 'document.body.dataset.reportReady === "true"', 60_000);
    assert.equal(await page.isVisible('#done'), true);
    assert.equal(await page.textContent('#p-state'), 'finished');
    assert.equal(await page.textContent('#done-status'), 'passed (exit code 0)');
    const href = (await page.getAttribute('#report-link', 'href')) ?? '';
    assert.match(href, /^blob:/);
    const reportPath = (await page.textContent('#report-path')) ?? '';
    assert.ok(reportPath.startsWith(resultsDir) && reportPath.endsWith('report.html') && existsSync(reportPath), reportPath);
    const charts = await canvasContent(page);
    assert.ok(charts.length >= 4, charts.map((c) => c.id).join(', '));
    for (const c of charts) assert.ok(c.canvases === 1 && c.painted > 0.01 && c.points >= 2, `${c.id}: ${JSON.stringify(c)}`);
    assert.equal(await exited, 0, stderr);

    // the user clicks the link: the report opens in a new tab, from the page's memory
    const [report] = await Promise.all([page.waitForEvent('popup'), page.click('#report-link')]);
    const reportProblems = watchProblems(report);
    await report.waitForLoadState('load');
    assert.match(report.url(), /^blob:/);
    await waitUntil(report, 'document.body.dataset.chartsDrawn !== undefined');
    assert.match((await report.textContent('#verdict')) ?? '', /Passed/);
    assert.ok(Number(await report.evaluate('document.body.dataset.chartsDrawn')) >= 4);
    assert.deepEqual(reportProblems, []);
    await report.close();
    assert.deepEqual(problems, []);
  } finally {
    await page.close();
    child.kill('SIGKILL');
  }
});
