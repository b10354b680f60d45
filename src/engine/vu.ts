import { performance } from 'node:perf_hooks';
import { builtin } from '../metrics/builtin.ts';
import { metricValue } from '../metrics/custom.ts';
import type { MetricHandle, MetricInfo, MetricType } from '../metrics/metric.ts';
import { registry } from '../metrics/builtin.ts';
import type { SampleStore } from '../metrics/sample-store.ts';
import type { TagSet } from '../metrics/tags.ts';
import type { HttpAgent } from '../protocols/http/agent.ts';
import { HttpClient, type HttpDefaults } from '../protocols/http/client.ts';
import { InterruptedError, type Abortable, type VuScope } from '../protocols/vu-scope.ts';
import { WsClient } from '../protocols/ws/client.ts';
import { SseClient } from '../protocols/sse/client.ts';
import { LlmClient } from '../protocols/llm/client.ts';
import type { LlmPlan } from '../protocols/llm/options.ts';
import { A2aClient } from '../protocols/a2a/client.ts';
import { AmqpClient } from '../protocols/amqp/client.ts';
import { SqlClient } from '../protocols/sql/client.ts';
import { RedisClient } from '../protocols/redis/client.ts';
import type { A2aPlan } from '../protocols/a2a/options.ts';
import { TestAbortedError, type Checkers, type ScenarioInfo, type VuContext } from './context.ts';
import { captureCallSite, type CallTrace, type PendingKind } from './await-watch.ts';
import { formatDuration, MAX_DURATION_MS } from '../util/duration.ts';
import { shown } from '../util/shown.ts';

/** Why a checker's result is not a pass/fail. */
function checkResultMessage(name: string, r: unknown): string {
  if (r instanceof Promise) return `check "${name}" returned a Promise: checks are synchronous (as in k6); await the value first, then check it`;
  return `check "${name}" returned ${r === null ? 'null' : typeof r}; a check must return true or false`;
}

/** The handle of a metric first recorded in this thread; a TypeError when `metric` is not one. */
function defineRecorded(metric: unknown): MetricHandle {
  const m = metric as Partial<MetricInfo> | null;
  if (typeof m !== 'object' || m === null || typeof m.name !== 'string' || !['counter', 'gauge', 'rate', 'trend'].includes(m.type as string)) {
    throw new TypeError(`ctx.record(): the first argument must be a metric (new Trend('name'), new Counter('name'), …), got ${typeof metric === 'string' ? JSON.stringify(metric) : typeof metric}`);
  }
  return registry.define(m.name, m.type as MetricType, m.contains);
}

/** Everything VUs of one worker share. */
export interface VuShared {
  readonly store: SampleStore;
  readonly agent: HttpAgent;
  readonly http: HttpDefaults;
  /** `llm` options of the test (defaults when absent). */
  readonly llm?: LlmPlan;
  /** `a2a` options of the test (defaults when absent). */
  readonly a2a?: A2aPlan;
  /** Attach protocol clients (ws, sse, llm, a2a) to a new VU. */
  readonly extend?: (vu: VirtualUser) => void;
}

/**
 * A virtual user: the context its scenario function receives and the scope
 * its protocols record into. One object per VU; reused across iterations.
 */
export class VirtualUser implements VuContext<unknown>, VuScope {
  iteration = 0;
  data: unknown = undefined;
  readonly http: HttpClient;
  tags: TagSet;
  #controller: AbortController | null = null;
  #interrupt: InterruptedError | null = null;
  /** Work in flight: the common single item sits in #slot (no Set churn per request); more go to #inflight. */
  #slot: Abortable | null = null;
  #inflight: Set<Abortable> | null = null;
  #sleeping: { timer: NodeJS.Timeout; reject: (e: Error) => void } | null = null;
  #groupPath = '';
  #baseTags: TagSet;
  readonly #shared: VuShared;
  /** Where the scenario records call sites while it looks for an un-awaited call (null for setup/teardown). */
  readonly #trace: CallTrace | null;
  #ws: WsClient | null = null;
  #sse: SseClient | null = null;
  #llm: LlmClient | null = null;
  #a2a: A2aClient | null = null;
  #amqp: AmqpClient | null = null;
  #sql: SqlClient | null = null;
  #redis: RedisClient | null = null;
  /**
   * The methods that need `this`, bound to this VU on first use and kept, so that scripts may take them off
   * the context (`exec: async ({ http, check, sleep }) => …`). Lazily: a VU carries a closure only for the
   * methods its script calls (chance, pick, randomInt and abortTest use no `this` and need none).
   */
  #checkFn: VuContext['check'] | null = null;
  #groupFn: VuContext['group'] | null = null;
  #sleepFn: VuContext['sleep'] | null = null;
  #sleepBetweenFn: VuContext['sleepBetween'] | null = null;
  #recordFn: VuContext['record'] | null = null;
  #setTagFn: VuContext['setTag'] | null = null;
  /** Set when the VU should stop after its current iteration (ramp-down, end of duration). */
  stopping = false;
  busy = false;

  constructor(
    readonly vu: number,
    readonly scenario: ScenarioInfo,
    readonly env: Readonly<Record<string, string>>,
    baseTags: TagSet,
    shared: VuShared,
    trace: CallTrace | null = null,
  ) {
    this.#trace = trace;
    this.#baseTags = baseTags;
    this.tags = baseTags;
    this.#shared = shared;
    this.http = new HttpClient(this, shared.agent, shared.http);
    shared.extend?.(this);
  }

  get vuId(): number {
    return this.vu;
  }
  get store(): SampleStore {
    return this.#shared.store;
  }
  /** Created on first use, like `signal`: VUs that never open a socket carry no client. */
  get ws(): WsClient {
    const h = this.#shared.http;
    return (this.#ws ??= new WsClient(this, { httpBaseUrl: h.baseUrl, timeoutMs: h.timeoutMs, headers: h.headers, maxMessageBytes: h.maxResponseBytes }));
  }
  get sse(): SseClient {
    const h = this.#shared.http;
    return (this.#sse ??= new SseClient(this, this.#shared.agent.dispatcher, { baseUrl: h.baseUrl, timeoutMs: h.timeoutMs, headers: h.headers, maxEventBytes: h.maxResponseBytes }));
  }
  get llm(): LlmClient {
    return (this.#llm ??= new LlmClient(this, this.#shared.agent.dispatcher, this.#shared.llm, this.#shared.http.baseUrl, this.#shared.http.maxResponseBytes));
  }
  get a2a(): A2aClient {
    return (this.#a2a ??= new A2aClient(this, this.#shared.agent.dispatcher, this.http, this.#shared.a2a, this.#shared.http.baseUrl, this.#shared.http.maxResponseBytes));
  }
  /** Data-plane clients (docs/data-plane.md); connections are per worker, shared by its VUs. */
  get amqp(): AmqpClient {
    return (this.#amqp ??= new AmqpClient(this));
  }
  get sql(): SqlClient {
    return (this.#sql ??= new SqlClient(this));
  }
  get redis(): RedisClient {
    return (this.#redis ??= new RedisClient(this));
  }
  /** Created on first use: most VUs never need one (50,000 sleeping VUs stay small). */
  get signal(): AbortSignal {
    if (this.#controller === null) {
      this.#controller = new AbortController();
      if (this.#interrupt !== null) this.#controller.abort(this.#interrupt);
    }
    return this.#controller.signal;
  }
  /** Run named checks against a value; records the `checks` rate; true if all passed. */
  get check(): VuContext['check'] {
    return (this.#checkFn ??= this.#check.bind(this));
  }
  get group(): VuContext['group'] {
    return (this.#groupFn ??= this.#group.bind(this));
  }
  get sleep(): VuContext['sleep'] {
    return (this.#sleepFn ??= this.#sleep.bind(this));
  }
  get sleepBetween(): VuContext['sleepBetween'] {
    return (this.#sleepBetweenFn ??= this.#sleepBetween.bind(this));
  }
  get record(): VuContext['record'] {
    return (this.#recordFn ??= this.#record.bind(this));
  }
  get setTag(): VuContext['setTag'] {
    return (this.#setTagFn ??= this.#setTag.bind(this));
  }
  get interrupted(): boolean {
    return this.#interrupt !== null;
  }

  track(work: Abortable): void {
    if (this.#interrupt !== null) {
      work.abort(this.#interrupt);
      return;
    }
    if (this.#slot === null) this.#slot = work;
    else (this.#inflight ??= new Set()).add(work);
    if (this.#trace !== null && this.#trace.on) this.#trace.sites.set(work, captureCallSite());
  }
  untrack(work: Abortable): void {
    if (this.#slot === work) this.#slot = null;
    else this.#inflight?.delete(work);
    if (this.#trace !== null && this.#trace.on) this.#trace.sites.delete(work);
  }

  /** What the iteration that just ended left running (not awaited): a request, a sleep, or nothing. */
  leftPending(): PendingKind | null {
    if (this.#sleeping !== null) return 'sleep';
    if (this.#slot !== null && this.#slot.outlivesIteration !== true) return 'request';
    if (this.#inflight !== null && this.#inflight.size > 0) for (const w of this.#inflight) if (w.outlivesIteration !== true) return 'request';
    return null;
  }

  /** Where the script started pending work, for work started while `trace` was on. */
  pendingCallSite(trace: CallTrace): { kind: PendingKind; at: Error } | null {
    const sleepAt = this.#sleeping === null ? undefined : trace.sites.get(this.#sleeping);
    if (sleepAt !== undefined) return { kind: 'sleep', at: sleepAt };
    for (const w of this.#inFlight()) {
      const at = w.outlivesIteration === true ? undefined : trace.sites.get(w);
      if (at !== undefined) return { kind: 'request', at };
    }
    return null;
  }

  /** Everything in flight, once each (a copy: aborting may untrack). */
  #inFlight(): Abortable[] {
    const all: Abortable[] = this.#slot === null ? [] : [this.#slot];
    if (this.#inflight !== null) for (const w of this.#inflight) all.push(w);
    return all;
  }

  /** The VU's scenario is over: end what it kept open (WebSocket sessions) gracefully. */
  retire(): Promise<unknown> | null {
    const pending: Promise<unknown>[] = [];
    for (const w of this.#inFlight()) if (w.release !== undefined) pending.push(w.release());
    return pending.length === 0 ? null : Promise.all(pending);
  }

  /**
   * Make an idle VU usable again after its loop ended (ramping-vus ramping up again reuses its VUs, as k6
   * does): clears the interrupt and the stop flag. Only for a VU whose last iteration has returned.
   */
  revive(): void {
    this.#interrupt = null;
    this.#controller = null;
    this.#slot = null;
    this.#inflight = null;
    this.#sleeping = null;
    this.stopping = false;
    this.resetTags();
  }

  /** Abort everything in flight; the iteration ends with an InterruptedError. */
  interrupt(reason = 'VU interrupted'): void {
    if (this.#interrupt !== null) return;
    const err = new InterruptedError(reason);
    this.#interrupt = err;
    this.#controller?.abort(err);
    const inFlight = this.#inFlight();
    this.#slot = null;
    this.#inflight = null;
    for (const w of inFlight) w.abort(err);
    if (this.#sleeping !== null) {
      clearTimeout(this.#sleeping.timer);
      this.#sleeping.reject(err);
      this.#sleeping = null;
    }
  }

  #check<T>(value: T, checkers: Checkers<T>, tags?: Readonly<Record<string, string>>): boolean {
    let all = true;
    const base = tags === undefined ? this.tags : this.tags.merge(tags);
    for (const name in checkers) {
      let ok: boolean;
      let r: unknown;
      try {
        r = (checkers[name] as (v: T) => unknown)(value);
      } catch {
        r = false;
      }
      if (typeof r === 'boolean') ok = r;
      else throw new TypeError(checkResultMessage(name, r));
      // after an interrupt the iteration does not count, nor do its checks (k6 drops them too)
      if (this.#interrupt === null) this.store.add(builtin.checks, base.with('check', name), ok ? 1 : 0);
      if (!ok) all = false;
    }
    return all;
  }

  async #group<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
    const prevPath = this.#groupPath;
    const prevTags = this.tags;
    const path = `${prevPath}::${name}`;
    this.#groupPath = path;
    this.tags = prevTags.with('group', path);
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      const groupTags = this.tags;
      this.#groupPath = prevPath;
      this.tags = prevTags;
      if (!this.interrupted) this.store.add(builtin.group_duration, groupTags, performance.now() - t0);
    }
  }

  #sleep(seconds: number): Promise<void> {
    if (this.#interrupt !== null) return Promise.reject(this.#interrupt);
    // a sleep that silently did not happen ('1s', NaN, 30 days: a Node timer fires at once past 2^31 − 1 ms)
    // would hammer the target: each is refused by name
    if (typeof seconds !== 'number' || Number.isNaN(seconds)) return Promise.reject(new TypeError(`ctx.sleep(${shown(seconds)}): expected a number of seconds`));
    if (!(seconds > 0)) return Promise.resolve();
    if (seconds * 1000 > MAX_DURATION_MS) return Promise.reject(new RangeError(`ctx.sleep(${seconds}): longer than ${formatDuration(MAX_DURATION_MS)} (about 24 days), the longest a timer waits`));
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        // an earlier sleep nobody awaited must not clear the one in progress
        if (this.#sleeping === sleeping) this.#sleeping = null;
        if (this.#trace !== null && this.#trace.on) this.#trace.sites.delete(sleeping);
        resolve();
      }, seconds * 1000);
      const sleeping = { timer, reject };
      this.#sleeping = sleeping;
      if (this.#trace !== null && this.#trace.on) this.#trace.sites.set(sleeping, captureCallSite());
    });
  }

  #sleepBetween(minSeconds: number, maxSeconds: number): Promise<void> {
    return this.#sleep(minSeconds + Math.random() * Math.max(0, maxSeconds - minSeconds));
  }

  chance(p: number): boolean {
    return Math.random() < p;
  }

  pick<K extends string>(weights: Readonly<Record<K, number>>): K {
    let total = 0;
    for (const k in weights) total += Math.max(0, weights[k]);
    let r = Math.random() * total;
    let last: K | undefined;
    for (const k in weights) {
      last = k;
      r -= Math.max(0, weights[k]);
      if (r < 0) return k;
    }
    if (last === undefined) throw new Error('pick() needs at least one weight');
    return last;
  }

  randomInt(min: number, max: number): number {
    return min + Math.floor(Math.random() * (max - min + 1));
  }

  #record(metric: MetricInfo, value: number | boolean, tags?: Readonly<Record<string, string>>): void {
    const h = (typeof metric === 'object' && metric !== null ? registry.get(metric.name) : undefined) ?? defineRecorded(metric);
    const v = metricValue(value, h.name, 'ctx.record()');
    // a value recorded by code that carries on after an interrupt belongs to an iteration that does not count
    if (this.#interrupt !== null) return;
    this.store.add(h, tags === undefined ? this.tags : this.tags.merge(tags), v);
  }

  #setTag(name: string, value: string): void {
    const apply = (t: TagSet): TagSet => (value === '' ? t.without(name) : t.with(name, value));
    this.tags = apply(this.tags);
    this.#baseTags = apply(this.#baseTags);
  }

  abortTest(reason = 'test aborted by the script'): never {
    throw new TestAbortedError(reason);
  }

  /** Back to the VU's tags between iterations (a group left open by an exception does not leak). */
  resetTags(): void {
    this.tags = this.#baseTags;
    this.#groupPath = '';
  }
}
