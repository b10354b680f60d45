import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

let seq = 0;
/** Temporary files of writes in progress: a process that exits meanwhile (a forced stop, a crash) removes them. */
const pending = new Set<string>();
let exitHooked = false;

function tmpFor(path: string): string {
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', () => {
      for (const tmp of pending) rmSync(tmp, { force: true });
    });
  }
  const tmp = `${path}.${process.pid}.${seq++}.tmp`;
  pending.add(tmp);
  return tmp;
}

/** A target that exists and is not a regular file (/dev/stdout, a pipe) is written to directly: renaming over it would replace the device. */
function isSpecial(path: string): boolean {
  try {
    return !statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Write a file so that readers see the old content or the new, never half of it. A write that fails
 * (a full disk) removes its temporary file before the error is thrown: no `*.tmp` is left behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  if (isSpecial(path)) {
    writeFileSync(path, data);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tmpFor(path);
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}

/** writeFileAtomic with the I/O off the main thread (large files written while a test runs). */
export async function writeFileAtomicAsync(path: string, data: string | Uint8Array): Promise<void> {
  if (isSpecial(path)) {
    await writeFile(path, data);
    return;
  }
  await mkdir(dirname(path), { recursive: true });
  const tmp = tmpFor(path);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  } finally {
    pending.delete(tmp);
  }
}
