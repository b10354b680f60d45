/**
 * Chromium for browser tests: Debian's /usr/bin/chromium driven by
 * playwright-core. Tests skip with a clear message where it is not installed,
 * so `npm test` passes on a machine with only Node.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.AGENTLOAD_CHROMIUM ?? '/usr/bin/chromium';

/** false when Chromium is there; otherwise the reason to skip (node:test's `skip` option). */
export const skipWithoutChromium: false | string = existsSync(CHROMIUM)
  ? false
  : `Chromium not found at ${CHROMIUM}: install it (apt-get install chromium) or set AGENTLOAD_CHROMIUM to run the browser tests`;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run'],
    timeout: 30_000,
  });
}

/** Console errors, page errors and failed requests of a page, collected as they happen (minus those matching `ignore`). */
export function watchProblems(page: Page, ignore?: RegExp): string[] {
  const problems: string[] = [];
  const note = (p: string): void => {
    if (ignore?.test(p) !== true) problems.push(p);
  };
  page.on('console', (m) => {
    if (m.type() === 'error') note(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => note(`page error: ${e.message}`));
  page.on('requestfailed', (r) => note(`request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return problems;
}

// In-page code is passed as strings: the tests' TypeScript has no DOM types,
// and functions compiled by tsx would carry helpers the page does not have.

const SCREENSHOT_JS = `(async (b64) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + b64;
  await img.decode();
  const c = document.createElement('canvas');
  c.width = img.naturalWidth;
  c.height = img.naturalHeight;
  const ctx = c.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const d = ctx.getImageData(0, 0, c.width, c.height).data;
  const counts = new Map();
  let samples = 0;
  for (let i = 0; i < d.length; i += 4 * 7) {
    const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
    counts.set(k, (counts.get(k) || 0) + 1);
    samples++;
  }
  let top = 0;
  for (const v of counts.values()) top = Math.max(top, v);
  return { colors: counts.size, nonBackground: (samples - top) / samples, width: c.width, height: c.height };
})`;

/**
 * How much of a PNG screenshot is not blank: decoded by the browser itself
 * (on a blank page) and sampled; returns distinct colours and the share of
 * pixels that differ from the most common colour (the background).
 */
export async function screenshotContent(browser: Browser, png: Buffer): Promise<{ colors: number; nonBackground: number; width: number; height: number }> {
  const page = await browser.newPage();
  try {
    return (await page.evaluate(`${SCREENSHOT_JS}(${JSON.stringify(png.toString('base64'))})`)) as { colors: number; nonBackground: number; width: number; height: number };
  } finally {
    await page.close();
  }
}

export interface ChartPixels {
  id: string;
  canvases: number;
  colors: number;
  painted: number;
  points: number;
}

const CANVAS_JS = `Array.from(document.querySelectorAll('[data-chart]')).map((el) => {
  const canvases = el.querySelectorAll('canvas');
  const canvas = canvases[0];
  let colors = 0;
  let painted = 0;
  if (canvas !== undefined) {
    const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    const seen = new Set();
    let p = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] > 0) {
        p++;
        seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      }
    }
    colors = seen.size;
    painted = d.length === 0 ? 0 : p / (d.length / 4);
  }
  return { id: el.dataset.chart || '', canvases: canvases.length, colors, painted, points: Number(el.dataset.points || '0') };
})`;

/** Pixels of every chart canvas on the page: distinct colours and painted (non-transparent) share. */
export async function canvasContent(page: Page): Promise<ChartPixels[]> {
  return (await page.evaluate(CANVAS_JS)) as ChartPixels[];
}

/**
 * Wait until a JavaScript expression is true in the page. (Playwright's
 * waitForFunction evaluates with eval(), which the pages' CSP rightly forbids.)
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if ((await page.evaluate(expression)) === true) return;
    if (Date.now() > deadline) {
      const state = (await page.evaluate('JSON.stringify({ url: location.href, data: document.body ? document.body.dataset : null })')) as string;
      throw new Error(`timed out after ${timeoutMs} ms waiting for: ${expression} (page: ${state})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
