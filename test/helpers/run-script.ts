import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Worker threads cannot load TypeScript on Node 20: engine tests run the build (npm test builds first).
import { TestRun } from '../../dist/engine/controller.js';
import type { RunOptions } from '../../dist/engine/run-options.js';
import type { RunOutcome } from '../../dist/types/run-outcome.js';

/** Write a script to a temp file and return its path. */
export function writeScript(source: string, name = 'case.ts'): string {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-test-'));
  const file = join(dir, name);
  writeFileSync(file, source);
  return file;
}

/** Run a script through the real engine (worker threads and all). */
export function runScript(source: string, options: Omit<RunOptions, 'script'> = {}): Promise<RunOutcome> {
  return new TestRun({ ...options, script: writeScript(source) }).start();
}

/** Sum of a counter, or the count of a trend/rate. */
export function total(outcome: RunOutcome, metric: string, selector: [string, string][] = []): number {
  const acc = outcome.metrics.query(metric, selector);
  if (acc === undefined) return 0;
  return acc.type === 'counter' ? acc.sum : acc.count;
}
