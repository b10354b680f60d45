import { SampleFile } from './sample-file.ts';

/** k6's CSV columns, in k6's order (`--out csv=FILE`). */
export const CSV_COLUMNS = [
  'metric_name',
  'timestamp',
  'metric_value',
  'check',
  'error',
  'error_code',
  'expected_response',
  'group',
  'method',
  'name',
  'proto',
  'scenario',
  'service',
  'status',
  'subproto',
  'tls_version',
  'url',
  'extra_tags',
  'metadata',
] as const;

/** The tags that have a column of their own; every other tag goes to extra_tags as k=v&k=v. */
const TAG_COLUMNS = CSV_COLUMNS.slice(3, -2);
const TAG_INDEX = new Map<string, number>(TAG_COLUMNS.map((t, i) => [t, i]));

/** One field as Go's encoding/csv (which k6 uses) writes it: quoted when it holds a comma, quote, CR/LF or starts with a space. */
export function csvField(s: string): string {
  if (s === '') return s;
  if (/[",\r\n]/.test(s) || s.startsWith(' ') || s.startsWith('\t')) return `"${s.replace(/"/g, '""')}"`;
  return s;
}

/** One sample as a CSV row (k6's layout: unix seconds, value with 6 decimals). */
export function csvRow(metric: string, timeMs: number, value: number, tags: Readonly<Record<string, string>>): string {
  const cols = new Array<string>(TAG_COLUMNS.length).fill('');
  let extra = '';
  for (const k of Object.keys(tags).sort()) {
    const v = tags[k] as string;
    const i = TAG_INDEX.get(k);
    if (i !== undefined) cols[i] = v;
    else extra += `${extra === '' ? '' : '&'}${k}=${v}`;
  }
  const fields = [metric, String(Math.floor(timeMs / 1000)), (Number.isFinite(value) ? value : 0).toFixed(6), ...cols, extra, ''];
  return `${fields.map(csvField).join(',')}\n`;
}

interface PointLine {
  metric?: unknown;
  type?: unknown;
  data?: { time?: unknown; value?: unknown; tags?: unknown };
}

/** Convert the raw sample stream (k6 JSON "Point" lines, as workers send them) to CSV rows; other lines are skipped. */
export function csvFromJsonLines(lines: string): string {
  let out = '';
  let start = 0;
  while (start < lines.length) {
    let end = lines.indexOf('\n', start);
    if (end === -1) end = lines.length;
    const line = lines.slice(start, end);
    start = end + 1;
    if (line === '') continue;
    const p = JSON.parse(line) as PointLine;
    if (p.type !== 'Point' || typeof p.metric !== 'string' || p.data === undefined) continue;
    const t = typeof p.data.time === 'string' ? Date.parse(p.data.time) : NaN;
    const v = typeof p.data.value === 'number' ? p.data.value : 0;
    const tags = typeof p.data.tags === 'object' && p.data.tags !== null ? (p.data.tags as Record<string, string>) : {};
    out += csvRow(p.metric, Number.isFinite(t) ? t : 0, v, tags);
  }
  return out;
}

/**
 * `--out csv=FILE`: every sample as a row in k6's CSV columns, streamed
 * (workers batch their samples once a second; nothing is kept in memory).
 * A failing disk is reported through `warn` and counted, never thrown.
 */
export class CsvOutput {
  readonly #file: SampleFile;

  constructor(
    readonly path: string,
    warn: (message: string) => void = () => undefined,
  ) {
    this.#file = new SampleFile(`--out csv=${path}`, path, warn);
    this.#file.write(`${CSV_COLUMNS.join(',')}\n`);
  }

  /** Write a batch of raw sample lines (the JSON lines the workers send). */
  writeJsonLines(lines: string): void {
    this.#file.write(csvFromJsonLines(lines));
  }

  /** Rows lost to a failing disk. */
  get dropped(): number {
    return this.#file.dropped;
  }

  /** Flush and close; never rejects (a failure was reported when it happened). */
  close(): Promise<void> {
    return this.#file.close();
  }
}
