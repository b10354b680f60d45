import type { Summary, SummaryGroup, SummaryMetric } from './summary-json.ts';
import { formatMs, formatNumber, formatPercent, formatValue } from './format.ts';
import { thresholdMeasured } from './threshold-value.ts';
import { withoutCredentials } from '../util/url-credentials.ts';

/** One row of a baseline comparison, as `agentload compare` produces it. */
export interface ComparisonRowLike {
  readonly metric: string;
  /** A number is formatted; a string is printed as given; null prints "-". */
  readonly baseline: number | string | null;
  readonly current: number | string | null;
  /** A number is a relative change (0.2 prints +20.0%); a string is printed as given. */
  readonly change: number | string | null;
  /** e.g. "regression", "ok", "improvement": printed as given, with a mark for the known words. */
  readonly verdict: string;
}

/** A baseline comparison to fold into the Markdown summary. */
export interface ComparisonLike {
  readonly rows: readonly ComparisonRowLike[];
  /** What the run was compared with (a baseline name, a file, a history id). */
  readonly baseline?: string;
  /** The overall verdict, e.g. "no regression" or "regression". */
  readonly verdict?: string;
  /** One line under the table, e.g. "single run on each side: no confidence estimate". */
  readonly note?: string;
}

export interface MarkdownOptions {
  readonly comparison?: ComparisonLike;
  /** Most endpoints listed (by request count); default 10. */
  readonly maxEndpoints?: number;
}

/** Escape text for a Markdown table cell or line: no formatting, links, HTML or column breaks from user strings. */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]|#~]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

const KEY_TRENDS = ['http_req_duration', 'http_req_waiting', 'iteration_duration', 'ws_connecting', 'ws_msg_rtt', 'llm_ttft', 'llm_itl', 'llm_tpot', 'llm_e2e', 'a2a_submit_duration', 'a2a_first_status', 'a2a_task_duration'];

const VERDICT_TEXT: Record<string, string> = {
  passed: '✅ PASSED',
  'thresholds-failed': '❌ THRESHOLDS FAILED',
  interrupted: '⚠️ INTERRUPTED',
  'aborted-by-script': '❌ ABORTED BY THE SCRIPT',
  'aborted-by-threshold': '❌ ABORTED BY A THRESHOLD',
  'script-error': '❌ SCRIPT ERROR',
};

function verdictMark(verdict: string): string {
  const v = verdict.toLowerCase();
  if (/regress|fail|worse/.test(v)) return `❌ ${verdict}`;
  if (/improve|better/.test(v)) return `🟢 ${verdict}`;
  if (/^(ok|pass|passed|no change|unchanged|no regression|same)$/.test(v)) return `✅ ${verdict}`;
  return verdict;
}

function cell(v: number | string | null): string {
  if (v === null) return '-';
  return typeof v === 'number' ? formatNumber(v) : escapeMarkdown(v);
}

function changeCell(v: number | string | null): string {
  if (v === null) return '-';
  if (typeof v === 'string') return escapeMarkdown(v);
  if (!Number.isFinite(v)) return '-';
  return `${v > 0 ? '+' : ''}${(v * 100).toFixed(1)}%`;
}

function failedChecks(g: SummaryGroup, prefix: string, out: { name: string; passes: number; fails: number }[]): void {
  for (const c of g.checks) if (c.fails > 0) out.push({ name: `${prefix}${c.name}`, passes: c.passes, fails: c.fails });
  for (const sub of g.groups) failedChecks(sub, `${prefix}${sub.name} › `, out);
}

function stat(m: SummaryMetric, ...keys: string[]): number | undefined {
  for (const k of keys) if (m.values[k] !== undefined) return m.values[k];
  return undefined;
}

function header(summary: Summary): string[] {
  const meta = summary.agentload.meta;
  const verdict = VERDICT_TEXT[meta.status] ?? escapeMarkdown(meta.status);
  const facts = [
    meta.suite === null ? `script ${escapeMarkdown(meta.script)}` : `suite ${escapeMarkdown(meta.suite)}`,
    meta.profile === null ? null : `profile ${escapeMarkdown(meta.profile)}`,
    meta.environment === null ? null : `env ${escapeMarkdown(meta.environment)}`,
    meta.target === null ? null : `target ${escapeMarkdown(withoutCredentials(meta.target))}`,
    `duration ${formatMs(meta.durationMs)}`,
    `agentload ${escapeMarkdown(meta.version)}`,
    meta.gitCommit === null ? null : `commit ${escapeMarkdown(meta.gitCommit.slice(0, 12))}`,
  ].filter((f): f is string => f !== null);
  const out = [`## agentload: ${escapeMarkdown(meta.name)} — ${verdict}`, '', facts.join(' · ')];
  if (meta.stopReason !== null) out.push('', `Stopped early: ${escapeMarkdown(meta.stopReason)}`);
  return out;
}

function thresholdLines(summary: Summary): string[] {
  const list = summary.agentload.thresholds;
  if (list.length === 0) return ['', '### Thresholds', '', 'No thresholds were set.'];
  const failed = list.filter((t) => !t.ok).length;
  const out = ['', `### Thresholds: ${list.length - failed} of ${list.length} passed`, '', '| | Metric | Threshold | Measured |', '|---|---|---|---|'];
  for (const t of list) out.push(`| ${t.ok ? '✅' : '❌'} | ${escapeMarkdown(t.metric)} | ${escapeMarkdown(t.expression)} | ${escapeMarkdown(thresholdMeasured(t, summary))} |`);
  return out;
}

function keyNumberLines(summary: Summary): string[] {
  const ms = summary.metrics;
  const totals: string[] = [];
  const reqs = ms.http_reqs;
  if (reqs !== undefined) totals.push(`requests ${formatNumber(reqs.values.count ?? 0)} (${formatNumber(reqs.values.rate ?? 0)}/s)`);
  const failed = ms.http_req_failed;
  if (failed !== undefined) totals.push(`failed ${formatPercent(failed.values.rate ?? 0)}`);
  const checks = ms.checks;
  if (checks !== undefined) {
    const p = checks.values.passes ?? 0;
    totals.push(`checks ${p}/${p + (checks.values.fails ?? 0)} passed`);
  }
  const iters = ms.iterations;
  if (iters !== undefined) totals.push(`iterations ${formatNumber(iters.values.count ?? 0)}`);
  const dropped = ms.dropped_iterations;
  if (dropped !== undefined) totals.push(`dropped ${formatNumber(dropped.values.count ?? 0)}`);
  const vus = ms.vus_max ?? ms.vus;
  if (vus !== undefined) totals.push(`max VUs ${formatNumber(vus.values.max ?? vus.values.value ?? 0)}`);
  const cost = ms.llm_cost_usd;
  if (cost !== undefined) totals.push(`LLM cost $${(cost.type === 'counter' ? (cost.values.count ?? 0) : (stat(cost, 'avg') ?? 0)).toFixed(4)}${cost.type === 'counter' ? '' : ' per request (avg)'}`);

  const rows: string[] = [];
  for (const name of KEY_TRENDS) {
    const m = ms[name];
    if (m === undefined || m.type !== 'trend' || (m.values.count ?? 0) === 0) continue;
    const f = (v: number | undefined): string => (v === undefined ? '-' : formatValue(v, m.contains));
    rows.push(`| ${name} | ${f(stat(m, 'avg'))} | ${f(stat(m, 'med', 'p(50)'))} | ${f(stat(m, 'p95', 'p(95)'))} | ${f(stat(m, 'p99', 'p(99)'))} | ${f(stat(m, 'max'))} |`);
  }
  const out = ['', '### Key numbers', ''];
  if (totals.length > 0) out.push(totals.join(' · '));
  if (rows.length > 0) out.push('', '| Metric | avg | p50 | p95 | p99 | max |', '|---|---|---|---|---|---|', ...rows);
  return out.length > 3 ? out : [];
}

function endpointLines(summary: Summary, max: number): string[] {
  const eps = summary.agentload.endpoints;
  if (eps.length === 0) return [];
  const shown = eps.slice(0, max);
  const out = ['', `### Endpoints${eps.length > shown.length ? ` (top ${shown.length} of ${eps.length} by requests)` : ''}`, '', '| Endpoint | Requests | Rate | p50 | p95 | p99 | Failed |', '|---|---|---|---|---|---|---|'];
  for (const e of shown) {
    out.push(`| ${escapeMarkdown(e.name)} | ${e.count} | ${formatNumber(e.rate)}/s | ${formatMs(e.p50)} | ${formatMs(e.p95)} | ${formatMs(e.p99)} | ${e.failed === 0 ? '0' : `${e.failed} (${formatPercent(e.failed / Math.max(1, e.count))})`} |`);
  }
  return out;
}

/** Kinds of iteration error listed in a pull-request comment. */
const MAX_ERROR_KINDS = 10;

function problemLines(summary: Summary): string[] {
  const checks: { name: string; passes: number; fails: number }[] = [];
  failedChecks(summary.root_group, '', checks);
  const errors = summary.agentload.errors;
  const notListed = summary.agentload.errorsNotListed;
  if (checks.length === 0 && errors.length === 0 && (notListed?.errors ?? 0) === 0) return [];
  const out = ['', '### Failures', ''];
  for (const c of checks) out.push(`- ❌ check ${escapeMarkdown(c.name)}: ${c.fails} of ${c.passes + c.fails} failed`);
  for (const e of errors.slice(0, MAX_ERROR_KINDS)) out.push(`- ❌ ${e.count}× ${escapeMarkdown(e.message)}${e.scenario === '' ? '' : ` (scenario ${escapeMarkdown(e.scenario)})`}`);
  const more = errors.slice(MAX_ERROR_KINDS).reduce((n, e) => n + e.count, 0) + (notListed?.errors ?? 0);
  if (more > 0) out.push(`- ❌ ${more}× more iteration errors, of ${Math.max(0, errors.length - MAX_ERROR_KINDS) + (notListed?.templates ?? 0)} other kinds (see summary.json)`);
  return out;
}

function comparisonLines(c: ComparisonLike): string[] {
  const title = `### Comparison to baseline${c.baseline === undefined ? '' : ` ${escapeMarkdown(c.baseline)}`}${c.verdict === undefined ? '' : `: ${verdictMark(escapeMarkdown(c.verdict))}`}`;
  const out = ['', title, ''];
  if (c.rows.length === 0) out.push('No metric in common with the baseline.');
  else {
    out.push('| Metric | Baseline | Current | Change | Verdict |', '|---|---|---|---|---|');
    for (const r of c.rows) out.push(`| ${escapeMarkdown(r.metric)} | ${cell(r.baseline)} | ${cell(r.current)} | ${changeCell(r.change)} | ${verdictMark(escapeMarkdown(r.verdict))} |`);
  }
  if (c.note !== undefined) out.push('', `_${escapeMarkdown(c.note)}_`);
  return out;
}

/**
 * A compact summary for a pull-request comment: verdict, thresholds, key
 * percentiles, endpoints, failures and, when given, the baseline comparison.
 * A pure function of its input (the same summary gives the same text).
 */
export function renderMarkdown(summary: Summary, options: MarkdownOptions = {}): string {
  const lines = [
    ...header(summary),
    ...thresholdLines(summary),
    ...keyNumberLines(summary),
    ...endpointLines(summary, options.maxEndpoints ?? 10),
    ...problemLines(summary),
    ...(options.comparison === undefined ? [] : comparisonLines(options.comparison)),
  ];
  return `${lines.join('\n')}\n`;
}
