/**
 * Errors that escape every iteration (a promise the script forgot to await)
 * are counted under the scenario they come from, traced by their stack to the
 * scenario's function; when the stack cannot tell, the name says so and lists
 * what could have raised them, never a wrong scenario.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { TestRun } from '../../dist/engine/controller.js';
import type { RunOutcome } from '../../dist/types/run-outcome.js';
import { runScript, total, writeScript } from '../helpers/run-script.ts';
import { readSummary, runCli } from '../helpers/cli.ts';

const fixture = (name: string): string => join(import.meta.dirname, '..', 'fixtures', name);
const run = (script: string, workers = 1): Promise<RunOutcome> => new TestRun({ script, workers }).start();

/** Count per scenario name of the errors with this message. */
function byScenario(o: RunOutcome, message: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of o.errors) if (e.message === message) out[e.scenario] = (out[e.scenario] ?? 0) + e.count;
  return out;
}

test('a rejection that escapes an iteration is counted under its scenario (floating-rejection.ts)', async () => {
  const o = await run(fixture('floating-rejection.ts'));
  assert.deepEqual(byScenario(o, 'escaped the iteration'), { main: 3 });
  assert.equal(total(o, 'iteration_errors', [['scenario', 'main']]), 3);
  assert.equal(total(o, 'iteration_errors'), 3);
});

test('two scenarios, the same message: each counted under its own scenario, also when it fails after an await', async () => {
  const o = await run(fixture('floating-rejection-two.ts'));
  assert.deepEqual(byScenario(o, 'escaped the iteration'), { first: 2, second: 3 });
  assert.equal(total(o, 'iteration_errors', [['scenario', 'first']]), 2);
  assert.equal(total(o, 'iteration_errors', [['scenario', 'second']]), 3);
});

test('when the stack cannot tell, the name says so: a shared function lists its scenarios, a helper what ran in the worker', async () => {
  const o = await run(fixture('floating-rejection-two.ts'));
  assert.deepEqual(byScenario(o, 'escaped from a shared function'), { 'unknown (one of: third, fourth)': 2 });
  const helper = byScenario(o, 'escaped from a helper');
  assert.equal(Object.values(helper).reduce((a, b) => a + b, 0), 3);
  for (const name of Object.keys(helper)) {
    // the list grows as the worker starts scenarios; it always ends with init (the top level) and holds second
    assert.match(name, /^unknown \(one of: ([a-z]+, )*init\)$/, name);
    assert.ok(name.includes('second'), name);
  }
  // errors the stack cannot place carry no scenario tag: the scenarios' own counts are exact
  assert.equal(total(o, 'iteration_errors', [['scenario', 'third']]), 0);
  assert.equal(total(o, 'iteration_errors'), 2 + 3 + 2 + 3);
});

test('setup and teardown are scenarios of their own for escaped errors', async () => {
  const o = await runScript(`
    import { defineTest } from 'agentload';
    export default defineTest({
      iterations: 1,
      setup: async () => { void (async () => { throw new Error('from setup'); })(); await new Promise((r) => setTimeout(r, 5)); },
      exec: async () => {},
      teardown: async () => { void (async () => { throw new Error('from teardown'); })(); await new Promise((r) => setTimeout(r, 5)); },
    });
  `);
  assert.deepEqual(byScenario(o, 'from setup'), { setup: 1 });
  assert.deepEqual(byScenario(o, 'from teardown'), { teardown: 1 });
});

test('a floating sleep rejected by the VU interrupt is no error (an interrupted iteration is not one either)', async () => {
  const o = await runScript(`
    import { defineTest } from 'agentload';
    export default defineTest({
      scenarios: { s: { executor: 'constant-vus', vus: 1, duration: '200ms', gracefulStop: '0s', exec: async (ctx) => {
        void ctx.sleep(10);
        await new Promise((r) => setTimeout(r, 400));
      } } },
    });
  `);
  assert.deepEqual(o.errors, []);
  assert.equal(total(o, 'iteration_errors'), 0);
});

test('a promise the top level leaves rejected is counted under init, on the main thread and in the worker, not a crash', async () => {
  // through the CLI: in this process the test runner would take the main thread's rejection as its own failure
  const script = writeScript(`
    import { defineTest } from 'agentload';
    void Promise.reject(new Error('rejected at load'));
    export default defineTest({
      iterations: 2,
      exec: async () => {
        void (async () => {
          throw new Error('escaped the iteration');
        })();
        await new Promise((r) => setTimeout(r, 1));
      },
    });
  `);
  const r = await runCli(['run', script, '--quiet', '--no-history', '--workers', '1']);
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  // an error while the script loads does not keep later ones from being traced to their scenario
  assert.deepEqual(s.agentload.errors.map((e) => [e.scenario, e.message, e.count]), [
    ['init', 'rejected at load', 2],
    ['default', 'escaped the iteration', 2],
  ]);
  assert.equal(s.metrics.iteration_errors?.values.count, 4);
  assert.equal(s.metrics.iterations?.values.count, 2);
  assert.match(r.stderr, /iteration error in scenario "init": rejected at load at .*case\.ts:3:/);
});
