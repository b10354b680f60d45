import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { TestDefinition } from '../config/definition.ts';
import { pickTask, scenarioWork } from '../config/resolve.ts';
import { builtin } from '../metrics/builtin.ts';
import { threadStore } from '../metrics/thread-store.ts';
import { TagSet } from '../metrics/tags.ts';
import { HttpAgent } from '../protocols/http/agent.ts';
import { expectedTable, type HttpDefaults } from '../protocols/http/client.ts';
import { urlTags } from '../protocols/http/url-tags.ts';
import { InterruptedError } from '../protocols/vu-scope.ts';
import { TestAbortedError } from './context.ts';
import { executorOf } from './executors/index.ts';
import type { ScenarioRuntime } from './executors/base.ts';
import type { FromWorker, IterationErrorInfo, ToWorker, WorkerInit } from './messages.ts';
import type { ScenarioPlan } from './plan.ts';
import { Slicer } from './slicer.ts';
import { importScript, scriptLocation } from './script-loader.ts';
import { VirtualUser, type VuShared } from './vu.ts';
import { pointLine } from '../outputs/json-lines.ts';
import { attachProtocols } from '../protocols/attach.ts';
import { closeDataPlane } from '../protocols/sql/close-data-plane.ts';

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');
/** Started early (workerData null) to load the modules while the controller bundles the script: the init comes as a message. */
const init: WorkerInit =
  (workerData as WorkerInit | null) ?? (await new Promise<WorkerInit>((resolve) => port.once('message', (m: { type: 'init'; init: WorkerInit }) => resolve(m.init))));
const send = (m: FromWorker): void => port.postMessage(m);

let def: TestDefinition;
const runtimes: ScenarioRuntime[] = [];
const errors = new Map<string, IterationErrorInfo>();
let samples: string[] = [];
let iterationsDone = 0;
let lastTick = performance.now();
const ticker = setInterval(() => (lastTick = performance.now()), 10);

const agent = new HttpAgent({ insecureSkipTLSVerify: init.plan.http.insecureSkipTLSVerify, maxConnectionsPerHost: init.plan.http.maxConnectionsPerHost });
const httpDefaults: HttpDefaults = {
  baseUrl: init.plan.http.baseUrl,
  timeoutMs: init.plan.http.timeoutMs,
  maxRedirects: init.plan.http.maxRedirects,
  discardResponseBodies: init.plan.http.discardResponseBodies,
  expected: expectedTable(init.plan.http.expectedStatuses),
  headers: Object.freeze({ ...init.plan.http.headers }),
  cookies: init.plan.http.cookies,
};
const shared: VuShared = { store: threadStore, agent, http: httpDefaults, llm: init.plan.llm, a2a: init.plan.a2a, extend: attachProtocols };
const testTags = TagSet.of(init.plan.tags);

urlTags.onLimit = (max) =>
  send({
    type: 'warning',
    message: `more than ${max} distinct URLs: the url tag of further URLs is their name tag, to bound memory (group URLs that hold ids with { name: 'get_run' })`,
  });

if (init.rawSamples) {
  threadStore.listener = (metric, tags, value, time) => {
    samples.push(pointLine(metric.name, tags, value, time));
  };
}

/**
 * The most VUs allocated at once so far (vus_max): updated at each allocation, so that a short scenario
 * between two reports still counts; a VU reused after a ramp-down is not a new allocation, and the VUs of
 * a finished scenario are released.
 */
let vusMax = 0;

function noteAllocation(): void {
  let allocated = 0;
  for (const r of runtimes) allocated += r.allocatedVUs;
  if (allocated > vusMax) vusMax = allocated;
}

function flush(): void {
  let vus = 0;
  for (const r of runtimes) vus += r.activeVUs;
  const s = samples.length > 0 ? samples.join('') : null;
  samples = [];
  send({ type: 'metrics', series: threadStore.flush(), vus, vusMax, samples: s, iterationsDone });
}

function noteError(e: unknown, scenario: string): void {
  const message = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const known = errors.get(message);
  if (known !== undefined) {
    known.count++;
    return;
  }
  const info: IterationErrorInfo = { message, scenario, location: scriptLocation(e, init.sourcePath), count: 1 };
  errors.set(message, info);
  send({ type: 'iteration-error', error: { ...info } });
}

// Errors that escape an iteration (a promise the script forgot to await) are counted, not fatal.
process.on('unhandledRejection', (e) => {
  threadStore.add(builtin.iteration_errors, testTags.with('error', 'UnhandledRejection'), 1);
  noteError(e, 'unhandled rejection');
});
process.on('uncaughtException', (e) => {
  threadStore.add(builtin.iteration_errors, testTags.with('error', 'UncaughtException'), 1);
  noteError(e, 'uncaught exception');
});

/** The controller asked this thread to exit; any other exit (process.exit in the script) flushes first. */
let exitRequested = false;
process.on('exit', () => {
  // what was measured since the last report reaches the controller before the thread ends
  if (!exitRequested) flush();
});

/** A stop that arrives before the scenarios exist (Ctrl-C during setup) applies when they start. */
let stopRequested: 'none' | 'graceful' | 'hard' = 'none';

let aborted = false;
function abortFromScript(reason: string): void {
  if (aborted) return;
  aborted = true;
  send({ type: 'abort', reason });
}

function makeIterate(plan: ScenarioPlan): (vu: VirtualUser, lag: number | null) => Promise<boolean> {
  const { exec, tasks } = scenarioWork(def, plan);
  const totalWeight = tasks === null ? 0 : tasks.reduce((a, t) => a + t.weight, 0);
  const wait = plan.waitTime;
  return async (vu, lag) => {
    const t0 = performance.now();
    if (lag !== null) threadStore.add(builtin.iteration_lag, vu.tags, lag);
    try {
      if (exec !== null) await exec(vu);
      else {
        const task = pickTask(tasks, totalWeight, Math.random());
        // samples recorded inside the task carry its name (Locust reports per task); reset with the iteration
        vu.tags = vu.tags.with('task', task.name);
        await task.fn(vu);
      }
      if (wait !== null) await vu.sleepBetween(wait[0], wait[1]);
    } catch (e) {
      if (vu.interrupted || e instanceof InterruptedError) {
        vu.resetTags();
        return false;
      }
      if (e instanceof TestAbortedError) {
        abortFromScript(e.message);
        vu.resetTags();
        return false;
      }
      threadStore.add(builtin.iteration_errors, vu.tags.with('error', e instanceof Error ? e.name : typeof e), 1);
      noteError(e, plan.name);
    }
    vu.resetTags();
    // interrupted (gracefulStop, ramp-down, hard stop) while the script carried on, e.g. after catching an
    // aborted request: the iteration did not complete and is not counted, as in k6
    if (vu.interrupted) return false;
    const tags = vu.tags;
    threadStore.add(builtin.iteration_duration, tags, performance.now() - t0);
    threadStore.add(builtin.iterations, tags, 1);
    vu.iteration++;
    iterationsDone++;
    if (performance.now() - lastTick > 20) {
      // the scenario never waited on I/O: let timers and messages run
      await new Promise<void>((r) => setImmediate(r));
    }
    return true;
  };
}

/** The VU of setup() or teardown() while it runs: a hard stop interrupts it (its requests are aborted). */
let lifecycleVU: VirtualUser | null = null;

function setupVU(): VirtualUser {
  lifecycleVU = new VirtualUser(0, { name: 'setup', executor: 'setup' }, Object.freeze({ ...init.plan.env }), testTags.with('scenario', 'setup'), shared);
  if (stopRequested === 'hard') lifecycleVU.interrupt('test stopped');
  return lifecycleVU;
}

function errorInfo(e: unknown): { message: string; location: string } {
  return { message: e instanceof Error ? e.message : String(e), location: scriptLocation(e, init.sourcePath) };
}

async function start(startAtEpochMs: number, data: unknown): Promise<void> {
  const startAt = performance.now() + (startAtEpochMs - Date.now());
  const flusher = setInterval(flush, 1000);
  const runs = init.plan.scenarios.map((plan, i) => {
    const ex = executorOf(plan);
    const iterate = makeIterate(plan);
    // the plan's env is already merged: script, then scenario, then -e (the command line wins)
    const env = Object.freeze({ ...plan.env });
    const base = testTags.merge(plan.tags).with('scenario', plan.name);
    const info = Object.freeze({ name: plan.name, executor: plan.executor });
    const droppedTags = base;
    const runtime = ex.create(plan, {
      slicer: new Slicer(init.plan.segment.index, init.plan.segment.count, init.workerIndex, init.workerCount, ex.parallelism(plan)),
      startAt: startAt + plan.startTimeMs,
      now: () => performance.now(),
      newVU: (slot) => {
        const vu = new VirtualUser(plan.vuIdOffset + slot + 1, info, env, base, shared);
        vu.data = data;
        noteAllocation();
        return vu;
      },
      iterate,
      dropped: () => threadStore.add(builtin.dropped_iterations, droppedTags, 1),
    });
    runtimes[i] = runtime;
    if (stopRequested === 'graceful') runtime.requestStop();
    if (stopRequested === 'hard') runtime.hardStop();
    return runtime.run();
  });
  // report the VUs as soon as the scenarios have started them (timers due at the same time run in order),
  // so that the controller's first vus sample is not taken before any report
  const early = setTimeout(flush, Math.max(0, startAt - performance.now()) + 1);
  await Promise.all(runs);
  clearTimeout(early);
  clearInterval(flusher);
  flush();
  send({ type: 'done', errors: [...errors.values()] });
}

port.on('message', (msg: ToWorker) => {
  switch (msg.type) {
    case 'setup':
      void (async () => {
        let data: unknown;
        let error = null;
        // what setup() measures reaches the controller while it runs (a run stopped or killed during it keeps it)
        const flusher = setInterval(flush, 1000);
        try {
          if (def.setup !== undefined) data = await def.setup(setupVU());
        } catch (e) {
          error = errorInfo(e);
        }
        clearInterval(flusher);
        lifecycleVU = null;
        flush();
        try {
          send({ type: 'setup-done', data, error });
        } catch (e) {
          send({ type: 'setup-done', data: undefined, error: { message: `setup() returned data that cannot be passed to VUs: ${(e as Error).message}`, location: init.sourcePath } });
        }
      })();
      break;
    case 'start':
      void start(msg.startAtEpochMs, msg.data);
      break;
    case 'stop':
      if (stopRequested === 'none') stopRequested = 'graceful';
      for (const r of runtimes) r.requestStop();
      break;
    case 'hard-stop':
      stopRequested = 'hard';
      for (const r of runtimes) r.hardStop();
      lifecycleVU?.interrupt('test stopped');
      break;
    case 'teardown':
      void (async () => {
        let error = null;
        try {
          if (def.teardown !== undefined) await def.teardown(setupVU(), msg.data);
        } catch (e) {
          error = errorInfo(e);
        }
        lifecycleVU = null;
        flush();
        send({ type: 'teardown-done', error });
      })();
      break;
    case 'exit':
      exitRequested = true;
      clearInterval(ticker);
      // connections VUs share (AMQP, PostgreSQL, Redis) close with the test: after teardown()
      void Promise.all([agent.close(), closeDataPlane()]).finally(() => process.exit(0));
      break;
  }
});

try {
  def = await importScript({ sourcePath: init.sourcePath, bundlePath: init.bundlePath, dispose: () => undefined });
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'fatal', kind: 'script', message: (e as Error).message, location: '' });
}
