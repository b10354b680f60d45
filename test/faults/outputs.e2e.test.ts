/**
 * Outputs that cannot be written, end to end: every output path is checked before anything is loaded
 * (exit 104 naming the flag, the path and why, and the target never sees a request), and a disk that
 * fills during the run (/dev/full, a tiny tmpfs) costs a warning, never the exit code or a `*.tmp` file.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, readSummary, runCli } from '../helpers/cli.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentload.js');

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'al-faults-out-'));
}

/** Private mount namespaces (unshare -m, as root): a tmpfs or a read-only bind mount that vanishes with the process. */
const mountProbe = spawnSync('unshare', ['-m', 'sh', '-c', 'd=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs "$d"; rc=$?; umount "$d" 2>/dev/null; rmdir "$d"; exit $rc'], { encoding: 'utf8' });
const mounts = mountProbe.status === 0;
const noMounts = mounts ? false : `needs a private mount namespace with mount permission (unshare -m as root): ${(mountProbe.error?.message ?? mountProbe.stderr.trim()) || `exit ${mountProbe.status}`}`;

/**
 * Run the CLI inside a private mount namespace after `setup` (a shell line using $DIR), then list the
 * files under $DIR (the mount goes away with the namespace).
 */
function runMounted(setup: string, dir: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; files: string[] }> {
  const script = `${setup} || exit 90; "$@"; rc=$?; echo "--files--"; find "$DIR" -type f; exit $rc`;
  return new Promise((resolve) => {
    const child = spawn('unshare', ['-m', 'sh', '-c', script, 'sh', process.execPath, BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1', DIR: dir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => {
      const [out = '', list = ''] = stdout.split('--files--\n');
      resolve({ code, stdout: out, stderr, files: list.split('\n').filter((l) => l !== '') });
    });
  });
}

/** A path under a regular file: no one, root included, can create it. */
function underAFile(dir: string, rest: string): string {
  const file = join(dir, 'a-file');
  writeFileSync(file, 'not a directory\n');
  return join(file, rest);
}

const CASES: { name: string; args: (dir: string) => string[]; flag: string; reason: RegExp }[] = [
  { name: '--results-dir under a file', args: (d) => ['--results-dir', underAFile(d, 'results')], flag: '--results-dir', reason: /a file is where a folder should be \(ENOTDIR\)/ },
  { name: '--summary-export under a file', args: (d) => ['--summary-export', underAFile(d, 'sub/summary.json')], flag: '--summary-export', reason: /ENOTDIR/ },
  { name: '--junit onto a directory', args: (d) => ['--junit', d], flag: '--junit', reason: /it is a directory \(EISDIR\)/ },
  { name: '--markdown under a file', args: (d) => ['--markdown', underAFile(d, 'summary.md')], flag: '--markdown', reason: /ENOTDIR/ },
  { name: '--out json under a file', args: (d) => ['--out', `json=${underAFile(d, 'samples.jsonl')}`], flag: '--out', reason: /ENOTDIR/ },
  { name: '--out csv onto a directory', args: (d) => ['--out', `csv=${d}`], flag: '--out', reason: /EISDIR/ },
];

for (const c of CASES) {
  test(`unwritable output (${c.name}): exit 104 naming the flag and the path, before any request`, async () => {
    const dir = scratch();
    const args = c.args(dir);
    const hits = server.hits;
    const r = await runCli(['run', fixture('loads-at-start.ts'), '--quiet', '--no-history', ...args]);
    assert.equal(r.code, 104, r.stderr);
    const shown = args[1] as string;
    const line = r.stderr.split('\n').find((l) => l.startsWith(`error: ${c.flag} "${shown}": cannot write`));
    assert.ok(line !== undefined, r.stderr);
    assert.match(line, c.reason);
    // the script was not even loaded: its top level requests the target
    assert.equal(server.hits, hits);
    assert.doesNotMatch(r.stderr, /internal error|at .*\.js:\d+/);
  });
}

test('several unwritable outputs are all named at once; a missing parent folder is created, not an error', async () => {
  const dir = scratch();
  const hits = server.hits;
  const r = await runCli(['run', fixture('loads-at-start.ts'), '--quiet', '--no-history', '--junit', dir, '--markdown', underAFile(dir, 'x.md'), '--summary-export', join(dir, 'new', 'deeper', 's.json')]);
  assert.equal(r.code, 104, r.stderr);
  assert.equal(r.stderr.match(/^error: /gm)?.length, 2, r.stderr);
  assert.equal(server.hits, hits);
  const ok = await runCli(['run', fixture('loads-at-start.ts'), '--quiet', '--no-history', '--summary-export', join(dir, 'new', 'deeper', 's.json')]);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal((JSON.parse(readFileSync(join(dir, 'new', 'deeper', 's.json'), 'utf8')) as { metrics: { http_reqs: { values: { count: number } } } }).metrics.http_reqs.values.count, 3);
});

test('a read-only folder for --results-dir, --summary-export and --out json: exit 104 before any request', { skip: noMounts }, async () => {
  const dir = scratch();
  const ro = join(dir, 'ro');
  mkdirSync(ro);
  const hits = server.hits;
  const r = await runMounted('mount --bind -o ro "$DIR" "$DIR"', ro, [
    'run',
    fixture('loads-at-start.ts'),
    '--quiet',
    '--no-history',
    '--results-dir',
    join(ro, 'results'),
    '--summary-export',
    join(ro, 's.json'),
    '--out',
    `json=${join(ro, 'samples.jsonl')}`,
  ]);
  assert.equal(r.code, 104, r.stderr);
  assert.match(r.stderr, /^error: --results-dir ".*\/ro\/results": cannot write in this folder: read-only file system \(EROFS\)$/m);
  assert.match(r.stderr, /^error: --summary-export ".*\/ro\/s\.json": cannot write this file: read-only file system \(EROFS\)$/m);
  assert.match(r.stderr, /^error: --out "json=.*\/ro\/samples\.jsonl": cannot write this file: read-only file system \(EROFS\)$/m);
  assert.equal(server.hits, hits);
});

test('--out json and --out csv on a full disk (/dev/full): the run completes with its exit code, a warning and the count of lost lines', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--no-history', '--out', 'json=/dev/full', '--out', 'csv=/dev/full']);
  assert.equal(r.code, 0, r.stderr);
  for (const kind of ['json', 'csv']) {
    assert.equal(r.stderr.match(new RegExp(`--out ${kind}=/dev/full: ENOSPC[^\\n]*no longer written`, 'g'))?.length, 1, r.stderr);
    const lost = new RegExp(`--out ${kind}=/dev/full: (\\d+) lines were not written`).exec(r.stderr);
    // every sample line was lost: 20 requests alone give more than 20 lines
    assert.ok(lost !== null && Number(lost[1]) > 20, r.stderr);
  }
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.http_reqs?.values.count, 20);
  assert.equal(s.agentload.meta.exitCode, 0);
});

test('a results folder that fills up: the run keeps its exit code, names the files it could not write and leaves no *.tmp', { skip: noMounts }, async () => {
  const dir = scratch();
  const full = join(dir, 'small');
  mkdirSync(full);
  // room for summary.json and the small files, not for report.html (which inlines its chart library)
  const r = await runMounted('mount -t tmpfs -o size=48k tmpfs "$DIR"', full, ['run', fixture('http-basic.ts'), '--quiet', '--no-history', '--results-dir', full]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /could not write \S+\/report\.html: ENOSPC/);
  assert.match(r.stdout, /RESULT PASSED/);
  assert.deepEqual(r.files.filter((f) => f.endsWith('.tmp')), []);
  assert.ok(r.files.some((f) => f.endsWith('/summary.json')), r.files.join('\n'));
  assert.ok(!r.files.some((f) => f.endsWith('/report.html')), r.files.join('\n'));
});

test('a results folder too small for summary.json: the checkpoint warns, the final write names each file it lost, exit code kept', { skip: noMounts }, async () => {
  const dir = scratch();
  const full = join(dir, 'tiny');
  mkdirSync(full);
  // a tmpfs of one page: the folder can be made, but not even summary.json fits
  const r = await runMounted('mount -t tmpfs -o size=4k tmpfs "$DIR"', full, ['run', fixture('long-running.ts'), '--no-history', '--results-dir', full, '--duration', '3s', '--vus', '1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /could not write the partial results to \S+: ENOSPC/);
  assert.match(r.stderr, /could not write \S+\/summary\.json: ENOSPC/);
  assert.deepEqual(r.files.filter((f) => f.endsWith('.tmp')), []);
  assert.deepEqual(readdirSync(dir), ['tiny']);
});
