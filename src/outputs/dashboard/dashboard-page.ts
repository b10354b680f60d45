import { cspHash, inlinePage, pageAssets } from '../../report/html/assets.ts';

const TILES: readonly [string, string][] = [
  ['p-state', 'state'],
  ['p-elapsed', 'elapsed / planned'],
  ['p-vus', 'VUs active / allocated'],
  ['p-iterations', 'iterations'],
  ['p-rps', 'requests/s'],
  ['p-p95', 'p95 request duration'],
  ['p-errors', 'failed requests'],
];

/** The live dashboard's page: progress, charts fed by /events, and the final report when the run ends. */
export function renderDashboardPage(): string {
  const a = pageAssets();
  const tiles = TILES.map(([id, label]) => `<div class="tile"><div class="tile-value" id="${id}">-</div><div class="tile-label">${label}</div></div>`).join('');
  const body = [
    '<main>',
    '<header class="card run">',
    '<h1>agentload live — <span id="run-name">waiting for the run</span></h1>',
    '<ul class="scenarios" id="scenarios"></ul>',
    '<div class="progress"><div id="bar"></div></div>',
    `<div class="tiles">${tiles}</div>`,
    '</header>',
    '<section id="done" class="card" hidden><h2>Run finished: <span id="done-status"></span></h2><p><a id="report-link" class="final-report" target="_blank" rel="noopener">Open the final report</a></p><p class="muted">Saved as <code id="report-path"></code></p></section>',
    '<section class="card"><h2>Over time</h2><div class="charts" id="charts"></div></section>',
    '<footer>agentload live dashboard · updates every second</footer>',
    '</main>',
  ].join('\n');
  // the final report is opened from a blob: URL, which inherits this page's policy: allow its scripts too
  return inlinePage({
    title: 'agentload live',
    body,
    scripts: [a.uplotJs, a.chartsJs, a.dashboardJs],
    extraScriptSources: [cspHash(a.reportJs)],
    connectSrc: "'self'",
  });
}
