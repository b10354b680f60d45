import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { TestDefinition } from '../config/definition.ts';
import { pickTask, scenarioWork } from '../config/resolve.ts';
import { builtin } from '../metrics/builtin.ts';
import { threadStore } from '../metrics/thread-store.ts';
import { setTagSetLimit, TagSet } from '../metrics/tags.ts';
import { seriesCapWarning } from '../metrics/series-cap.ts';
import { errorTemplate, exampleMessage, MAX_ERROR_TEMPLATES } from '../util/error-template.ts';
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
import { AwaitWatch } from './await-watch.ts';
import { pointLine } from '../outputs/json-lines.ts';
import { attachProtocols } from '../protocols/attach.ts';
import { closeDataPlane } from '../protocols/sql/close-data-plane.ts';
import { ErrorScenarios, type OwnedFunction } from './error-scenario.ts';

const port = parentPort;
if (port === null) throw new Error('worker.ts must run in a worker thread');
/** Started early (workerData null) to load the modules while the controller bundles the script: the init comes as a message. */
const init: WorkerInit =
  (workerData as WorkerInit | null) ?? (await new Promise<WorkerInit>((resolve) => port.once('message', (m: { type: 'init'; init: WorkerInit }) => resolve(m.init))));
const send = (m: FromWorker): void => port.postMessage(m);

let def: TestDefinition;
let loaded = false;
const runtimes: ScenarioRuntime[] = [];
/** Iteration errors by template (util/error-template.ts). */
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
  maxResponseBytes: init.plan.http.maxResponseBytes,
};
const shared: VuShared = { store: threadStore, agent, http: httpDefaults, llm: init.plan.llm, a2a: init.plan.a2a, extend: attachProtocols };
const testTags = TagSet.of(init.plan.tags);

threadStore.maxSeries = init.plan.maxSeries;
// tag sets are kept up to twice the series cap (requests derive a few from each other); past it they are not kept
setTagSetLimit(2 * init.plan.maxSeries);
threadStore.onLimit = (max) => send({ type: 'warning', message: seriesCapWarning(max) });

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

/** Errors by kind (message template), at most MAX_ERROR_TEMPLATES: further kinds are counted in iteration_errors only. */
function noteError(e: unknown, scenario: string): void {
  const raw = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
  const template = errorTemplate(raw);
  // per scenario: the same kind of error from two scenarios is two entries, each under its own scenario
  const key = `${scenario}\u0000${template}`;
  const known = errors.get(key);
  if (known !== undefined) {
    known.count++;
    return;
  }
  if (errors.size >= MAX_ERROR_TEMPLATES) return;
  const info: IterationErrorInfo = { message: exampleMessage(raw), template, scenario, location: scriptLocation(e, init.sourcePath), count: 1 };
  errors.set(key, info);
  send({ type: 'iteration-error', error: { ...info } });
}

/** The functions of the script each scenario (and setup, teardown) runs: where escaped errors are traced back to. */
function ownedFunctions(): OwnedFunction[] | null {
  if (!loaded) return null;
  const out: OwnedFunction[] = [];
  for (const plan of init.plan.scenarios) {
    const work = scenarioWork(def, plan);
    if (work.exec !== null) out.push({ owner: plan.name, fn: work.exec });
    else for (const t of work.tasks) out.push({ owner: plan.name, fn: t.fn });
  }
  out.push({ owner: 'setup', fn: def.setup }, { owner: 'teardown', fn: def.teardown });
  return out;
}
const errorScenarios = new ErrorScenarios(init.bundlePath, ownedFunctions);

/** An error that escaped every iteration, counted under the scenario it comes from (or a name that says it is unsure). */
function noteEscaped(e: unknown, kind: 'UnhandledRejection' | 'UncaughtException'): void {
  const { name, proved } = errorScenarios.resolve(e);
  threadStore.add(builtin.iteration_errors, (proved ? testTags.with('scenario', name) : testTags).with('error', kind), 1);
  noteError(e, name);
}

// Errors that escape an iteration (a promise the script forgot to await) are counted, not fatal; a floating
// promise rejected by the VU's interrupt (a sleep not awaited when the test stops) is no error, as in an iteration.
process.on('unhandledRejection', (e) => {
  if (e instanceof InterruptedError) return;
  noteEscaped(e, 'UnhandledRejection');
});
process.on('uncaughtException', (e) => noteEscaped(e, 'UncaughtException'));

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

/**
 * Event-loop turns, counted by a setImmediate armed at most once per turn in which iterations start: an iteration
 * that ends in the turn it started in never waited for anything (AwaitWatch). Only while a scenario's watch still
 * needs it: once one of its iterations has waited, the question is settled and no timer is armed for it.
 */
let turn = 0;
let turnArmed = false;
const nextTurn = (): void => {
  turn++;
  turnArmed = false;
};

function makeIterate(plan: ScenarioPlan, watch: AwaitWatch): (vu: VirtualUser, lag: number | null) => Promise<boolean> {
  const { exec, tasks } = scenarioWork(def, plan);
  const totalWeight = tasks === null ? 0 : tasks.reduce((a, t) => a + t.weight, 0);
  const wait = plan.waitTime;
  return async (vu, lag) => {
    const t0 = performance.now();
    if (!turnArmed && watch.countsTurns) {
      turnArmed = true;
      setImmediate(nextTurn);
    }
    const turn0 = turn;
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
    watch.afterIteration(vu, turn !== turn0);
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

/** file:line:column of the script's frame in a captured call site, or null when no frame is in the script. */
function callSiteIn(site: Error): string | null {
  const at = scriptLocation(site, init.sourcePath);
  return at === init.sourcePath ? null : at;
}

function errorInfo(e: unknown): { message: string; location: string } {
  return { message: e instanceof Error ? e.message : String(e), location: scriptLocation(e, init.sourcePath) };
}

async function start(startAtEpochMs: number, data: unknown): Promise<void> {
  const startAt = performance.now() + (startAtEpochMs - Date.now());
  const flusher = setInterval(flush, 1000);
  const runs = init.plan.scenarios.map((plan, i) => {
    const ex = executorOf(plan);
    const watch = new AwaitWatch(plan.name, (site) => callSiteIn(site), (message) => send({ type: 'warning', message }));
    const iterate = makeIterate(plan, watch);
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
        errorScenarios.ran(plan.name);
        const vu = new VirtualUser(plan.vuIdOffset + slot + 1, info, env, base, shared, watch.trace);
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
    return runtime.run().then(() => watch.end());
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
          if (def.setup !== undefined) {
            errorScenarios.ran('setup');
            data = await def.setup(setupVU());
          }
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
          if (def.teardown !== undefined) {
            errorScenarios.ran('teardown');
            await def.teardown(setupVU(), msg.data);
          }
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
  loaded = true;
  send({ type: 'ready' });
} catch (e) {
  send({ type: 'fatal', kind: 'script', message: (e as Error).message, location: '' });
}
