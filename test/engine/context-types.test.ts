/**
 * The VU context's types (checked by `npm run typecheck`, which covers test/):
 * checks are synchronous, so a checker returning a Promise does not compile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Checkers } from '../../src/engine/context.ts';

test('Checkers take synchronous boolean functions only', () => {
  const sync: Checkers<number> = { positive: (v) => v > 0 };
  // @ts-expect-error a check returning a Promise is rejected by the type, as it is at run time
  const later: Checkers<number> = { positive: async (v) => v > 0 };
  assert.equal(sync.positive?.(1), true);
  assert.ok((later.positive?.(1) as unknown) instanceof Promise);
});
