import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { RunMetrics } from '../../metrics/run-metrics.ts';
import type { TimePoint } from '../../metrics/timeseries.ts';
import { writeResults, type SeriesFile } from '../../outputs/results-folder.ts';
import { MergeError, mergedOutcome, type MergePart } from '../../report/merge.ts';
import { buildSummary, type Summary } from '../../report/summary-json.ts';
import { textSummary } from '../../report/text-summary.ts';
import { RUN_STATUSES } from '../../types/run-outcome.ts';
import { EXIT } from '../exit-codes.ts';

class MergeInputError extends Error {}

function readJson<T>(dir: string, file: string): T {
  const path = join(dir, file);
  if (!existsSync(path)) throw new MergeInputError(`${path}: missing (is ${dir} a results folder?)`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new MergeInputError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Merge results folders of one test run in segments (`--segment i/n` on several machines) into one. */
export function mergeFolders(dirs: readonly string[], outDir: string): { summary: Summary; exitCode: number } {
  const metrics = new RunMetrics();
  const parts: MergePart[] = [];
  let name: string | undefined;
  for (const dir of dirs) {
    const summary = readJson<Summary>(dir, 'summary.json');
    // a run killed before its end leaves a partial summary.json and no series.json: say so, not "missing"
    const meta: { partial?: unknown; status?: unknown; updatedAt?: unknown } | undefined = summary.agentload?.meta;
    if (meta?.partial === true || meta?.status === 'running') {
      throw new MergeInputError(`${dir}: the partial results of a run that did not end (killed, or still running${typeof meta.updatedAt === 'string' ? `, last written ${meta.updatedAt}` : ''}); merge finished segments (a stopped run is finished: Ctrl-C writes its results)`);
    }
    const series = readJson<SeriesFile>(dir, 'series.json');
    const timeseries = readJson<TimePoint[]>(dir, 'timeseries.json');
    if (summary.agentload?.meta === undefined || series.version !== 1 || !Array.isArray(series.series)) throw new MergeInputError(`${dir}: not an agentload results folder`);
    if (!(RUN_STATUSES as readonly string[]).includes(summary.agentload.meta.status)) throw new MergeInputError(`${dir}: status "${summary.agentload.meta.status}" is not that of a finished run`);
    if (name !== undefined && summary.agentload.meta.name !== name) throw new MergeInputError(`${dir}: test "${summary.agentload.meta.name}" differs from "${name}"; merge segments of one test only`);
    name = summary.agentload.meta.name;
    metrics.ingest(series.series);
    parts.push({ source: dir, summary, timeseries });
  }
  const outcome = mergedOutcome(parts, metrics);
  const summary = buildSummary(outcome);
  writeResults(outDir, { summary, text: textSummary(summary), timeseries: outcome.timeseries, metrics });
  return { summary, exitCode: outcome.meta.exitCode };
}

/** `agentload merge DIR... --out DIR` */
export function registerMerge(program: Command): void {
  program
    .command('merge')
    .description('merge the results folders of one test run in segments (--segment i/n on several machines) into one folder; histograms merge exactly and thresholds are evaluated on the whole')
    .argument('<dirs...>', 'results folders to merge: every segment 1/n … n/n of one run, each once')
    .requiredOption('-o, --out <dir>', 'the merged results folder to write')
    .addHelpText(
      'after',
      `
Thresholds: the union of the segments' thresholds (segments of one script have the same ones; one run
            with --no-thresholds does not drop them), evaluated on the merged metrics. A metric with no
            samples in any segment is evaluated on 0, as in a single run.

Exit codes: 0 passed, 99 thresholds failed on the whole (or a segment was aborted by a threshold),
            105 a segment was stopped by a signal, 108 a segment was aborted by its script,
            2 unusable input: not a results folder, segments of different tests, a segment missing
            or given twice.

Example:
  agentload run tests/api.ts --segment 1/2 --results-dir results/a     # on machine A
  agentload run tests/api.ts --segment 2/2 --results-dir results/b     # on machine B
  agentload merge results/a/*-api results/b/*-api --out results/api-merged`,
    )
    .action((dirs: string[], flags: { out: string }) => {
      try {
        const { summary, exitCode } = mergeFolders(dirs.map((d) => resolve(d)), resolve(flags.out));
        process.stdout.write(`${textSummary(summary, { color: process.stdout.isTTY === true })}\n\n  merged ${dirs.length} folders into ${resolve(flags.out)}\n`);
        process.exitCode = exitCode;
      } catch (e) {
        if (!(e instanceof MergeInputError || e instanceof MergeError)) throw e;
        process.stderr.write(`error: ${e.message.replace(/\n/g, '\n       ')}\n`);
        process.exitCode = EXIT.USAGE;
      }
    });
}
