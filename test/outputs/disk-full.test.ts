/**
 * A disk that fills up, injected where a real one is not at hand: writeFileAtomic removes its temporary
 * file when the write or the rename fails; the partial results warn once and count the checkpoints they
 * lost; a streamed output on /dev/full (every write fails with ENOSPC) counts every line it dropped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs, { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from '../../src/outputs/atomic-write.ts';
import { PartialResults } from '../../src/outputs/results-folder.ts';
import { SampleFile } from '../../src/outputs/sample-file.ts';
import type { Summary } from '../../src/report/summary-json.ts';
import type { TimePoint } from '../../src/metrics/timeseries.ts';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'al-diskfull-'));
}

function enospc(path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), { code: 'ENOSPC' });
}

/**
 * Make every write (fs.writeFileSync and fs/promises writeFile) write half its data, then fail with
 * ENOSPC, as a full disk does; undo with the returned function.
 */
function fillTheDisk(): () => void {
  const real = fs.writeFileSync;
  const realAsync = fsp.writeFile;
  const half = (data: string | NodeJS.ArrayBufferView): string | NodeJS.ArrayBufferView => (typeof data === 'string' ? data.slice(0, data.length >> 1) : data);
  fs.writeFileSync = ((path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView) => {
    real(path, half(data));
    throw enospc(String(path));
  }) as typeof fs.writeFileSync;
  fsp.writeFile = (async (path: fs.PathLike, data: string | NodeJS.ArrayBufferView) => {
    await realAsync(path, half(data));
    throw enospc(String(path));
  }) as typeof fsp.writeFile;
  syncBuiltinESMExports();
  return () => {
    fs.writeFileSync = real;
    fsp.writeFile = realAsync;
    syncBuiltinESMExports();
  };
}

test('writeFileAtomic: a write that fails removes its temporary file and keeps the old content', () => {
  const d = scratch();
  const file = join(d, 'summary.json');
  writeFileSync(file, '{"old":true}\n');
  const undo = fillTheDisk();
  try {
    assert.throws(() => writeFileAtomic(file, '{"new":true,"padding":"xxxxxxxxxxxxxxxx"}\n'), /ENOSPC/);
  } finally {
    undo();
  }
  assert.deepEqual(readdirSync(d), ['summary.json']);
  assert.equal(readFileSync(file, 'utf8'), '{"old":true}\n');
});

test('writeFileAtomicAsync: a write that fails removes its temporary file and keeps the old content', async () => {
  const d = scratch();
  const file = join(d, 'timeseries.json');
  writeFileSync(file, '[]\n');
  const undo = fillTheDisk();
  try {
    await assert.rejects(writeFileAtomicAsync(file, `[${'{"t":1},'.repeat(100)}{}]\n`), /ENOSPC/);
  } finally {
    undo();
  }
  assert.deepEqual(readdirSync(d), ['timeseries.json']);
  assert.equal(readFileSync(file, 'utf8'), '[]\n');
});

test('writeFileAtomic: a rename that fails removes the temporary file too', () => {
  const d = scratch();
  const file = join(d, 'report.html');
  const real = fs.renameSync;
  fs.renameSync = ((from: fs.PathLike) => {
    throw Object.assign(new Error(`EIO: i/o error, rename '${String(from)}'`), { code: 'EIO' });
  }) as typeof fs.renameSync;
  syncBuiltinESMExports();
  try {
    assert.throws(() => writeFileAtomic(file, '<html>'), /EIO/);
  } finally {
    fs.renameSync = real;
    syncBuiltinESMExports();
  }
  assert.deepEqual(readdirSync(d), []);
});

test('writeFileAtomic: a device is written to, never renamed over', () => {
  writeFileAtomic('/dev/null', 'discarded\n');
  assert.ok(statSync('/dev/null').isCharacterDevice());
});

function summaryOf(requests: number): Summary {
  return {
    root_group: { name: '', path: '', id: 'x', groups: [], checks: [] },
    options: { summaryTrendStats: ['avg'], summaryTimeUnit: '', noColor: true },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: 1000 },
    metrics: { http_reqs: { type: 'counter', contains: 'default', values: { count: requests, rate: requests } } },
    agentload: {
      meta: {
        tool: 'agentload',
        version: '0',
        name: 't',
        script: 't.ts',
        suite: null,
        profile: null,
        environment: null,
        target: null,
        startedAt: new Date(0).toISOString(),
        endedAt: new Date(1000).toISOString(),
        durationMs: 1000,
        gitCommit: null,
        timeScale: 1,
        workers: 1,
        segment: '1/1',
        scenarios: [],
        status: 'passed',
        exitCode: 0,
        stopReason: null,
        envKeys: [],
      },
      thresholds: [],
      errors: [],
      endpoints: [],
    },
  };
}

const point = (i: number): TimePoint => ({ t: 1000 * i, elapsed: i, metrics: { http_reqs: { count: i, value: i } } });

test('PartialResults: checkpoints lost to a full disk are warned about once and counted; the next one that fits is complete', async () => {
  const d = scratch();
  const warnings: string[] = [];
  const partial = new PartialResults(d, ['s3cret'], (m) => warnings.push(m));
  const points = [point(1)];
  const undo = fillTheDisk();
  try {
    // in the background (a checkpoint), then now (a crash): both fail the same way
    partial.write(summaryOf(1), points);
    await partial.idle();
    points.push(point(2));
    partial.writeNow(summaryOf(2), points);
  } finally {
    undo();
  }
  assert.equal(partial.failures, 2);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0] ?? '', /could not write the partial results to .*timeseries\.json: ENOSPC/);
  assert.deepEqual(readdirSync(d), []);
  points.push(point(3));
  partial.write(summaryOf(3), points);
  // a checkpoint while one is being written is skipped, not queued
  partial.write(summaryOf(99), points);
  await partial.close();
  partial.write(summaryOf(100), points);
  partial.writeNow(summaryOf(100), points);
  assert.deepEqual(readdirSync(d).sort(), ['summary.json', 'timeseries.json']);
  // the points serialized while the disk was full are not lost: the file is the whole series
  assert.equal(readFileSync(join(d, 'timeseries.json'), 'utf8'), `${JSON.stringify(points)}\n`);
  const s = JSON.parse(readFileSync(join(d, 'summary.json'), 'utf8')) as { metrics: Summary['metrics']; agentload: { meta: Record<string, unknown> } };
  assert.equal(s.metrics.http_reqs?.values.count, 3);
  assert.equal(s.agentload.meta.status, 'running');
  assert.equal(s.agentload.meta.partial, true);
  assert.equal(s.agentload.meta.exitCode, null);
  assert.equal(typeof s.agentload.meta.updatedAt, 'string');
});

test('SampleFile on /dev/full: warned once when it fails, every line counted as dropped, close() resolves', { skip: existsSync('/dev/full') ? false : 'no /dev/full' }, async () => {
  const warnings: string[] = [];
  const f = new SampleFile('--out json=/dev/full', '/dev/full', (m) => warnings.push(m));
  f.write('a\nb\n');
  f.write('c\n');
  await new Promise((r) => setImmediate(r));
  f.write('d\ne\nf\n');
  await f.close();
  assert.equal(f.dropped, 6);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0] ?? '', /^--out json=\/dev\/full: ENOSPC: .*samples are no longer written to it \(the test goes on\)$/);
  assert.match(warnings[1] ?? '', /^--out json=\/dev\/full: 6 lines were not written \(ENOSPC/);
});

test('SampleFile on a healthy disk: nothing dropped, nothing said', async () => {
  const d = scratch();
  const warnings: string[] = [];
  const f = new SampleFile('--out csv=x', join(d, 'x.csv'), (m) => warnings.push(m));
  f.write('a\nb\n');
  await f.close();
  assert.equal(f.dropped, 0);
  assert.deepEqual(warnings, []);
  assert.equal(readFileSync(join(d, 'x.csv'), 'utf8'), 'a\nb\n');
});
