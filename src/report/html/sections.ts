import type { Summary, SummaryGroup, SummaryMetric } from '../summary-json.ts';
import { formatBytes, formatMs, formatNumber, formatPercent, formatValue } from '../format.ts';
import { thresholdMeasured } from '../threshold-value.ts';
import type { ErrorRow } from './breakdowns.ts';
import { escapeHtml as h } from './escape.ts';
import { withoutCredentials } from '../../util/url-credentials.ts';

/** How each run status is shown. */
export const STATUS_TEXT: Readonly<Record<string, string>> = {
  passed: 'Passed',
  'thresholds-failed': 'Thresholds failed',
  interrupted: 'Interrupted',
  'aborted-by-script': 'Aborted by the script',
  'aborted-by-threshold': 'Aborted by a threshold',
  'script-error': 'Script error',
};

/** A table cell whose sort key is a number (sortable tables sort by data-v). */
export function numCell(v: number, shown: string): string {
  return `<td class="num" data-v="${Number.isFinite(v) ? v : 0}">${h(shown)}</td>`;
}

export function section(id: string, title: string, body: string, extraClass = ''): string {
  return `<section id="${id}" class="card${extraClass === '' ? '' : ` ${extraClass}`}"><h2>${h(title)}</h2>${body}</section>`;
}

export function chartSlot(id: string): string {
  return `<div class="chart" data-chart="${h(id)}"></div>`;
}

export function runHeader(summary: Summary): string {
  const m = summary.agentload.meta;
  const facts: [string, string | null][] = [
    ['Script', m.script],
    ['Suite', m.suite],
    ['Profile', m.profile],
    ['Environment', m.environment],
    ['Target', m.target === null ? null : withoutCredentials(m.target)],
    ['Started', m.startedAt],
    ['Duration', formatMs(m.durationMs)],
    ['Time scale', m.timeScale === 1 ? null : `${m.timeScale}×`],
    ['Workers', String(m.workers)],
    ['Segment', m.segment === '1/1' ? null : m.segment],
    ['agentload', m.version],
    ['Git commit', m.gitCommit],
  ];
  const dl = facts
    .filter((f): f is [string, string] => f[1] !== null)
    .map(([k, v]) => `<div><dt>${h(k)}</dt><dd>${h(v)}</dd></div>`)
    .join('');
  const scenarios = m.scenarios.map((s) => `<li><b>${h(s.name)}</b> <span class="muted">${h(s.executor)}</span> — ${h(s.description)}</li>`).join('');
  return `<header class="card run"><h1>${h(m.name)}</h1><dl class="facts">${dl}</dl>${scenarios === '' ? '' : `<ul class="scenarios">${scenarios}</ul>`}</header>`;
}

export function verdictBlock(summary: Summary): string {
  const m = summary.agentload.meta;
  const failed = summary.agentload.thresholds.filter((t) => !t.ok).length;
  const total = summary.agentload.thresholds.length;
  const cls = m.status === 'passed' ? 'ok' : m.status === 'interrupted' ? 'warn' : 'bad';
  const detail = [
    total === 0 ? 'no thresholds' : `${total - failed} of ${total} thresholds passed`,
    `exit code ${m.exitCode}`,
    m.stopReason === null ? null : m.stopReason,
  ].filter((x): x is string => x !== null);
  return `<div id="verdict" class="verdict ${cls}"><span class="verdict-status">${h(STATUS_TEXT[m.status] ?? m.status)}</span><span class="verdict-detail">${h(detail.join(' · '))}</span></div>`;
}

export function thresholdsSection(summary: Summary): string {
  const list = summary.agentload.thresholds;
  if (list.length === 0) return section('thresholds', 'Thresholds', '<p class="muted">No thresholds were set for this run.</p>');
  const rows = list
    .map(
      (t) =>
        `<tr class="${t.ok ? 'ok' : 'bad'}"><td class="mark">${t.ok ? '✓' : '✗'}</td><td><code>${h(t.metric)}</code></td><td><code>${h(t.expression)}</code></td><td>${h(thresholdMeasured(t, summary))}</td><td>${t.abortOnFail ? 'abortOnFail' : ''}</td></tr>`,
    )
    .join('');
  return section('thresholds', 'Thresholds', `<table><thead><tr><th></th><th>Metric</th><th>Threshold</th><th>Measured</th><th></th></tr></thead><tbody>${rows}</tbody></table>`);
}

export function endpointsSection(summary: Summary): string {
  const eps = summary.agentload.endpoints;
  if (eps.length === 0) return '';
  const rows = eps
    .map(
      (e) =>
        `<tr><td>${h(e.name)}</td><td>${h(e.methods.join(', '))}</td>${numCell(e.count, String(e.count))}${numCell(e.rate, `${formatNumber(e.rate)}/s`)}${numCell(e.avg, formatMs(e.avg))}${numCell(e.p50, formatMs(e.p50))}${numCell(e.p95, formatMs(e.p95))}${numCell(e.p99, formatMs(e.p99))}${numCell(e.max, formatMs(e.max))}${numCell(e.failed, e.failed === 0 ? '0' : `${e.failed} (${formatPercent(e.failed / Math.max(1, e.count))})`)}</tr>`,
    )
    .join('');
  const head = ['Endpoint (name tag)', 'Methods', 'Requests', 'Rate', 'avg', 'p50', 'p95', 'p99', 'max', 'Errors']
    .map((t, i) => `<th data-sort="${i < 2 ? 'text' : 'num'}" title="sort">${h(t)}</th>`)
    .join('');
  const notes: string[] = [];
  const more = summary.agentload.endpointsNotListed;
  if (more !== undefined && more.endpoints > 0) notes.push(`${formatNumber(more.endpoints)} less busy endpoints (${formatNumber(more.requests)} requests) are not listed.`);
  const series = summary.agentload.series;
  if (series !== undefined && series.foldedSamples > 0) {
    notes.push(`The run reached its series cap (maxSeries ${series.limit === null ? '-' : formatNumber(series.limit)}): ${formatNumber(series.foldedSamples)} samples were folded into series tagged overflow=true, which count in every total but in no endpoint.`);
  }
  const tail = notes.map((n) => `<p class="muted">${h(n)}</p>`).join('');
  return section('endpoints', 'Endpoints', `<table class="sortable"><thead><tr>${head}</tr></thead><tbody>${rows}</tbody></table><p class="muted">Click a column header to sort.</p>${tail}`);
}

function checkRows(g: SummaryGroup, depth: number, out: string[]): void {
  if (depth > 0) out.push(`<tr class="group"><td colspan="4" style="padding-left:${depth * 1.2}em">█ ${h(g.name)}</td></tr>`);
  for (const c of g.checks) {
    const total = c.passes + c.fails;
    out.push(
      `<tr class="${c.fails === 0 ? 'ok' : 'bad'}"><td style="padding-left:${(depth + 1) * 1.2}em">${c.fails === 0 ? '✓' : '✗'} ${h(c.name)}</td>${numCell(c.passes, String(c.passes))}${numCell(c.fails, String(c.fails))}${numCell(total === 0 ? 0 : c.passes / total, formatPercent(total === 0 ? 0 : c.passes / total))}</tr>`,
    );
  }
  for (const sub of g.groups) checkRows(sub, depth + 1, out);
}

export function checksSection(summary: Summary): string {
  const rows: string[] = [];
  checkRows(summary.root_group, 0, rows);
  if (rows.length === 0) return '';
  return section('checks', 'Checks', `<table><thead><tr><th>Check</th><th>Passed</th><th>Failed</th><th>Success</th></tr></thead><tbody>${rows.join('')}</tbody></table>`);
}

const PHASES: readonly [string, string, string][] = [
  ['http_req_blocked', 'blocked', '#7b8794'],
  ['http_req_connecting', 'connecting', '#9c6b3c'],
  ['http_req_tls_handshaking', 'TLS handshaking', '#8a4fd8'],
  ['http_req_sending', 'sending', '#1b9aaa'],
  ['http_req_waiting', 'waiting', '#e8833a'],
  ['http_req_receiving', 'receiving', '#2e9e5b'],
];

/** The HTTP timing phases: a bar of average shares and a table of their percentiles. */
export function httpTimingBlock(summary: Summary): string {
  const present = PHASES.filter(([m]) => summary.metrics[m] !== undefined);
  if (present.length === 0) return '';
  const avg = (m: string): number => summary.metrics[m]?.values.avg ?? 0;
  const total = present.reduce((s, [m]) => s + avg(m), 0);
  const bar = present
    .filter(([m]) => avg(m) > 0)
    .map(([m, label, color]) => `<span style="width:${((avg(m) / Math.max(total, 1e-9)) * 100).toFixed(2)}%;background:${color}" title="${h(`${label}: ${formatMs(avg(m))}`)}"></span>`)
    .join('');
  const rows = present.map(([m, label, color]) => `<tr><td><i class="swatch" style="background:${color}"></i>${h(label)} <code class="muted">${h(m)}</code></td>${trendCells(summary.metrics[m] as SummaryMetric)}</tr>`).join('');
  return `<h3>Timing breakdown</h3><div class="phasebar">${bar}</div><table><thead><tr><th>Phase</th><th>avg</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function trendCells(m: SummaryMetric): string {
  const v = m.values;
  return [v.avg, v.med, v['p(95)'] ?? v.p95, v['p(99)'] ?? v.p99, v.max].map((x) => (x === undefined ? '<td>-</td>' : numCell(x, formatValue(x, m.contains)))).join('');
}

/** One metric as a row: the numbers that mean something for its type. */
export function metricSummaryText(m: SummaryMetric, durationSec: number): string {
  const v = m.values;
  switch (m.type) {
    case 'counter': {
      const count = v.count ?? 0;
      const rate = durationSec > 0 ? count / durationSec : 0;
      return m.contains === 'data' ? `${formatBytes(count)} · ${formatBytes(rate)}/s` : `${formatNumber(count)} · ${formatNumber(rate)}/s`;
    }
    case 'gauge':
      return `${formatValue(v.value ?? 0, m.contains)} (min ${formatValue(v.min ?? 0, m.contains)}, max ${formatValue(v.max ?? 0, m.contains)})`;
    case 'rate':
      return `${formatPercent(v.rate ?? 0)} · ${v.passes ?? 0} of ${(v.passes ?? 0) + (v.fails ?? 0)}`;
    case 'trend':
      return ['avg', 'min', 'med', 'p(90)', 'p(95)', 'p(99)', 'max']
        .filter((s) => v[s] !== undefined)
        .map((s) => `${s}=${formatValue(v[s] as number, m.contains)}`)
        .join(' ');
  }
}

/** A table of the metrics whose names pass `filter` (protocol panels, the full list). */
export function metricsTable(summary: Summary, filter: (name: string) => boolean): string {
  const durationSec = summary.state.testRunDurationMs / 1000;
  const names = Object.keys(summary.metrics).filter(filter).sort();
  if (names.length === 0) return '';
  const rows = names.map((n) => `<tr><td><code>${h(n)}</code></td><td class="muted">${h((summary.metrics[n] as SummaryMetric).type)}</td><td>${h(metricSummaryText(summary.metrics[n] as SummaryMetric, durationSec))}</td></tr>`).join('');
  return `<table class="metrics"><thead><tr><th>Metric</th><th>Type</th><th>Values</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function errorsSection(summary: Summary, rows: readonly ErrorRow[] | null): string {
  const iteration = summary.agentload.errors;
  const parts: string[] = [];
  if (rows !== null && rows.length > 0) {
    const trs = rows
      .map(
        (r) =>
          `<tr><td><code>${h(r.code)}</code></td><td><code>${h(r.metric)}</code></td>${numCell(r.count, formatNumber(r.count))}${r.share === null ? '<td class="num" data-v="-1">-</td>' : numCell(r.share, formatPercent(r.share))}<td>${h(r.endpoints.join(', '))}</td><td>${h(r.message)}</td></tr>`,
      )
      .join('');
    parts.push(`<h3>Failed operations by error code</h3><table class="sortable"><thead><tr><th data-sort="text">Code</th><th data-sort="text">Counted in</th><th data-sort="num">Count</th><th data-sort="num">Share</th><th data-sort="text">Endpoints</th><th data-sort="text">Meaning</th></tr></thead><tbody>${trs}</tbody></table>`);
  } else if (rows === null && (summary.metrics.http_req_failed?.values.passes ?? 0) > 0) {
    parts.push(`<p class="muted">${summary.metrics.http_req_failed?.values.passes ?? 0} requests failed; the per-code breakdown needs the run's series.json.</p>`);
  }
  const notListed = summary.agentload.errorsNotListed;
  if (iteration.length > 0) {
    const trs = iteration.map((e) => `<tr><td>${h(e.message)}</td><td>${h(e.scenario)}</td><td><code>${h(e.location)}</code></td>${numCell(e.count, String(e.count))}</tr>`).join('');
    parts.push(`<h3>Iteration errors (first message of each kind)</h3><table><thead><tr><th>Message</th><th>Scenario</th><th>Where</th><th>Count</th></tr></thead><tbody>${trs}</tbody></table>`);
  }
  if (notListed !== undefined && notListed.errors > 0) {
    parts.push(`<p class="muted">${formatNumber(notListed.errors)} more iteration errors, of ${formatNumber(notListed.templates)} other kinds, are counted in iteration_errors but not listed.</p>`);
  }
  if (parts.length === 0) return '';
  return section('errors', 'Errors', parts.join(''));
}
