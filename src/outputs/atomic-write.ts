import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write a file so that readers see the old content or the new, never half of it. A write that fails
 * (a full disk) removes its temporary file before the error is thrown: no `*.tmp` is left behind.
 * A target that exists and is not a regular file (/dev/stdout, a pipe) is written to directly:
 * renaming over it would replace the device.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  let special = false;
  try {
    special = !statSync(path).isFile();
  } catch {
    // does not exist yet
  }
  if (special) {
    writeFileSync(path, data);
    return;
  }
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
