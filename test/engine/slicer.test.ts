import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slicer } from '../../src/engine/slicer.ts';

test('slices partition every index exactly once, for any processes × workers', () => {
  for (const parallelism of [1, 2, 3, 5, 8, 13, 100]) {
    for (const processes of [1, 2, 3, 4]) {
      for (const workers of [1, 2, 3]) {
        const owners = new Map<number, number>();
        let counted = 0;
        for (let p = 0; p < processes; p++) {
          for (let w = 0; w < workers; w++) {
            const s = new Slicer(p, processes, w, workers, parallelism);
            const owned = [...s.indices(parallelism)];
            assert.equal(owned.length, s.count(parallelism), `count matches indices (${parallelism}, ${p}/${processes}, ${w}/${workers})`);
            for (const k of owned) {
              assert.ok(s.owns(k));
              assert.equal(owners.has(k), false, `index ${k} owned twice`);
              owners.set(k, p * 100 + w);
            }
            counted += s.count(parallelism);
          }
        }
        assert.equal(counted, parallelism, `slices add up (${parallelism} over ${processes}×${workers})`);
        assert.equal(owners.size, parallelism);
      }
    }
  }
});

test('arrival indices beyond the VU count are split the same way and add up', () => {
  const n = 1000;
  for (const processes of [1, 3]) {
    for (const workers of [1, 2]) {
      let total = 0;
      for (let p = 0; p < processes; p++) for (let w = 0; w < workers; w++) total += new Slicer(p, processes, w, workers, 50).count(n);
      assert.equal(total, n);
    }
  }
});

test('the process level does not depend on the worker count', () => {
  for (const k of [0, 1, 2, 17, 99]) {
    const a = [0, 1, 2].map((p) => [0].some((w) => new Slicer(p, 3, w, 1, 100).owns(k)));
    const b = [0, 1, 2].map((p) => [0, 1, 2, 3].some((w) => new Slicer(p, 3, w, 4, 100).owns(k)));
    assert.deepEqual(a, b, `index ${k}`);
  }
});

test('a scenario with fewer VUs than slices leaves the extra slices idle', () => {
  const s0 = new Slicer(0, 1, 0, 2, 1);
  const s1 = new Slicer(0, 1, 1, 2, 1);
  assert.equal(s0.count(1), 1);
  assert.equal(s1.count(1), 0);
  assert.equal(s1.active, false);
});
