import type { RunMetrics } from '../../metrics/run-metrics.ts';
import type { Summary, SummaryMetric } from '../summary-json.ts';
import { formatMs, formatNumber, formatPercent } from '../format.ts';
import { tagCounts } from './breakdowns.ts';
import { escapeHtml as h } from './escape.ts';
import { chartSlot, httpTimingBlock, metricsTable, numCell, section } from './sections.ts';
import type { ChartData, ChartPanel } from './time-charts.ts';

type Tile = [label: string, value: string];

function tiles(list: readonly (Tile | null)[]): string {
  const shown = list.filter((t): t is Tile => t !== null);
  if (shown.length === 0) return '';
  return `<div class="tiles">${shown.map(([l, v]) => `<div class="tile"><div class="tile-value">${h(v)}</div><div class="tile-label">${h(l)}</div></div>`).join('')}</div>`;
}

function charts(all: readonly ChartData[], panel: ChartPanel): string {
  const mine = all.filter((c) => c.panel === panel);
  return mine.length === 0 ? '' : `<div class="charts">${mine.map((c) => chartSlot(c.id)).join('')}</div>`;
}

const has = (summary: Summary, prefix: string): boolean => Object.keys(summary.metrics).some((n) => n.startsWith(prefix));

function p95(m: SummaryMetric | undefined): number | undefined {
  return m?.values['p(95)'] ?? m?.values.p95;
}

/** Total of a metric whatever its type: a counter's count, a trend's sum (avg × count). */
function total(m: SummaryMetric | undefined): number | undefined {
  if (m === undefined) return undefined;
  if (m.type === 'counter') return m.values.count;
  if (m.type === 'trend') return (m.values.avg ?? 0) * (m.values.count ?? 0);
  return undefined;
}

function tileMs(label: string, m: SummaryMetric | undefined): Tile | null {
  const v = p95(m);
  return v === undefined ? null : [label, formatMs(v)];
}

export function overviewSection(summary: Summary, all: readonly ChartData[]): string {
  const ms = summary.metrics;
  const durationSec = summary.state.testRunDurationMs / 1000;
  const reqs = ms.http_reqs?.values.count;
  const list: (Tile | null)[] = [
    reqs === undefined ? null : ['requests', `${formatNumber(reqs)} (${formatNumber(durationSec > 0 ? reqs / durationSec : 0)}/s)`],
    tileMs('p95 request duration', ms.http_req_duration),
    ms.http_req_failed === undefined ? null : ['failed requests', formatPercent(ms.http_req_failed.values.rate ?? 0)],
    ms.iterations === undefined ? null : ['iterations', formatNumber(ms.iterations.values.count ?? 0)],
    ms.dropped_iterations === undefined ? null : ['dropped iterations', formatNumber(ms.dropped_iterations.values.count ?? 0)],
    ms.checks === undefined ? null : ['checks passed', formatPercent(ms.checks.values.rate ?? 0)],
    ms.vus_max === undefined ? null : ['max VUs', formatNumber(ms.vus_max.values.max ?? 0)],
  ];
  const body = `${tiles(list)}${charts(all, 'overview')}`;
  return body === '' ? '' : section('overview', 'Over time', body);
}

export function httpPanel(summary: Summary, all: readonly ChartData[]): string {
  if (!has(summary, 'http_')) return '';
  return section('http', 'HTTP', `${httpTimingBlock(summary)}${charts(all, 'http')}`, 'panel');
}

export function wsPanel(summary: Summary, all: readonly ChartData[]): string {
  if (!has(summary, 'ws_')) return '';
  const ms = summary.metrics;
  const list: (Tile | null)[] = [
    tileMs('connect p95', ms.ws_connecting),
    tileMs('message round trip p95', ms.ws_msg_rtt),
    ms.ws_reconnects === undefined ? null : ['reconnects', formatNumber(total(ms.ws_reconnects) ?? 0)],
    tileMs('reconnect p95', ms.ws_reconnect_duration),
    ms.ws_backpressure_drops === undefined ? null : ['backpressure drops', formatNumber(total(ms.ws_backpressure_drops) ?? 0)],
  ];
  return section('ws', 'WebSocket', `${tiles(list)}${charts(all, 'ws')}${metricsTable(summary, (n) => n.startsWith('ws_'))}`, 'panel');
}

export function llmPanel(summary: Summary, all: readonly ChartData[]): string {
  if (!has(summary, 'llm_')) return '';
  const ms = summary.metrics;
  const cost = ms.llm_cost_usd;
  const costTotal = total(cost);
  const requests = ms.llm_requests?.values.count ?? ms.llm_e2e?.values.count;
  const perRequest = cost === undefined ? undefined : cost.type === 'trend' ? cost.values.avg : costTotal !== undefined && requests !== undefined && requests > 0 ? costTotal / requests : undefined;
  const list: (Tile | null)[] = [
    tileMs('TTFT p95', ms.llm_ttft),
    tileMs('ITL p95', ms.llm_itl),
    tileMs('TPOT p95', ms.llm_tpot),
    ms.llm_tokens_per_second === undefined ? null : ['tokens/s per request (avg)', formatNumber(ms.llm_tokens_per_second.values.avg ?? 0)],
    costTotal === undefined ? null : ['total cost', `$${costTotal.toFixed(4)}`],
    perRequest === undefined ? null : ['cost per request (avg)', `$${perRequest.toFixed(5)}`],
    ms.llm_goodput === undefined ? null : ['goodput', formatPercent(ms.llm_goodput.values.rate ?? 0)],
  ];
  return section('llm', 'LLM', `${tiles(list)}${charts(all, 'llm')}${metricsTable(summary, (n) => n.startsWith('llm_'))}`, 'panel');
}

export function a2aPanel(summary: Summary, all: readonly ChartData[], metrics: RunMetrics | null): string {
  if (!has(summary, 'a2a_')) return '';
  const ms = summary.metrics;
  const durationSec = summary.state.testRunDurationMs / 1000;
  const tasks = ms.a2a_tasks?.values.count ?? ms.a2a_task_duration?.values.count;
  const list: (Tile | null)[] = [
    tileMs('submit p95', ms.a2a_submit_duration),
    tileMs('first status p95', ms.a2a_first_status),
    tileMs('task duration p95', ms.a2a_task_duration),
    tasks === undefined ? null : ['tasks/s', formatNumber(durationSec > 0 ? tasks / durationSec : 0)],
    ms.a2a_task_completed === undefined ? null : ['completed', formatPercent(ms.a2a_task_completed.values.rate ?? 0)],
  ];
  let states = '';
  const counts = metrics === null ? null : (tagCounts(metrics, 'a2a_tasks', 'state') ?? tagCounts(metrics, 'a2a_', 'state'));
  if (counts !== null) {
    const sum = counts.counts.reduce((s, [, n]) => s + n, 0);
    const rows = counts.counts.map(([state, n]) => `<tr><td>${h(state)}</td>${numCell(n, formatNumber(n))}${numCell(sum > 0 ? n / sum : 0, formatPercent(sum > 0 ? n / sum : 0))}</tr>`).join('');
    states = `<h3>Task states <span class="muted">(from <code>${h(counts.metric)}</code>)</span></h3><table><thead><tr><th>State</th><th>Tasks</th><th>Share</th></tr></thead><tbody>${rows}</tbody></table>`;
  }
  return section('a2a', 'A2A', `${tiles(list)}${states}${charts(all, 'a2a')}${metricsTable(summary, (n) => n.startsWith('a2a_'))}`, 'panel');
}
