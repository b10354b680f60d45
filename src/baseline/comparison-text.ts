import pc from 'picocolors';
import { formatMs, formatNumber, formatPercent, formatValue } from '../report/format.ts';
import type { ComparisonResult, ComparisonRow, Verdict } from './compare.ts';

/** A row as a Markdown summary takes it: values already formatted, change as a fraction when relative. */
export interface ComparisonViewRow {
  readonly metric: string;
  readonly baseline: string | null;
  readonly current: string | null;
  readonly change: number | string | null;
  readonly verdict: string;
}

export interface ComparisonView {
  readonly rows: readonly ComparisonViewRow[];
  readonly baseline?: string;
  readonly verdict?: string;
  readonly note?: string;
}

/** A row's value in its metric's unit: 320.00ms, 0.30%, 120.5/s. */
export function formatRowValue(row: ComparisonRow, v: number | null): string | null {
  if (v === null) return null;
  if (row.type === 'rate') return formatPercent(v);
  if (row.type === 'counter' && row.stat === 'rate') return `${formatNumber(v)}/s`;
  if (row.stat === 'count' || row.stat === 'passes' || row.stat === 'fails') return formatNumber(v);
  return formatValue(v, row.contains);
}

function signed(s: string, v: number): string {
  return `${v > 0 ? '+' : v < 0 ? '' : '±'}${s}`;
}

/** A change in the rule's unit: +25.0%, +0.20 pp, +12.00ms. */
export function formatChange(row: ComparisonRow, v: number | null = row.change): string {
  if (v === null) return '-';
  if (!Number.isFinite(v)) return v > 0 ? '+∞' : '-∞';
  if (row.kind === 'relative') return signed(`${(v * 100).toFixed(1)}%`, v);
  if (row.kind === 'points') return signed(`${(v * 100).toFixed(2)} pp`, v);
  const magnitude = row.contains === 'time' ? formatMs(Math.abs(v)) : formatNumber(Math.abs(v));
  return `${v > 0 ? '+' : v < 0 ? '-' : '±'}${magnitude}`;
}

/** "98.8%" (noise-aware) or "single run". */
export function formatConfidence(row: ComparisonRow): string {
  if (row.verdict === 'missing') return '-';
  if (row.confidence === null) return 'single run';
  return `${(row.confidence * 100).toFixed(row.confidence > 0.999 ? 2 : 1)}%`;
}

const MARK: Record<Verdict, string> = { regression: '❌', ok: '✅', improvement: '🟢', 'within noise': '〰️', missing: '⚠️' };

function paint(v: Verdict, s: string, color: boolean): string {
  if (!color) return s;
  if (v === 'regression') return pc.red(pc.bold(s));
  if (v === 'improvement') return pc.green(s);
  if (v === 'within noise' || v === 'missing') return pc.yellow(s);
  return pc.green(s);
}

function sideLabel(r: ComparisonResult, which: 'baseline' | 'current'): string {
  const s = r[which];
  const first = s.sources[0] ?? '';
  return s.runs === 1 ? first : `${s.runs} runs (${first}${s.runs > 1 ? ', …' : ''})`;
}

/** The comparison as a terminal table. */
export function comparisonText(r: ComparisonResult, options: { color?: boolean } = {}): string {
  const color = options.color === true;
  const head = ['metric', 'rule', 'baseline', 'current', 'change', 'confidence', 'verdict'];
  const body = r.rows.map((row) => [row.metric, row.rule, formatRowValue(row, row.baseline) ?? '-', formatRowValue(row, row.current) ?? '-', formatChange(row), formatConfidence(row), row.verdict]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const last = head.length - 1;
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i >= 2 && i <= 5 ? c.padStart(widths[i] as number) : i === last ? c : c.padEnd(widths[i] as number))).join('  ');
  const out = [
    `  baseline: ${sideLabel(r, 'baseline')}`,
    `  current:  ${sideLabel(r, 'current')}`,
    '',
    `  ${line(head)}`,
    ...r.rows.map((row, i) => {
      const cells = body[i] as string[];
      const text = line(cells);
      const cut = text.length - (cells[6] as string).length;
      return `  ${text.slice(0, cut)}${paint(row.verdict, cells[6] as string, color)}`;
    }),
    '',
    `  ${r.note}`,
    ...r.warnings.map((w) => `  warning: ${w}`),
    '',
    `  verdict: ${paint(r.regression ? 'regression' : 'ok', r.regression ? `REGRESSION (${r.regressions} metric${r.regressions === 1 ? '' : 's'})` : 'no regression', color)}`,
  ];
  return out.join('\n');
}

function md(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/[\\`*_[\]|#~<>]/g, (c) => `\\${c}`);
}

/** The comparison as Markdown (a pull-request comment on its own). */
export function comparisonMarkdown(r: ComparisonResult, title = 'agentload compare'): string {
  const lines = [
    `## ${md(title)}: ${r.regression ? `❌ regression (${r.regressions} metric${r.regressions === 1 ? '' : 's'})` : '✅ no regression'}`,
    '',
    `Baseline: ${md(sideLabel(r, 'baseline'))} · Current: ${md(sideLabel(r, 'current'))}`,
    '',
    '| Metric | Rule | Baseline | Current | Change | Confidence | Verdict |',
    '|---|---|---:|---:|---:|---:|---|',
    ...r.rows.map(
      (row) =>
        `| ${md(row.metric)} | ${md(row.rule)} | ${formatRowValue(row, row.baseline) ?? '-'} | ${formatRowValue(row, row.current) ?? '-'} | ${formatChange(row)} | ${formatConfidence(row)} | ${MARK[row.verdict]} ${row.verdict} |`,
    ),
    '',
    `_${md(r.note)}_`,
  ];
  for (const w of r.warnings) lines.push('', `> ⚠️ ${md(w)}`);
  return `${lines.join('\n')}\n`;
}

/** The comparison in the shape a run's Markdown summary folds in (rows of metric, baseline, current, change, verdict). */
export function comparisonView(r: ComparisonResult, baselineName?: string): ComparisonView {
  return {
    rows: r.rows.map((row) => ({
      metric: row.metric,
      baseline: formatRowValue(row, row.baseline),
      current: formatRowValue(row, row.current),
      change: row.change === null ? null : row.kind === 'relative' && Number.isFinite(row.change) ? row.change : formatChange(row),
      verdict: row.verdict,
    })),
    baseline: baselineName ?? sideLabel(r, 'baseline'),
    verdict: r.verdict,
    note: r.note,
  };
}
