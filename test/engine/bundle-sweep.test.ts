/**
 * Bundle folders of killed runs (kill -9 cannot clean up): swept by the next bundleScript when the pid
 * in their name is gone; those of live processes, and other agentload-* folders, are left alone.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sweepStaleBundles } from '../../src/engine/script-loader.ts';

test('sweepStaleBundles removes the folders of processes that are gone, and only those', () => {
  const d = mkdtempSync(join(tmpdir(), 'al-sweep-'));
  // a pid that was alive and is not any more
  const gone = spawnSync(process.execPath, ['-e', '0']).pid as number;
  const names = [
    `agentload-bundle-${gone}-AbC123`,
    `agentload-bundle-${process.pid}-XyZ789`,
    `agentload-bundle-${process.ppid}-live00`,
    'agentload-results-keep01',
    'agentload-bundle-notapid',
  ];
  for (const n of names) mkdirSync(join(d, n));
  assert.equal(sweepStaleBundles(d), 1);
  assert.deepEqual(readdirSync(d).sort(), names.slice(1).sort());
});

test('a temp folder that cannot be read is not an error', () => {
  assert.equal(sweepStaleBundles(join(tmpdir(), 'al-sweep-no-such-folder')), 0);
});
