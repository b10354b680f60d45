/** The store conformance suite on SQLite, in memory and in a WAL file. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openStore } from '../../src/reference-target/store/store.ts';
import { storeConformance } from './store-conformance.ts';

const opts = { schema: 'public', poolSize: 1 };

storeConformance('SQLite in memory', () => openStore(':memory:', opts));

const dir = mkdtempSync(join(tmpdir(), 'agentload-target-store-'));
storeConformance(
  'SQLite file',
  () => openStore(join(dir, 'target.db'), opts),
  async (s) => {
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  },
);

test('a SQLite file is reopened with its data and runs in WAL mode', async () => {
  const d = mkdtempSync(join(tmpdir(), 'agentload-target-reopen-'));
  try {
    const file = join(d, 'target.db');
    const first = await openStore(file, opts);
    const run = await first.runs.create({ name: 'kept' });
    assert.deepEqual(await first.driver.get('PRAGMA journal_mode'), { journal_mode: 'wal' });
    await first.close();
    const second = await openStore(file, opts);
    assert.equal((await second.runs.get(run.id))?.name, 'kept');
    await second.close();
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});
