import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** The browser assets every page inlines: uPlot (JS + CSS) and agentload's own scripts and styles. */
export interface PageAssets {
  readonly uplotJs: string;
  readonly uplotCss: string;
  readonly css: string;
  readonly chartsJs: string;
  readonly reportJs: string;
  readonly dashboardJs: string;
}

let cached: PageAssets | null = null;

// src/report/html/ and dist/report/html/ are both three levels below the package root
const WEB_DIR = fileURLToPath(new URL('../../../src/report/web/', import.meta.url));

function read(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`cannot read the report's ${what} at ${path}: ${(e as Error).message}`);
  }
}

/** Read (once) the files the report and the dashboard inline. */
export function pageAssets(): PageAssets {
  if (cached !== null) return cached;
  const require = createRequire(import.meta.url);
  const uplotJs = read(require.resolve('uplot/dist/uPlot.iife.min.js'), 'chart library (uplot)');
  const uplotCss = read(require.resolve('uplot/dist/uPlot.min.css'), 'chart styles (uplot)');
  cached = {
    uplotJs,
    uplotCss,
    css: read(`${WEB_DIR}report.css`, 'styles'),
    chartsJs: read(`${WEB_DIR}charts.js`, 'chart script'),
    reportJs: read(`${WEB_DIR}report.js`, 'report script'),
    dashboardJs: read(`${WEB_DIR}dashboard.js`, 'dashboard script'),
  };
  for (const [k, v] of Object.entries(cached)) {
    if (/<\/(script|style)/i.test(v)) throw new Error(`report asset ${k} contains a closing tag and cannot be inlined`);
  }
  return cached;
}

/** The CSP source for an inline script or style: 'sha256-…'. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

export interface InlinePage {
  readonly title: string;
  readonly body: string;
  /** Inline scripts, in order (JSON data blocks go in `body`). */
  readonly scripts: readonly string[];
  /** Extra CSP sources for connections (the dashboard's event stream): e.g. "'self'". */
  readonly connectSrc?: string;
  /** More allowed script hashes (documents this page opens from blob: URLs inherit its policy). */
  readonly extraScriptSources?: readonly string[];
}

/**
 * A complete HTML page with everything inlined. Its Content-Security-Policy
 * allows only the page's own inline scripts (by hash) and styles, so the page
 * loads nothing from the network and injected markup cannot run code.
 */
export function inlinePage(page: InlinePage): string {
  const a = pageAssets();
  const styles = [a.uplotCss, a.css];
  const csp = [
    "default-src 'none'",
    `script-src ${[...page.scripts.map(cspHash), ...(page.extraScriptSources ?? [])].join(' ')}`,
    `style-src 'unsafe-inline'`,
    'img-src data: blob:',
    `connect-src ${page.connectSrc ?? "'none'"}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${csp}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="agentload">',
    `<title>${page.title}</title>`,
    ...styles.map((s) => `<style>${s}</style>`),
    '</head>',
    '<body>',
    page.body,
    ...page.scripts.map((s) => `<script>${s}</script>`),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
