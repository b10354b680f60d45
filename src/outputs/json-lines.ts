import { createWriteStream, type WriteStream } from 'node:fs';
import type { MetricInfo } from '../metrics/metric.ts';
import type { TagSet } from '../metrics/tags.ts';

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
 * their lines once a second; nothing is kept in memory).
 */
export class JsonLinesOutput {
  readonly #stream: WriteStream;
  readonly #declared = new Set<string>();

  constructor(readonly path: string) {
    this.#stream = createWriteStream(path, { flags: 'w' });
  }

  declare(info: MetricInfo, thresholds: readonly string[]): void {
    if (this.#declared.has(info.name)) return;
    this.#declared.add(info.name);
    this.#stream.write(metricLine(info, thresholds));
  }

  write(lines: string): void {
    this.#stream.write(lines);
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => this.#stream.end((err?: Error | null) => (err ? reject(err) : resolve())));
  }
}
