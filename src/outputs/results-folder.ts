import { stripVTControlCharacters } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../report/summary-json.ts';
import type { TimePoint } from '../metrics/timeseries.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { EncodedAccumulator } from '../metrics/accumulator.ts';
import type { MetricInfo } from '../metrics/metric.ts';
import type { TagEntries } from '../metrics/tags.ts';
import { writeFileAtomic } from './atomic-write.ts';
import { redact } from '../util/redact.ts';
import { renderHtmlReport } from '../report/html/render-html-report.ts';
import type { RunTrend } from '../report/html/trend-panel.ts';

/** Every series of a run with its encoded accumulator: enough to merge runs exactly (`agentload merge`). */
export interface SeriesFile {
  version: 1;
  series: { metric: MetricInfo; tags: TagEntries; acc: EncodedAccumulator }[];
}

export function seriesFile(metrics: RunMetrics): SeriesFile {
  const series: SeriesFile['series'] = [];
  for (const m of metrics.metrics.values()) for (const s of m.series.values()) series.push({ metric: m.info, tags: s.tags.entries, acc: s.acc.encode() });
  return { version: 1, series };
}

/** 20261123-142501: sortable local time for folder names. */
export function stamp(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** A fresh folder name under `root`: results/<time>-<name>/. */
export function resultsDirFor(root: string, name: string, at: Date): string {
  const safe = name.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 60) || 'run';
  let dir = join(root, `${stamp(at)}-${safe}`);
  for (let i = 2; existsSync(dir); i++) dir = join(root, `${stamp(at)}-${safe}-${i}`);
  return dir;
}

/** What report.html is made of. */
export interface ReportFiles {
  summary: Summary;
  timeseries: readonly TimePoint[];
  metrics: RunMetrics;
  /** Values that must not appear in any file (tokens): replaced by ***. */
  secrets?: readonly string[];
  /** The last runs of the same test and environment from the history: the report's trend panel. */
  trend?: RunTrend;
}

export interface ResultFiles extends ReportFiles {
  text: string;
}

/** Write (or rewrite) report.html atomically; returns its path. */
export function writeReportHtml(dir: string, files: ReportFiles): string {
  // the report redacts its own text (redacting the page would alter its inlined scripts)
  const path = join(dir, 'report.html');
  writeFileAtomic(path, renderHtmlReport(files.summary, files.timeseries, { metrics: files.metrics, secrets: files.secrets, trend: files.trend }));
  return path;
}

/** Write summary.json, summary.txt, timeseries.json, series.json and report.html (each atomically). */
export function writeResults(dir: string, files: ResultFiles): string[] {
  const written: string[] = [];
  const put = (name: string, data: string): void => {
    writeFileAtomic(join(dir, name), redact(data, files.secrets ?? []));
    written.push(join(dir, name));
  };
  put('summary.json', `${JSON.stringify(files.summary, null, 2)}\n`);
  put('summary.txt', `${stripVTControlCharacters(files.text)}\n`);
  put('timeseries.json', `${JSON.stringify(files.timeseries)}\n`);
  const series = seriesFile(files.metrics);
  put('series.json', `${JSON.stringify(series)}\n`);
  written.push(writeReportHtml(dir, files));
  return written;
}
