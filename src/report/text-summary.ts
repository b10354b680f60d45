import pc from 'picocolors';
import type { Summary, SummaryGroup, SummaryMetric } from './summary-json.ts';
import { formatBytes, formatNumber, formatPercent, formatValue } from './format.ts';

/** Kinds of iteration error the text summary lists; summary.json has more. */
const MAX_ERROR_KINDS_SHOWN = 10;

const SECTIONS: readonly [string, (name: string) => boolean][] = [
  ['HTTP', (n) => n.startsWith('http_')],
  ['WEBSOCKET', (n) => n.startsWith('ws_')],
  ['SSE', (n) => n.startsWith('sse_')],
  ['LLM', (n) => n.startsWith('llm_')],
  ['A2A', (n) => n.startsWith('a2a_')],
  ['DATA PLANE', (n) => /^(amqp_|db_|redis_|cache_)/.test(n)],
  ['EXECUTION', (n) => /^(iteration|iterations$|vus|dropped_iterations|group_duration)/.test(n)],
  ['NETWORK', (n) => n.startsWith('data_')],
];

function sectionOf(name: string): string {
  const base = name.replace(/\{.*$/, '');
  if (base === 'checks') return 'CHECKS';
  for (const [s, test] of SECTIONS) if (test(base)) return s;
  return 'CUSTOM';
}

function metricLine(name: string, m: SummaryMetric, trendStats: readonly string[], durationSec: number): string {
  const v = m.values;
  switch (m.type) {
    case 'counter': {
      const count = v.count ?? 0;
      const rate = durationSec > 0 ? count / durationSec : 0;
      return m.contains === 'data' ? `${formatBytes(count)}  ${formatBytes(rate)}/s` : `${formatNumber(count)}  ${formatNumber(rate)}/s`;
    }
    case 'gauge':
      return `${formatValue(v.value ?? 0, m.contains)}  min=${formatValue(v.min ?? 0, m.contains)}  max=${formatValue(v.max ?? 0, m.contains)}`;
    case 'rate': {
      const passes = v.passes ?? 0;
      const total = passes + (v.fails ?? 0);
      return `${formatPercent(v.rate ?? 0)}  ${passes} out of ${total}`;
    }
    case 'trend':
      return trendStats
        .filter((s) => v[s] !== undefined)
        // count is a number of samples whatever the metric holds (not 3.00ms)
        .map((s) => `${s}=${s === 'count' ? formatNumber(v[s] as number) : formatValue(v[s] as number, m.contains)}`)
        .join(' ');
  }
}

function dots(label: string, width: number): string {
  return label.length >= width ? `${label}:` : `${label}${'.'.repeat(width - label.length)}:`;
}

function checkLines(g: SummaryGroup, indent: string, color: ReturnType<typeof pc.createColors>, out: string[]): void {
  for (const c of g.checks) {
    const total = c.passes + c.fails;
    if (c.fails === 0) out.push(`${indent}${color.green('✓')} ${c.name}`);
    else out.push(`${indent}${color.red('✗')} ${c.name}\n${indent}  ${color.dim(`↳ ${formatPercent(c.passes / Math.max(1, total))} — ✓ ${c.passes} / ✗ ${c.fails}`)}`);
  }
  for (const sub of g.groups) {
    out.push(`${indent}█ ${sub.name}`);
    checkLines(sub, `${indent}  `, color, out);
  }
}

/** The end-of-test summary, k6-like: thresholds first, then metrics by section. */
export function textSummary(summary: Summary, opts: { color?: boolean } = {}): string {
  const color = pc.createColors(opts.color === true);
  const meta = summary.agentload.meta;
  const durationSec = summary.state.testRunDurationMs / 1000;
  const out: string[] = [];
  const width = Math.max(40, ...Object.keys(summary.metrics).map((k) => k.length + 6));

  if (summary.agentload.thresholds.length > 0) {
    out.push(`  ${color.bold('█ THRESHOLDS')}`, '');
    const byMetric = new Map<string, typeof summary.agentload.thresholds>();
    for (const t of summary.agentload.thresholds) byMetric.set(t.metric, [...(byMetric.get(t.metric) ?? []), t]);
    for (const [metric, list] of byMetric) {
      out.push(`    ${metric}`);
      const sm = summary.metrics[metric];
      for (const t of list) {
        const mark = t.ok ? color.green('✓') : color.red('✗');
        const agg = t.expression.replace(/\s*(===|==|!=|>=|<=|>|<).*$/, '').replace(/\s+/g, '');
        const shown = t.value === null ? 'no data' : `${agg}=${sm === undefined ? formatNumber(t.value) : agg === 'rate' && sm.type === 'rate' ? formatPercent(t.value) : formatValue(t.value, agg === 'count' || agg === 'rate' ? 'default' : sm.contains)}`;
        out.push(`    ${mark} '${t.expression}' ${shown}`);
      }
      out.push('');
    }
  }

  out.push(`  ${color.bold('█ TOTAL RESULTS')}`, '');
  const checks = summary.metrics.checks;
  if (checks !== undefined) {
    const passes = checks.values.passes ?? 0;
    const fails = checks.values.fails ?? 0;
    const total = passes + fails;
    out.push(`    ${dots('checks_total', width)} ${total}  ${formatNumber(durationSec > 0 ? total / durationSec : 0)}/s`);
    out.push(`    ${dots('checks_succeeded', width)} ${formatPercent(total === 0 ? 0 : passes / total)} ${passes} out of ${total}`);
    out.push(`    ${dots('checks_failed', width)} ${formatPercent(total === 0 ? 0 : fails / total)} ${fails} out of ${total}`, '');
    checkLines(summary.root_group, '    ', color, out);
    out.push('');
  }

  const grouped = new Map<string, string[]>();
  for (const name of Object.keys(summary.metrics).sort()) {
    if (name === 'checks') continue;
    const s = sectionOf(name);
    grouped.set(s, [...(grouped.get(s) ?? []), name]);
  }
  const order = ['CUSTOM', 'HTTP', 'WEBSOCKET', 'SSE', 'LLM', 'A2A', 'DATA PLANE', 'EXECUTION', 'NETWORK'];
  for (const section of order) {
    const names = grouped.get(section);
    if (names === undefined) continue;
    out.push(`    ${color.bold(section)}`);
    for (const name of names) {
      const m = summary.metrics[name] as SummaryMetric;
      const sub = name.indexOf('{');
      const label = sub === -1 ? name : `  { ${name.slice(sub + 1, -1)} }`;
      out.push(`    ${dots(label, width)} ${metricLine(name, m, summary.options.summaryTrendStats, durationSec)}`);
    }
    out.push('');
  }

  const errors = summary.agentload.errors;
  const notListed = summary.agentload.errorsNotListed;
  if (errors.length > 0 || (notListed?.errors ?? 0) > 0) {
    out.push(`    ${color.bold('ITERATION ERRORS')}${color.dim(' (by kind: first message, count)')}`);
    for (const e of errors.slice(0, MAX_ERROR_KINDS_SHOWN)) out.push(`    ${color.red('✗')} ${e.count}× ${e.message}${e.location === '' ? '' : color.dim(` at ${e.location}`)}`);
    const hidden = errors.slice(MAX_ERROR_KINDS_SHOWN);
    const moreKinds = hidden.length + (notListed?.templates ?? 0);
    const moreErrors = hidden.reduce((n, e) => n + e.count, 0) + (notListed?.errors ?? 0);
    if (moreErrors > 0) out.push(`    ${color.red('✗')} ${moreErrors}× in ${moreKinds === 0 ? 'kinds' : `${moreKinds} more kind${moreKinds === 1 ? '' : 's'}`} not shown ${color.dim('(summary.json lists the 100 most frequent)')}`);
    out.push('');
  }

  const series = summary.agentload.series;
  if (series !== undefined && series.foldedSamples > 0) {
    out.push(
      `    ${color.yellow('⚠')} series cap reached (${formatNumber(series.count)} series, maxSeries ${series.limit === null ? '-' : formatNumber(series.limit)}): ` +
        `${formatNumber(series.foldedSamples)} samples folded into series tagged overflow=true, counted in the totals above`,
    );
    out.push('');
  }

  const verdict =
    meta.status === 'passed'
      ? color.green('PASSED')
      : meta.status === 'interrupted'
        ? color.yellow('INTERRUPTED')
        : color.red(meta.status.toUpperCase().replace(/-/g, ' '));
  out.push(`  ${color.bold('█ RESULT')} ${verdict}${meta.stopReason !== null ? ` — ${meta.stopReason}` : ''} (exit code ${meta.exitCode})`);
  return out.join('\n');
}
