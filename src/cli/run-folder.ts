import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from '../outputs/atomic-write.ts';
import { PartialResults, resultsDirFor, writeResults } from '../outputs/results-folder.ts';
import { renderJunit } from '../report/junit.ts';
import { renderMarkdown } from '../report/markdown.ts';
import { buildSummary, type Summary } from '../report/summary-json.ts';
import { textSummary } from '../report/text-summary.ts';
import type { RunOutcome } from '../types/run-outcome.ts';
import { redact } from '../util/redact.ts';

export interface RunFolderOptions {
  /** --results-dir, resolved. */
  readonly root: string;
  readonly secrets: readonly string[];
  readonly warn: (line: string) => void;
  readonly tty: { stdout: boolean; stderr: boolean };
  readonly color: boolean;
}

/**
 * A run's results folder over the run's life: created once the plan is known, rewritten by the
 * checkpoints while the run goes (the partial files), then by the final write, whichever way the run
 * ends. A file that cannot be written (a full disk) is named in a warning; nothing here throws.
 */
export class RunFolder {
  #dir: string | null = null;
  #partial: PartialResults | null = null;

  constructor(private readonly options: RunFolderOptions) {}

  /** The folder, once open() made it. */
  get dir(): string | null {
    return this.#dir;
  }

  /** Create the folder for the run `name` (the plan is known): the checkpoints go there. */
  open(name: string, at = new Date()): string {
    const dir = resultsDirFor(this.options.root, name, at);
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      this.options.warn(`could not create the results folder ${dir}: ${(e as Error).message} (the test goes on; retried at the end)`);
    }
    this.#dir = dir;
    this.#partial = new PartialResults(dir, this.options.secrets, this.options.warn);
    return dir;
  }

  // the endpoints table is left to the final summary: a checkpoint must stay cheap whatever the number of series
  #partialSummary(o: RunOutcome): Summary {
    return buildSummary(o, this.options.tty, { endpoints: false });
  }

  /** A checkpoint, written in the background. */
  checkpoint(o: RunOutcome): void {
    this.#partial?.write(this.#partialSummary(o), o.timeseries);
  }

  /** A checkpoint written before this returns: the process is about to end (a crash). */
  checkpointNow(o: RunOutcome): void {
    this.#partial?.writeNow(this.#partialSummary(o), o.timeseries);
  }

  /** Resolves once the checkpoint being written, if any, has landed. */
  async settle(): Promise<void> {
    await this.#partial?.idle();
  }

  /** No more checkpoints; resolves once the one being written has landed (the final write replaces it). */
  async close(): Promise<void> {
    await this.#partial?.close();
  }

  /** The final files, in `dir` (the folder, or one made now if the plan never opened it). */
  write(outcome: RunOutcome, summary: Summary, text: string, dir: string): void {
    writeResults(dir, { summary, text, timeseries: outcome.timeseries, metrics: outcome.metrics, secrets: this.options.secrets }, (file, e) =>
      this.options.warn(`could not write ${file}: ${e.message}`),
    );
  }

  /** --junit and --markdown (the file asked for, and a copy in the results folder), and --summary-export. */
  writeExtras(summary: Summary, dir: string, files: { junit?: string; markdown?: string; summaryExport?: string }): void {
    const { secrets, warn } = this.options;
    const put = (file: string, data: string, what: string): void => {
      try {
        writeFileAtomic(file, data);
      } catch (e) {
        warn(`could not write ${what} ${file}: ${(e as Error).message}`);
      }
    };
    for (const [file, name, render, flag] of [
      [files.junit, 'junit.xml', renderJunit, '--junit'],
      [files.markdown, 'summary.md', renderMarkdown, '--markdown'],
    ] as const) {
      if (file === undefined) continue;
      const data = redact(render(summary), secrets);
      put(join(dir, name), data, 'the results file');
      put(resolve(file), data, flag);
    }
    if (files.summaryExport !== undefined) put(resolve(files.summaryExport), redact(`${JSON.stringify(summary, null, 2)}\n`, secrets), '--summary-export');
  }

  /** An outcome that did not come from a finished run (a snapshot: a forced stop, a script error) as the final files; null without a folder. */
  writeOutcome(outcome: RunOutcome): string | null {
    if (this.#dir === null) return null;
    const summary = buildSummary(outcome, this.options.tty);
    this.write(outcome, summary, redact(textSummary(summary, { color: this.options.color }), this.options.secrets), this.#dir);
    return this.#dir;
  }
}
