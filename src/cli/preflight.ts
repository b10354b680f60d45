import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** An output path a run will write to, and how it writes there. */
export interface OutputPath {
  /** How the user gave it: `--summary-export`, `--out json`. */
  readonly flag: string;
  readonly path: string;
  /** The value as the user wrote it, when it is more than the path (`json=out.jsonl`). */
  readonly given?: string;
  /**
   * `folder`: a directory the run creates files in (--results-dir); `atomic`: a file written to a
   * temporary name then renamed (needs a writable directory); `stream`: a file opened and appended to.
   */
  readonly kind: 'folder' | 'atomic' | 'stream';
}

function reason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const what: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    ENOTDIR: 'a file is where a folder should be',
    EISDIR: 'it is a directory',
    ENOSPC: 'no space left on the device',
    ENOENT: 'no such file or directory',
    EEXIST: 'a file is in the way',
  };
  return err.code !== undefined && what[err.code] !== undefined ? `${what[err.code]} (${err.code})` : (err.message ?? String(e));
}

/** mkdir -p, one level at a time: the first level that cannot be made gives the error (a recursive mkdir may loop on some file systems). */
function ensureDir(dir: string): void {
  const missing: string[] = [];
  for (let d = dir; !existsSync(d); d = dirname(d)) {
    missing.push(d);
    if (dirname(d) === d) break;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}

/** Create `dir` (and its parents) if needed and prove that files can be created in it. */
function checkFolder(dir: string): void {
  ensureDir(dir);
  if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
  const probe = join(dir, `.agentload-probe-${process.pid}.tmp`);
  closeSync(openSync(probe, 'wx'));
  rmSync(probe, { force: true });
}

function check(o: OutputPath): void {
  const path = resolve(o.path);
  if (o.kind === 'folder') return checkFolder(path);
  const existing = existsSync(path) ? statSync(path) : null;
  if (existing?.isDirectory() === true) throw Object.assign(new Error('is a directory'), { code: 'EISDIR' });
  // a device or a pipe (/dev/stdout) is written to directly
  if (existing !== null && !existing.isFile()) return closeSync(openSync(path, 'a'));
  if (o.kind === 'atomic') return checkFolder(dirname(path));
  ensureDir(dirname(path));
  closeSync(openSync(path, 'a'));
  // the run creates it: a run that ends before its start (a bad option) leaves no empty file
  if (existing === null) rmSync(path, { force: true });
}

/** The output paths of `agentload run`, from its flags (`--out` already split into json and csv). */
export function runOutputPaths(f: { resultsDir: string; summaryExport?: string; junit?: string; markdown?: string; json?: string; csv?: string }): OutputPath[] {
  const paths: OutputPath[] = [{ flag: '--results-dir', path: f.resultsDir, kind: 'folder' }];
  if (f.summaryExport !== undefined) paths.push({ flag: '--summary-export', path: f.summaryExport, kind: 'atomic' });
  if (f.junit !== undefined) paths.push({ flag: '--junit', path: f.junit, kind: 'atomic' });
  if (f.markdown !== undefined) paths.push({ flag: '--markdown', path: f.markdown, kind: 'atomic' });
  if (f.json !== undefined) paths.push({ flag: '--out', given: `json=${f.json}`, path: f.json, kind: 'stream' });
  if (f.csv !== undefined) paths.push({ flag: '--out', given: `csv=${f.csv}`, path: f.csv, kind: 'stream' });
  return paths;
}

/**
 * Check every output path before anything is loaded: each directory exists or can be created, each
 * file can be written. Returns one message per unusable path, naming the flag, the path and why.
 */
export function preflightOutputs(outputs: readonly OutputPath[]): string[] {
  const problems: string[] = [];
  for (const o of outputs) {
    try {
      check(o);
    } catch (e) {
      problems.push(`${o.flag} "${o.given ?? o.path}": cannot write ${o.kind === 'folder' ? 'in this folder' : 'this file'}: ${reason(e)}`);
    }
  }
  return problems;
}
