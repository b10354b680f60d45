import { stripVTControlCharacters } from 'node:util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Summary } from '../report/summary-json.ts';
import type { TimePoint } from '../metrics/timeseries.ts';
import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { EncodedAccumulator } from '../metrics/accumulator.ts';
import type { MetricInfo } from '../metrics/metric.ts';
import type { TagEntries } from '../metrics/tags.ts';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-write.ts';
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

/**
 * Write summary.json, summary.txt, timeseries.json, series.json and report.html (each atomically).
 * With `onError`, a file that cannot be written (a full disk) is reported and the others are still
 * written; without it, the first failure is thrown.
 */
export function writeResults(dir: string, files: ResultFiles, onError?: (file: string, e: Error) => void): string[] {
  const written: string[] = [];
  const attempt = (file: string, write: () => void): void => {
    try {
      write();
      written.push(file);
    } catch (e) {
      if (onError === undefined) throw e;
      onError(file, e as Error);
    }
  };
  const put = (name: string, data: () => string): void => attempt(join(dir, name), () => writeFileAtomic(join(dir, name), redact(data(), files.secrets ?? [])));
  put('summary.json', () => `${JSON.stringify(files.summary, null, 2)}\n`);
  put('summary.txt', () => `${stripVTControlCharacters(files.text)}\n`);
  put('timeseries.json', () => `${JSON.stringify(files.timeseries)}\n`);
  put('series.json', () => `${JSON.stringify(seriesFile(files.metrics))}\n`);
  attempt(join(dir, 'report.html'), () => writeReportHtml(dir, files));
  return written;
}

/** summary.json's meta while the run goes: `status: 'running'`, no exit code yet, and `partial: true`. */
export interface PartialMeta extends Omit<Summary['agentload']['meta'], 'status' | 'exitCode'> {
  status: 'running';
  exitCode: null;
  partial: true;
  /** When this checkpoint was written. */
  updatedAt: string;
}

/**
 * The results folder while the run goes: timeseries.json and a partial summary.json rewritten at each
 * checkpoint (atomically), so that a killed run leaves what it measured; the final write replaces them.
 * Points already written are serialized once, and the files are written off the main thread (a
 * checkpoint that finds the previous one still writing is skipped). A failing write (a full disk) is
 * reported once and counted, never thrown.
 */
export class PartialResults {
  readonly #points: string[] = [];
  #failures = 0;
  #writing: Promise<void> | null = null;
  #closed = false;

  constructor(
    readonly dir: string,
    private readonly secrets: readonly string[],
    private readonly warn: (message: string) => void,
  ) {}

  /** Checkpoints that could not be written. */
  get failures(): number {
    return this.#failures;
  }

  #serialize(summary: Summary, timeseries: readonly TimePoint[]): [string, string] {
    for (let i = this.#points.length; i < timeseries.length; i++) this.#points.push(redact(JSON.stringify(timeseries[i]), this.secrets));
    const meta: PartialMeta = { ...summary.agentload.meta, status: 'running', exitCode: null, partial: true, updatedAt: new Date().toISOString() };
    const partial = { ...summary, agentload: { ...summary.agentload, meta } };
    return [`[${this.#points.join(',')}]\n`, redact(`${JSON.stringify(partial, null, 2)}\n`, this.secrets)];
  }

  #failed(file: string, e: unknown): void {
    if (this.#failures++ === 0) this.warn(`could not write the partial results to ${file}: ${(e as Error).message} (the test goes on; retried at the next checkpoint)`);
  }

  /** A checkpoint, written in the background; skipped while the previous one is still being written, or after close(). */
  write(summary: Summary, timeseries: readonly TimePoint[]): void {
    if (this.#closed || this.#writing !== null) return;
    const [series, sum] = this.#serialize(summary, timeseries);
    this.#writing = (async () => {
      let file = join(this.dir, 'timeseries.json');
      try {
        await writeFileAtomicAsync(file, series);
        file = join(this.dir, 'summary.json');
        await writeFileAtomicAsync(file, sum);
      } catch (e) {
        this.#failed(file, e);
      }
    })().finally(() => (this.#writing = null));
  }

  /** A checkpoint written before this returns (the process is about to end: a crash). */
  writeNow(summary: Summary, timeseries: readonly TimePoint[]): void {
    if (this.#closed) return;
    const [series, sum] = this.#serialize(summary, timeseries);
    let file = join(this.dir, 'timeseries.json');
    try {
      writeFileAtomic(file, series);
      file = join(this.dir, 'summary.json');
      writeFileAtomic(file, sum);
    } catch (e) {
      this.#failed(file, e);
    }
  }

  /** The checkpoint being written, if any, has landed. */
  async idle(): Promise<void> {
    await this.#writing;
  }

  /** No more checkpoints; resolves once the last one has landed, so that the final results replace it. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#writing;
  }
}
