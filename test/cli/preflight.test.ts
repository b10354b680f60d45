/**
 * Output paths checked before a run loads anything (preflightOutputs): what is accepted, what is
 * refused and how the refusal names the flag, the path and the reason; the check leaves nothing behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preflightOutputs, type OutputPath } from '../../src/cli/preflight.ts';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'al-preflight-'));
}

test('usable paths pass: folders and parents are created, a probe leaves no file, an existing file is kept', () => {
  const d = scratch();
  writeFileSync(join(d, 'kept.jsonl'), 'old\n');
  const outputs: OutputPath[] = [
    { flag: '--results-dir', path: join(d, 'results', 'nested'), kind: 'folder' },
    { flag: '--summary-export', path: join(d, 'export', 'deep', 'summary.json'), kind: 'atomic' },
    { flag: '--out', given: `json=${join(d, 'kept.jsonl')}`, path: join(d, 'kept.jsonl'), kind: 'stream' },
    { flag: '--out', given: `csv=${join(d, 'new', 'samples.csv')}`, path: join(d, 'new', 'samples.csv'), kind: 'stream' },
  ];
  assert.deepEqual(preflightOutputs(outputs), []);
  assert.deepEqual(readdirSync(join(d, 'results', 'nested')), []);
  assert.deepEqual(readdirSync(join(d, 'export', 'deep')), []);
  assert.equal(readFileSync(join(d, 'kept.jsonl'), 'utf8'), 'old\n');
  // the stream output is created by the run, not by the check
  assert.equal(existsSync(join(d, 'new', 'samples.csv')), false);
});

test('devices are written to directly: /dev/null passes for every kind of file output', () => {
  assert.deepEqual(
    preflightOutputs([
      { flag: '--summary-export', path: '/dev/null', kind: 'atomic' },
      { flag: '--out', given: 'json=/dev/null', path: '/dev/null', kind: 'stream' },
    ]),
    [],
  );
});

test('unusable paths: one message each, naming the flag, the path as given and the reason', () => {
  const d = scratch();
  const file = join(d, 'a-file');
  writeFileSync(file, 'x');
  mkdirSync(join(d, 'a-dir'));
  const problems = preflightOutputs([
    { flag: '--results-dir', path: join(file, 'results'), kind: 'folder' },
    { flag: '--results-dir', path: file, kind: 'folder' },
    { flag: '--junit', path: join(d, 'a-dir'), kind: 'atomic' },
    { flag: '--markdown', path: join(file, 'deeper', 'x.md'), kind: 'atomic' },
    { flag: '--out', given: `csv=${join(d, 'a-dir')}`, path: join(d, 'a-dir'), kind: 'stream' },
    { flag: '--out', given: `json=${join(file, 'x.jsonl')}`, path: join(file, 'x.jsonl'), kind: 'stream' },
  ]);
  assert.deepEqual(problems, [
    `--results-dir "${join(file, 'results')}": cannot write in this folder: a file is where a folder should be (ENOTDIR)`,
    `--results-dir "${file}": cannot write in this folder: a file is where a folder should be (ENOTDIR)`,
    `--junit "${join(d, 'a-dir')}": cannot write this file: it is a directory (EISDIR)`,
    `--markdown "${join(file, 'deeper', 'x.md')}": cannot write this file: a file is where a folder should be (ENOTDIR)`,
    `--out "csv=${join(d, 'a-dir')}": cannot write this file: it is a directory (EISDIR)`,
    `--out "json=${join(file, 'x.jsonl')}": cannot write this file: a file is where a folder should be (ENOTDIR)`,
  ]);
});

test('a path the OS refuses (a folder under /proc) is a message, not a hang or a crash', () => {
  const [p] = preflightOutputs([{ flag: '--results-dir', path: '/proc/agentload-no-such/results', kind: 'folder' }]);
  assert.match(p ?? '', /^--results-dir "\/proc\/agentload-no-such\/results": cannot write in this folder: /);
});
