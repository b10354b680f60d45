import type { MetricInfo } from '../metrics/metric.ts';
import type { TagSet } from '../metrics/tags.ts';
import { SampleFile } from './sample-file.ts';

/** One sample as k6's JSON output writes it (a "Point" line). */
export function pointLine(metric: string, tags: TagSet, value: number, timeMs: number): string {
  return `{"metric":${JSON.stringify(metric)},"type":"Point","data":{"time":"${new Date(timeMs).toISOString()}","value":${Number.isFinite(value) ? value : 0},"tags":${JSON.stringify(tags.toObject())}}}\n`;
}

/** A metric declaration (k6's "Metric" line), written before its first point. */
export function metricLine(info: MetricInfo, thresholds: readonly string[]): string {
  return `${JSON.stringify({ type: 'Metric', data: { name: info.name, type: info.type, contains: info.contains, thresholds, submetrics: null }, metric: info.name })}\n`;
}

/**
 * `--out json=FILE`: every sample as a JSON line, streamed (workers batch
 * their lines once a second; nothing is kept in memory). A failing disk is
 * reported through `warn` and counted, never thrown.
 */
export class JsonLinesOutput {
  readonly #file: SampleFile;
  readonly #declared = new Set<string>();

  constructor(
    readonly path: string,
    warn: (message: string) => void = () => undefined,
  ) {
    this.#file = new SampleFile(`--out json=${path}`, path, warn);
  }

  declare(info: MetricInfo, thresholds: readonly string[]): void {
    if (this.#declared.has(info.name)) return;
    this.#declared.add(info.name);
    this.#file.write(metricLine(info, thresholds));
  }

  write(lines: string): void {
    this.#file.write(lines);
  }

  /** Lines lost to a failing disk. */
  get dropped(): number {
    return this.#file.dropped;
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
