import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { resolvePlan } from '../config/resolve.ts';
import { builtin, registry } from '../metrics/builtin.ts';
import { RunMetrics } from '../metrics/run-metrics.ts';
import { TagSet } from '../metrics/tags.ts';
import { ThresholdEvaluator, validateThresholds, type ThresholdResult, type ThresholdSpec } from '../metrics/thresholds/evaluate.ts';
import { parseExpression, parseKey } from '../metrics/thresholds/parse.ts';
import { intervalPoint, type TimePoint } from '../metrics/timeseries.ts';
import { JsonLinesOutput, pointLine } from '../outputs/json-lines.ts';
import type { MetricHandle, MetricInfo } from '../metrics/metric.ts';
import { Redactor } from './redaction.ts';
import { planSecrets, preloadSecrets } from './plan-secrets.ts';
import { ScriptOutput } from './script-output.ts';
import { CsvOutput } from '../outputs/csv.ts';
import { EXIT_CODES, type RunOutcome, type RunStatus } from '../types/run-outcome.ts';
import { seriesCapWarning } from '../metrics/series-cap.ts';
import { MAX_ERROR_TEMPLATES } from '../util/error-template.ts';
import { IterationErrors } from './iteration-errors.ts';
import { withoutCredentials } from '../util/url-credentials.ts';
import { VERSION } from '../version.ts';
import { executorOf } from './executors/index.ts';
import type { FromWorker, ToWorker, WorkerInit } from './messages.ts';
import type { RunPlan } from './plan.ts';
import { bundleScript, importScript, ScriptError, type BundledScript } from './script-loader.ts';
import { ConfigError, StoppedBeforeStartError, type RunOptions } from './run-options.ts';
import '../protocols/attach.ts';

/** agentload's own files (the build): an error whose stack starts here is not the script's. */
const OWN_DIR = fileURLToPath(new URL('../', import.meta.url));

/** The first stack frame of an error that is in a file (not node's own): its path and file:line:column. */
function firstFrame(e: unknown): { file: string; location: string } | null {
  const stack = e instanceof Error ? (e.stack ?? '') : '';
  for (const line of stack.split('\n')) {
    const m = /^\s+at (?:.*\()?(?:file:\/\/)?(\/[^()]+?):(\d+):(\d+)\)?$/.exec(line);
    if (m !== null) return { file: m[1] as string, location: `${m[1] as string}:${m[2] as string}:${m[3] as string}` };
  }
  return null;
}

/** What a phase's wait returns when a hard stop ended it first. */
const STOPPED = Symbol('stopped');
/** Checkpoints take at most 1/CHECKPOINT_BUDGET of the main thread: the next waits CHECKPOINT_BUDGET times the last one's cost. */
const CHECKPOINT_BUDGET = 50;
/** A hard stop terminates the worker threads that have not exited after this long (stuck in synchronous code). */
const HARD_STOP_GRACE_MS = 3000;

interface WorkerSlot {
  readonly worker: Worker;
  vus: number;
  /** Most active VUs this worker has reported (the final vus sample of a run shorter than a tick). */
  vusSeen: number;
  vusMax: number;
  iterations: number;
  /** Reported its VUs since the test started (until then its 0 would be a wrong vus sample). */
  reported: boolean;
  done: boolean;
  exited: boolean;
  /** Told to exit or terminated by the controller: any other exit is a crash worth reporting. */
  dismissed: boolean;
}

function gitCommit(): string | null {
  try {
    const r = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    return r.status === 0 ? r.stdout.trim() || null : null;
  } catch {
    return null;
  }
}

/** Planned length of the run without graceful stops (what the progress bar counts down). */
export function planDurationMs(plan: RunPlan): number {
  return plan.scenarios.reduce((m, s) => Math.max(m, executorOf(s).maxDurationMs(s) - s.gracefulStopMs), 0);
}

/**
 * One test run: loads the script, splits the plan over worker threads,
 * merges their metric snapshots, evaluates thresholds while it runs, and
 * returns everything measured — also when stopped or aborted.
 */
export class TestRun {
  readonly metrics = new RunMetrics();
  /** The current second: totals only (the time series charts no series). */
  #interval = new RunMetrics({ totalsOnly: true });
  #timeseries: TimePoint[] = [];
  #slots: WorkerSlot[] = [];
  /** Worker 0, started while the script is being bundled: it loads its modules meanwhile, then waits for its init. */
  #early: Worker | null = null;
  #status: RunStatus = 'passed';
  #stopReason: string | null = null;
  #stopping = false;
  #hard = false;
  #startedAt = 0;
  /** Iteration errors, by kind (iteration-errors.ts). */
  readonly #errors: IterationErrors<WorkerSlot>;
  #evaluator: ThresholdEvaluator | null = null;
  #thresholdResults: ThresholdResult[] = [];
  #json: JsonLinesOutput | null = null;
  #csv: CsvOutput | null = null;
  #allDone: (() => void) | null = null;
  #plan: RunPlan | null = null;
  #plannedAt = 0;
  #workers = 0;
  #started = false;
  #nextCheckpointAt = 0;
  /** `git rev-parse HEAD`, run once (every checkpoint builds an outcome). */
  #gitCommit: string | null | undefined;
  #resolveHardStop: () => void = () => undefined;
  /** Resolves at the first hard stop: every phase's wait races it, so that no phase can hold a stop back. */
  readonly #hardStopped = new Promise<typeof STOPPED>((r) => (this.#resolveHardStop = () => r(STOPPED)));
  readonly #redactor: Redactor;
  /** The script's console output, redacted (workers' piped, the main thread's routed). */
  readonly #output: ScriptOutput;
  /** Worker warnings already shown (each once, whatever the number of workers). */
  readonly #warned = new Set<string>();

  /**
   * The script's top level runs on this thread too: a promise it leaves rejected is an error of the script
   * (scenario `init`, the only code of it that runs here), counted like the workers' ones, not a crash that
   * prints it unredacted. A rejection whose stack starts in agentload's own code still crashes, as it would
   * without this.
   */
  readonly #onRejection = (e: unknown): void => {
    const frame = firstFrame(e);
    if (frame !== null && frame.file.startsWith(OWN_DIR)) {
      process.nextTick(() => {
        throw e;
      });
      return;
    }
    const message = e instanceof Error ? `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}` : String(e);
    const now = Date.now();
    const tags = TagSet.of({ ...(this.#plan?.tags ?? {}), scenario: 'init', error: 'UnhandledRejection' });
    this.metrics.record(builtin.iteration_errors, tags, 1, now);
    this.#interval.record(builtin.iteration_errors, tags, 1, now);
    this.#errors.note('main', { message, scenario: 'init', location: frame?.location ?? '', count: 1 }, 0);
  };

  constructor(readonly options: RunOptions) {
    this.#redactor = new Redactor([...(options.secrets ?? []), ...preloadSecrets(options.cli?.env, process.env)]);
    this.#output = new ScriptOutput(this.#redactor);
    this.#errors = new IterationErrors((t) => this.#redactor.text(t), (line) => this.#log(line), () => MAX_ERROR_TEMPLATES * Math.max(1, this.#slots.length));
  }

  /** Every secret redacted: those given, and those the plan names (complete once the script is loaded). */
  get secrets(): readonly string[] {
    return this.#redactor.secrets;
  }

  #log(line: string): void {
    this.options.onLog?.(this.#redactor.text(withoutCredentials(line)));
  }

  #warnOnce(message: string): void {
    if (this.#warned.has(message)) return;
    this.#warned.add(message);
    this.#log(message);
  }

  get plan(): RunPlan | null {
    return this.#plan;
  }

  /** The per-second time series so far (the live dashboard reads it on each progress tick). */
  get timeseries(): readonly TimePoint[] {
    return this.#timeseries;
  }

  /** Stop gracefully (Ctrl-C): no new iterations; running ones get their gracefulStop. */
  stop(reason = 'stopped by signal'): void {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#status === 'passed' || this.#status === 'thresholds-failed') this.#status = 'interrupted';
    this.#stopReason ??= this.#redactor.text(reason);
    this.#broadcast({ type: 'stop' });
  }

  /** Stop now (second Ctrl-C, abort): interrupt every VU; the summary is still written. */
  hardStop(reason?: string): void {
    this.#stopping = true;
    this.#hard = true;
    if (reason !== undefined) this.#stopReason ??= this.#redactor.text(reason);
    this.#resolveHardStop();
    this.#broadcast({ type: 'hard-stop' });
    // workers stuck in synchronous code (a loop in setup(), an iteration or teardown()) are terminated; what they flushed is kept
    setTimeout(() => {
      for (const s of this.#slots) if (!s.exited) this.#dismiss(s);
    }, HARD_STOP_GRACE_MS).unref();
  }

  /** `p`, or STOPPED if a hard stop comes first (p may never settle: a script whose top-level await hangs). */
  #unlessStopped<T>(p: Promise<T>): Promise<T | typeof STOPPED> {
    // a failure after the stop has nothing left to tell
    p.catch(() => undefined);
    return Promise.race([p, this.#hardStopped]);
  }

  #dismiss(slot: WorkerSlot): Promise<number> {
    slot.dismissed = true;
    return slot.worker.terminate();
  }

  #broadcast(m: ToWorker): void {
    for (const s of this.#slots) if (!s.exited) s.worker.postMessage(m);
  }

  async start(): Promise<RunOutcome> {
    const opts = this.options;
    process.on('unhandledRejection', this.#onRejection);
    // from the build only (see #run): a worker from src/ could not load its TypeScript modules
    if (!import.meta.url.endsWith('.ts')) {
      const early = new Worker(new URL('./worker.js', import.meta.url), { workerData: null, stdout: true, stderr: true });
      this.#output.pipe(early);
      // a worker that fails before it is used is replaced by a fresh one in #run, which reports the failure
      early.once('error', () => {
        if (this.#early === early) this.#early = null;
      });
      this.#early = early;
    }
    try {
      const bundling = bundleScript(opts.script);
      const script = await this.#unlessStopped(bundling);
      if (script === STOPPED) {
        void bundling.then((b) => b.dispose(), () => undefined);
        throw new StoppedBeforeStartError(this.#stopReason ?? 'stopped');
      }
      try {
        return await this.#run(script);
      } finally {
        script.dispose();
      }
    } finally {
      // not used (bundling or the configuration failed)
      if (this.#early !== null) void this.#early.terminate();
      this.#early = null;
      // the script's output arrives before the summary: every worker has exited (or was terminated) by now
      await this.#output.drain(2000);
      this.#output.restore();
      process.off('unhandledRejection', this.#onRejection);
    }
  }

  async #run(script: BundledScript): Promise<RunOutcome> {
    const opts = this.options;
    // the main thread runs the script's top level too: its output is held until the plan names every secret
    this.#output.capture();
    let resolved: ReturnType<typeof resolvePlan>;
    try {
      const def = await this.#unlessStopped(importScript(script));
      if (def === STOPPED) throw new StoppedBeforeStartError(this.#stopReason ?? 'stopped');
      resolved = resolvePlan(def, opts.cli ?? {}, basename(script.sourcePath).replace(/\.[cm]?[jt]s$/, ''));
      this.#redactor.add(planSecrets(resolved.plan, process.env));
    } catch (e) {
      if (e instanceof Error) e.message = this.#redactor.text(e.message);
      throw e;
    } finally {
      this.#output.release();
    }
    const { plan, errors } = resolved;
    const specs: ThresholdSpec[] = [];
    for (const t of plan.thresholds) {
      specs.push({ key: parseKey(t.key), expr: parseExpression(t.expression), abortOnFail: t.abortOnFail, delayAbortEvalMs: t.delayAbortEvalMs });
    }
    const typeOf = (name: string) => registry.get(name)?.type;
    const allErrors = [...errors, ...validateThresholds(specs, typeOf)];
    if (allErrors.length > 0) throw new ConfigError(allErrors.map((e) => this.#redactor.text(e)));
    this.#plan = plan;
    this.metrics.maxSeries = plan.maxSeries;
    this.metrics.onLimit = (max) => this.#warnOnce(seriesCapWarning(max));
    this.#plannedAt = Date.now();
    this.#evaluator = new ThresholdEvaluator(specs, typeOf);
    for (const s of specs) {
      const h = registry.get(s.key.metric);
      if (h !== undefined) this.metrics.declare(h);
    }

    const maxParallel = plan.scenarios.reduce((m, s) => Math.max(m, executorOf(s).parallelism(s)), 1);
    const workers = Math.max(1, Math.min(opts.workers ?? availableParallelism(), maxParallel));
    this.#workers = workers;
    opts.onPlan?.(plan, workers);
    // a write that fails (a full disk) is reported once and counted; the run goes on
    if (opts.jsonOut !== undefined) this.#json = new JsonLinesOutput(opts.jsonOut, (m) => this.#log(m));
    if (opts.csvOut !== undefined) this.#csv = new CsvOutput(opts.csvOut, (m) => this.#log(m));

    // Node 20 cannot load TypeScript in worker threads: run from the build (dist/), as the CLI does
    if (import.meta.url.endsWith('.ts')) throw new Error('TestRun must be imported from the build (dist/), not from src/: run `npm run build`');
    const workerUrl = new URL('./worker.js', import.meta.url);
    const ready: Promise<void>[] = [];
    for (let i = 0; i < workers; i++) {
      const init: WorkerInit = { bundlePath: script.bundlePath, sourcePath: script.sourcePath, plan, workerIndex: i, workerCount: workers, rawSamples: this.#json !== null || this.#csv !== null };
      let worker: Worker;
      if (i === 0 && this.#early !== null) {
        worker = this.#early;
        this.#early = null;
        worker.postMessage({ type: 'init', init });
      } else {
        worker = new Worker(workerUrl, { workerData: init, stdout: true, stderr: true });
        this.#output.pipe(worker);
      }
      const slot: WorkerSlot = { worker, vus: 0, vusSeen: 0, vusMax: 0, iterations: 0, reported: false, done: false, exited: false, dismissed: false };
      this.#slots.push(slot);
      ready.push(
        new Promise<void>((resolve, reject) => {
          const onMsg = (m: FromWorker): void => {
            if (m.type === 'ready') {
              worker.off('message', onMsg);
              resolve();
            } else if (m.type === 'fatal') {
              worker.off('message', onMsg);
              reject(new ScriptError(this.#redactor.text(m.message.replace(/^[^:]*ScriptError: /, '')), m.location));
            }
          };
          worker.on('message', onMsg);
          worker.once('error', reject);
          // the script's top level ended the thread (process.exit): without this the wait would never end
          worker.once('exit', (code) => reject(new ScriptError(`the script ended its worker thread while loading (exit code ${code})`, script.sourcePath)));
        }),
      );
      worker.on('message', (m: FromWorker) => this.#onMessage(slot, m));
      worker.on('error', (e) => {
        this.#log(`worker ${i} crashed: ${e.message}`);
        this.#markDone(slot);
      });
      worker.on('exit', (code) => {
        slot.exited = true;
        // a thread that ends on its own while the test runs (process.exit in the script) takes its VUs with it
        if (!slot.dismissed && !slot.done && this.#started) {
          const message = `worker ${i} exited (code ${code}) while the test ran: its VUs stopped; what it measured until then is kept`;
          this.#log(message);
          this.#errors.note(slot, { message, scenario: plan.scenarios.map((s) => s.name).join(', '), location: '', count: 1 }, 1, false);
        }
        this.#markDone(slot);
      });
    }
    let loaded: void[] | typeof STOPPED;
    try {
      loaded = await this.#unlessStopped(Promise.all(ready));
    } catch (e) {
      await this.#closeWorkers();
      throw e;
    }
    // stopped while the workers load the script: the run ends with what was measured (nothing yet)
    if (loaded === STOPPED) return this.#end(plan, Date.now());

    // setup on worker 0; checkpoints while it runs (a long setup() killed midway leaves its numbers)
    const first = this.#slots[0] as WorkerSlot;
    const setupCheckpoints = setInterval(() => this.#checkpoint(), 1000);
    let setup: Extract<FromWorker, { type: 'setup-done' }> | null;
    try {
      setup = await this.#request<Extract<FromWorker, { type: 'setup-done' }>>(first, { type: 'setup' }, 'setup-done');
    } catch (e) {
      // terminated by a hard stop (setup() stuck in synchronous code), or ended by the script
      if (!this.#hard) {
        await this.#closeWorkers();
        throw new ScriptError(this.#redactor.text(`setup() failed: ${(e as Error).message}`), script.sourcePath);
      }
      setup = null;
    } finally {
      clearInterval(setupCheckpoints);
    }
    // a hard stop during setup() interrupts it: the run ends with what setup() measured, as interrupted
    if (this.#hard) return this.#end(plan, Date.now());
    if (setup !== null && setup.error !== null) {
      await this.#closeWorkers();
      throw new ScriptError(this.#redactor.text(`setup() failed: ${setup.error.message}`), setup.error.location);
    }
    const setupData = setup?.data;

    const totalMs = planDurationMs(plan);
    this.#startedAt = Date.now() + 50;
    const allDone = new Promise<void>((r) => (this.#allDone = r));
    this.#started = true;
    this.#broadcast({ type: 'start', startAtEpochMs: this.#startedAt, data: setupData });
    let tick = 0;
    const ticker = setInterval(() => {
      tick++;
      this.#onTick(totalMs, tick % 2 === 0);
    }, 1000);
    await allDone;
    clearInterval(ticker);
    const endedAtRun = Date.now();

    if (!this.#hard && !first.exited) {
      // a hard stop interrupts teardown() too (or terminates its thread): the wait ends either way
      const td = await Promise.race([
        this.#request<Extract<FromWorker, { type: 'teardown-done' }>>(first, { type: 'teardown', data: setupData }, 'teardown-done').catch((e: Error) => e),
        new Promise<null>((r) => setTimeout(() => r(null), 60_000).unref()),
      ]);
      if (td === null) this.#log('teardown() did not finish within 60s');
      else if (td instanceof Error) this.#log(`teardown() did not finish: ${td.message}`);
      else if (td.error !== null && !this.#hard) this.#log(`teardown() failed: ${td.error.message}${td.error.location === '' ? '' : ` at ${td.error.location}`}`);
    }
    return this.#end(plan, endedAtRun);
  }

  /** Let the workers exit, close the outputs, evaluate the thresholds and build the outcome. */
  async #end(plan: RunPlan, endedAtRun: number): Promise<RunOutcome> {
    for (const s of this.#slots) s.dismissed = true;
    await this.#closeWorkers();
    // never started (stopped during loading or setup): the run's length is 0
    if (!this.#started) this.#startedAt = endedAtRun;

    const durationMs = Math.max(0, endedAtRun - this.#startedAt);
    this.#closeInterval(durationMs, true);
    const evaluator = this.#evaluator as ThresholdEvaluator;
    this.#thresholdResults = evaluator.evaluate(this.metrics, durationMs / 1000);
    if (this.#status === 'passed' && this.#thresholdResults.some((r) => !r.ok)) this.#status = 'thresholds-failed';
    await this.#json?.close();
    await this.#csv?.close();
    return this.#outcome(plan, endedAtRun);
  }

  /**
   * What was measured so far, as an outcome with the status as it stands (null before the plan is known):
   * the periodic checkpoints, and the CLI when a stopped run does not return in time.
   */
  snapshot(): RunOutcome | null {
    return this.#plan === null ? null : this.#outcome(this.#plan, Date.now());
  }

  #checkpoint(): void {
    const write = this.options.onCheckpoint;
    const now = Date.now();
    if (write === undefined || now < this.#nextCheckpointAt) return;
    const t0 = performance.now();
    const partial = this.snapshot();
    try {
      if (partial !== null) write(partial);
    } catch (e) {
      this.#log(`could not write the partial results: ${(e as Error).message}`);
    }
    this.#nextCheckpointAt = now + Math.max(this.options.checkpointMs ?? 5000, (performance.now() - t0) * CHECKPOINT_BUDGET);
  }

  #outcome(plan: RunPlan, endedAtRun: number): RunOutcome {
    const opts = this.options;
    const startedAt = this.#startedAt === 0 ? this.#plannedAt : this.#startedAt;
    const durationMs = Math.max(0, endedAtRun - startedAt);
    const exitCode = this.#status === 'interrupted' ? EXIT_CODES.interrupted : EXIT_CODES[this.#status];
    return {
      meta: {
        tool: 'agentload',
        version: VERSION,
        name: plan.name,
        script: opts.script,
        suite: opts.suite ?? null,
        profile: plan.profile,
        environment: opts.environment ?? null,
        target: opts.target === undefined || opts.target === null ? (plan.http.baseUrl === '' ? null : withoutCredentials(plan.http.baseUrl)) : withoutCredentials(opts.target),
        startedAt: new Date(startedAt).toISOString(),
        endedAt: new Date(endedAtRun).toISOString(),
        durationMs,
        gitCommit: this.#gitCommit === undefined ? (this.#gitCommit = gitCommit()) : this.#gitCommit,
        timeScale: plan.timeScale,
        workers: this.#workers,
        segment: `${plan.segment.index + 1}/${plan.segment.count}`,
        scenarios: plan.scenarios.map((s) => ({ name: s.name, executor: s.executor, description: executorOf(s).describe(s) })),
        status: this.#status,
        exitCode,
        stopReason: this.#stopReason,
        envKeys: Object.keys(opts.cli?.env ?? {}),
      },
      metrics: this.metrics,
      thresholds: this.#thresholdResults,
      ...this.#errors.listed(this.metrics.get('iteration_errors')?.total.sum ?? 0),
      timeseries: this.#timeseries,
      summaryTrendStats: plan.summaryTrendStats,
    };
  }

  #request<T extends FromWorker>(slot: WorkerSlot, msg: ToWorker, reply: T['type']): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onMsg = (m: FromWorker): void => {
        if (m.type === reply) {
          slot.worker.off('message', onMsg);
          slot.worker.off('exit', onExit);
          resolve(m as T);
        }
      };
      const onExit = (): void => {
        slot.worker.off('message', onMsg);
        reject(new Error(`worker exited before answering ${msg.type}`));
      };
      slot.worker.on('message', onMsg);
      slot.worker.once('exit', onExit);
      slot.worker.postMessage(msg);
    });
  }

  #onMessage(slot: WorkerSlot, m: FromWorker): void {
    switch (m.type) {
      case 'metrics': {
        // every sample and tag reaches outputs from here: secrets are replaced once, for all of them
        const series = this.#redactor.series(m.series);
        if (this.#json !== null) for (const s of series) this.#declareJson(s.metric);
        this.metrics.ingest(series);
        this.#interval.ingest(series);
        if (m.samples !== null) this.#writeSamples(this.#redactor.text(m.samples));
        slot.vus = m.vus;
        slot.vusMax = m.vusMax;
        slot.iterations = m.iterationsDone;
        if (this.#started) {
          slot.reported = true;
          if (m.vus > slot.vusSeen) slot.vusSeen = m.vus;
        }
        break;
      }
      case 'warning':
        this.#warnOnce(m.message);
        break;
      case 'iteration-error':
        this.#errors.note(slot, m.error, 1);
        break;
      case 'abort':
        if (this.#status !== 'aborted-by-threshold') this.#status = 'aborted-by-script';
        this.#stopReason ??= this.#redactor.text(withoutCredentials(`test aborted by the script: ${m.reason}`));
        this.hardStop();
        break;
      case 'done':
        for (const e of m.errors) this.#errors.note(slot, e, e.count);
        this.#markDone(slot);
        break;
      default:
        break;
    }
  }

  /** Raw samples (k6 JSON lines, already redacted) to --out json and --out csv. */
  #writeSamples(lines: string): void {
    this.#json?.write(lines);
    this.#csv?.writeJsonLines(lines);
  }

  #declareJson(info: MetricInfo): void {
    this.#json?.declare(info, this.#plan?.thresholds.filter((t) => parseKey(t.key).metric === info.name).map((t) => t.expression) ?? []);
  }

  #markDone(slot: WorkerSlot): void {
    slot.done = true;
    if (this.#slots.every((s) => s.done)) this.#allDone?.();
  }

  /** Let the workers exit on their own (what they wrote is flushed then), terminating those that do not within 2s. */
  async #closeWorkers(): Promise<void> {
    this.#broadcast({ type: 'exit' });
    await Promise.race([Promise.all(this.#slots.map((s) => (s.exited ? undefined : new Promise((r) => s.worker.once('exit', r))))), new Promise((r) => setTimeout(r, 2000).unref())]);
    await this.#terminateAll();
  }

  async #terminateAll(): Promise<void> {
    await Promise.all(this.#slots.map((s) => (s.exited ? undefined : this.#dismiss(s))));
  }

  /**
   * Close the current second: VU gauges (sampled while running, as k6 does, also to --out json/csv), then
   * the time-series point. A second in which some worker has not reported since the start gets no VU
   * sample (its 0 would be wrong). The end of the run (`final`) samples vus only when no tick did (a run
   * shorter than a second), with the most VUs the workers reported, and vus_max always (its maximum).
   */
  #closeInterval(elapsedMs: number, final = false): void {
    const now = Date.now();
    let vus = 0;
    let vusMax = 0;
    for (const s of this.#slots) {
      vus += final ? s.vusSeen : s.vus;
      // each worker reports the most VUs it held at once: the last report is the run's maximum
      vusMax += s.vusMax;
    }
    const reported = this.#slots.every((s) => s.reported);
    if (final ? (this.metrics.get('vus')?.total.count ?? 0) === 0 : reported) this.#recordGauge(builtin.vus, vus, now);
    if (final || reported) this.#recordGauge(builtin.vus_max, vusMax, now);
    this.#timeseries.push(intervalPoint(this.#interval, now, elapsedMs / 1000));
    this.#interval = new RunMetrics({ totalsOnly: true });
  }

  #recordGauge(h: MetricHandle, value: number, time: number): void {
    this.metrics.record(h, TagSet.EMPTY, value, time);
    this.#interval.record(h, TagSet.EMPTY, value, time);
    if (this.#json !== null || this.#csv !== null) {
      this.#declareJson(h);
      this.#writeSamples(pointLine(h.name, TagSet.EMPTY, value, time));
    }
  }

  #onTick(totalMs: number, evaluate: boolean): void {
    const elapsedMs = Math.max(0, Date.now() - this.#startedAt);
    const interval = this.#interval;
    this.#closeInterval(elapsedMs);
    if (evaluate && this.#evaluator !== null && this.#evaluator.specs.length > 0) {
      this.#thresholdResults = this.#evaluator.evaluate(this.metrics, elapsedMs / 1000);
      const abort = this.#evaluator.shouldAbort(this.#thresholdResults, elapsedMs);
      if (abort !== undefined && !this.#hard) {
        this.#status = 'aborted-by-threshold';
        this.#stopReason = `threshold "${abort.expression}" on ${abort.key} crossed (abortOnFail)`;
        this.hardStop();
      }
    }
    if (this.options.onProgress !== undefined) {
      const dur = this.metrics.get('http_req_duration')?.total;
      const failed = this.metrics.get('http_req_failed')?.total;
      let vus = 0;
      let vusMax = 0;
      let iterations = 0;
      for (const s of this.#slots) {
        vus += s.vus;
        vusMax += s.vusMax;
        iterations += s.iterations;
      }
      this.options.onProgress({
        elapsedMs,
        totalMs,
        vus,
        vusMax,
        iterations,
        iterationsPerSec: interval.get('iterations')?.total.sum ?? 0,
        requestsPerSec: interval.get('http_reqs')?.total.sum ?? 0,
        p95Ms: dur === undefined || dur.count === 0 ? null : dur.quantile(0.95),
        errorRate: failed === undefined || failed.count === 0 ? null : failed.nonZero / failed.count,
        stopping: this.#stopping,
      });
    }
    // right after the tick's own work: a checkpoint never delays a tick
    this.#checkpoint();
  }
}
