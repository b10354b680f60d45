import { performance } from 'node:perf_hooks';
import type { Dispatcher } from 'undici';
import type { TagSet } from '../../metrics/tags.ts';
import { parseDuration } from '../../util/duration.ts';
import { DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_USER_AGENT, type HttpClient } from '../http/client.ts';
import type { VuScope } from '../vu-scope.ts';
import { endpointFromCard, type Endpoint } from './discovery.ts';
import { LifecycleTable, TaskLifecycle } from './lifecycle.ts';
import { a2aMetrics as M } from './metrics.ts';
import { DEFAULT_A2A_PLAN, type A2aPlan } from './options.ts';
import { A2aRestClient } from './rest.ts';
import { getJson, rpcCall, rpcStream, type RpcOutcome, type RpcTarget } from './rpc.ts';
import { StreamFollower } from './stream-follower.ts';
import { interruptibleSleep } from './sleep.ts';
import type {
  A2aCallOptions,
  A2aCardResult,
  A2aMessageInput,
  A2aSendOptions,
  A2aSendResult,
  A2aStreamOptions,
  A2aStreamResult,
  A2aTaskResult,
  A2aWaitOptions,
} from './types.ts';
import { decodeSendResult, decodeTaskResult, INTERRUPTED_STATES, methodOf, sendParams, TERMINAL_STATES, versionHeaders, type Operation } from './wire.ts';

/** Endpoints discovered from agent cards, shared by the VUs of a thread. */
const endpoints = new Map<string, Promise<Endpoint>>();

type Failure = { ok: false; errorCode: string; error: string; status: number };

/**
 * `ctx.a2a`: an Agent2Agent client over JSON-RPC (v1.0 and v0.3), on the
 * VU's undici agent, recording the A2A task lifecycle (submit, first status,
 * terminal state, completion) and every call. `rest` drives REST task APIs.
 */
export class A2aClient {
  readonly #lifecycles = new LifecycleTable();
  #rest: A2aRestClient | null = null;

  constructor(
    private readonly scope: VuScope,
    private readonly dispatcher: Dispatcher,
    private readonly http: HttpClient,
    private readonly plan: A2aPlan = DEFAULT_A2A_PLAN,
    private readonly httpBaseUrl = '',
    /** http.maxResponseBytes: the largest response read, a stream included (0 = no limit). */
    private readonly maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES,
  ) {}

  /** The agent's base URL: `a2a.url`, else A2A_URL, else the HTTP base URL. */
  get url(): string {
    if (this.plan.url !== '') return this.plan.url;
    const env = this.scope.env.A2A_URL ?? process.env.A2A_URL ?? '';
    return (env !== '' ? env : this.httpBaseUrl).replace(/\/$/, '');
  }

  /** REST task APIs shaped like `/api/a2a/tasks` (submit, poll, cancel) with the same lifecycle metrics. */
  get rest(): A2aRestClient {
    this.#rest ??= new A2aRestClient(this.scope, this.http, this.plan, () => this.url, () => this.#token());
    return this.#rest;
  }

  #token(): string | undefined {
    const v = this.scope.env[this.plan.tokenEnv] ?? process.env[this.plan.tokenEnv];
    return v === undefined || v === '' ? undefined : v;
  }

  #tags(o: A2aCallOptions | A2aWaitOptions | undefined): TagSet {
    let t = this.scope.tags;
    const name = o?.name ?? o?.tags?.name;
    if (name !== undefined) t = t.with('name', name);
    if (o?.tags !== undefined) for (const k in o.tags) if (k !== 'name') t = t.with(k, o.tags[k] as string);
    return t;
  }

  #target(url: string, version: Endpoint['version'] | null, o: Pick<A2aCallOptions, 'timeout' | 'headers' | 'maxResponseBytes'> | undefined, timeoutCap = Infinity): RpcTarget {
    const headers: Record<string, string> = { 'user-agent': DEFAULT_USER_AGENT, ...this.plan.headers, ...(version === null ? {} : versionHeaders(version)) };
    const token = this.#token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (o?.headers !== undefined) for (const [k, v] of Object.entries(o.headers)) headers[k.toLowerCase()] = v;
    const timeoutMs = o?.timeout === undefined ? this.plan.timeoutMs : parseDuration(o.timeout, 'ctx.a2a: timeout');
    const maxBytes = o?.maxResponseBytes ?? this.maxResponseBytes;
    if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 0) {
      throw new TypeError(`ctx.a2a: maxResponseBytes must be a whole number of bytes >= 0 (0 = no limit), got ${String(maxBytes)}`);
    }
    return { scope: this.scope, dispatcher: this.dispatcher, url, headers, timeoutMs: Math.max(1, Math.min(timeoutMs, timeoutCap)), maxBytes };
  }

  #recordCall(method: Operation | 'card', tags: TagSet, r: { ok: boolean; errorCode: string | null; t0: number; tEnd: number }): void {
    this.scope.store.add(M.a2a_request_duration, tags.with('method', method), r.tEnd - r.t0);
    if (!r.ok) this.scope.store.add(M.a2a_errors, tags.with('method', method).with('error_code', r.errorCode ?? 'UNKNOWN'), 1);
  }

  #cardUrl(): string {
    const base = this.url;
    if (base === '') throw new TypeError('ctx.a2a: no agent URL: set a2a.url in defineTest, the A2A_URL variable, or http.baseUrl');
    return /^https?:\/\//.test(this.plan.cardPath) ? this.plan.cardPath : `${base}${this.plan.cardPath}`;
  }

  /** Fetch the agent card (every call fetches; records a2a_request_duration{method:card}). */
  async card(o?: A2aCallOptions): Promise<A2aCardResult> {
    const cardUrl = this.#cardUrl();
    const ask = this.plan.version === 'auto' ? '1.0' : this.plan.version;
    const r = await getJson(this.#target(cardUrl, ask, o));
    this.#recordCall('card', this.#tags(o), r);
    const base = { status: r.status, durationMs: r.tEnd - r.t0 };
    if (!r.ok) return { ...base, ok: false, errorCode: r.errorCode, error: r.error, card: null, version: null, rpcUrl: null };
    const card = r.result as Record<string, unknown>;
    try {
      const e = this.#override(endpointFromCard(card, cardUrl, this.plan.version));
      return { ...base, ok: true, errorCode: null, error: null, card, version: e.version, rpcUrl: e.rpcUrl };
    } catch (err) {
      return { ...base, ok: false, errorCode: 'INVALID_AGENT_CARD', error: (err as Error).message, card, version: null, rpcUrl: null };
    }
  }

  #override(e: Endpoint): Endpoint {
    return this.plan.rpcUrl === '' ? e : { version: e.version, rpcUrl: this.plan.rpcUrl };
  }

  /** The endpoint to call: from the options when they say everything, else from the (cached) agent card. */
  async #endpoint(o: A2aCallOptions | undefined): Promise<Endpoint | Failure> {
    if (this.plan.rpcUrl !== '' && this.plan.version !== 'auto') return { version: this.plan.version, rpcUrl: this.plan.rpcUrl };
    const key = `${this.#cardUrl()}|${this.plan.version}`;
    let p = endpoints.get(key);
    if (p === undefined) {
      p = this.card(o).then((c) => {
        if (!c.ok || c.version === null || c.rpcUrl === null) throw Object.assign(new Error(c.error ?? 'no agent card'), { code: c.errorCode ?? 'INVALID_AGENT_CARD', status: c.status });
        return { version: c.version, rpcUrl: c.rpcUrl };
      });
      endpoints.set(key, p);
      p.catch(() => endpoints.delete(key));
    }
    try {
      return await p;
    } catch (e) {
      const err = e as { code?: string; message: string; status?: number };
      return { ok: false, errorCode: err.code ?? 'INVALID_AGENT_CARD', error: `agent card: ${err.message}`, status: err.status ?? 0 };
    }
  }

  /** Send a message (blocking by default); the task's lifecycle is recorded when the response shows its end. */
  async send(input: string | A2aMessageInput, o: A2aSendOptions = {}): Promise<A2aSendResult> {
    const tags = this.#tags(o);
    const ep = await this.#endpoint(o);
    if ('ok' in ep) return this.#sendFailure(ep, tags);
    const params = sendParams(input, ep.version, { blocking: o.blocking ?? true, acceptedOutputModes: o.acceptedOutputModes, historyLength: o.historyLength });
    const r = await rpcCall(this.#target(ep.rpcUrl, ep.version, o), methodOf(ep.version, 'send'), params);
    this.#recordCall('send', tags, r);
    const life = new TaskLifecycle(this.scope.store, tags, r.t0);
    const base = { status: r.status, durationMs: r.tEnd - r.t0, version: ep.version };
    if (!r.ok) {
      life.fail('error', r.tEnd);
      return { ...base, ok: false, errorCode: r.errorCode, error: r.error, task: null, message: null, taskId: null, state: null };
    }
    const { task, message } = decodeSendResult(r.result);
    if (task !== null) {
      life.taskId = task.id;
      life.observe(task.state, r.tEnd);
      this.#lifecycles.remember(life);
      return { ...base, ok: true, errorCode: null, error: null, task, message: null, taskId: task.id, state: task.state };
    }
    if (message !== null) {
      life.message(r.tEnd);
      return { ...base, ok: true, errorCode: null, error: null, task: null, message, taskId: null, state: 'message' };
    }
    life.fail('error', r.tEnd);
    this.scope.store.add(M.a2a_errors, tags.with('method', 'send').with('error_code', 'INVALID_RESPONSE'), 1);
    return { ...base, ok: false, errorCode: 'INVALID_RESPONSE', error: 'the result is neither a task nor a message', task: null, message: null, taskId: null, state: null };
  }

  #sendFailure(f: Failure, tags: TagSet): A2aStreamResult {
    const now = performance.now();
    new TaskLifecycle(this.scope.store, tags, now).fail('error', now);
    return { ok: false, status: f.status, errorCode: f.errorCode, error: f.error, durationMs: 0, version: null, task: null, message: null, taskId: null, state: null, events: [], reconnects: 0 };
  }

  /** Send a message and follow the stream of task updates to the end (re-attaching after cuts if `reconnect` > 0). */
  async stream(input: string | A2aMessageInput, o: A2aStreamOptions = {}): Promise<A2aStreamResult> {
    const tags = this.#tags(o);
    const ep = await this.#endpoint(o);
    if ('ok' in ep) return this.#sendFailure(ep, tags);
    const params = sendParams(input, ep.version, { acceptedOutputModes: o.acceptedOutputModes });
    const t0 = performance.now();
    const life = new TaskLifecycle(this.scope.store, tags, t0);
    return this.#follow(ep, 'stream', params, life, tags, o);
  }

  /** Re-attach to a task's stream (v1.0 SubscribeToTask, v0.3 tasks/resubscribe); finishes its lifecycle if this VU sent it. */
  async resubscribe(taskId: string, o: A2aStreamOptions = {}): Promise<A2aStreamResult> {
    const tags = this.#tags(o);
    const ep = await this.#endpoint(o);
    if ('ok' in ep) return { ...this.#sendFailure(ep, tags), taskId };
    const life = this.#lifecycles.get(taskId) ?? new TaskLifecycle(null, tags, performance.now());
    life.taskId = taskId;
    return this.#follow(ep, 'resubscribe', { id: taskId }, life, tags, o);
  }

  async #follow(ep: Endpoint, op: 'stream' | 'resubscribe', params: unknown, life: TaskLifecycle, tags: TagSet, o: A2aStreamOptions): Promise<A2aStreamResult> {
    // events count from the send for a stream, from this call for a re-attachment
    const follower = new StreamFollower(life, op === 'stream' ? life.t0 : performance.now(), o.onEvent);
    let r: RpcOutcome = await rpcStream(this.#target(ep.rpcUrl, ep.version, o), methodOf(ep.version, op), params, (res, at) => follower.take(res, at));
    this.#recordCall(op, tags, r);
    let reconnects = 0;
    const maxReconnects = Math.max(0, Math.floor(o.reconnect ?? 0));
    while (!follower.over && follower.taskId !== null && reconnects < maxReconnects && follower.userError === null) {
      await interruptibleSleep(this.scope, Math.min(100 * 2 ** reconnects, 2000));
      reconnects++;
      r = await rpcStream(this.#target(ep.rpcUrl, ep.version, o), methodOf(ep.version, 'resubscribe'), { id: follower.taskId }, (res, at) => follower.take(res, at));
      this.#recordCall('resubscribe', tags, r);
    }
    if (follower.userError !== null) throw follower.userError;
    if (follower.taskId !== null) this.#lifecycles.remember(life);
    let ok = r.ok;
    let errorCode = r.errorCode;
    let error = r.error;
    if (ok && !follower.over) {
      ok = false;
      errorCode = 'STREAM_INCOMPLETE';
      error = `the stream ended before the task did (last state: ${follower.state ?? 'none'})`;
      this.scope.store.add(M.a2a_errors, tags.with('method', op).with('error_code', errorCode), 1);
    }
    if (!follower.over) {
      life.fail('error', r.tEnd);
      if (follower.taskId !== null) this.#lifecycles.forget(follower.taskId);
    }
    return {
      ok,
      status: r.status,
      errorCode,
      error,
      durationMs: r.tEnd - follower.t0,
      version: ep.version,
      task: follower.task,
      message: follower.message,
      taskId: follower.taskId,
      state: follower.message !== null && follower.task === null ? 'message' : follower.state,
      events: follower.events,
      reconnects,
    };
  }

  async #taskCall(op: 'get' | 'cancel', taskId: string, o: A2aCallOptions | undefined, tags: TagSet, timeoutCap = Infinity): Promise<A2aTaskResult & { tEnd: number }> {
    if (typeof taskId !== 'string' || taskId === '') throw new TypeError(`ctx.a2a.${op === 'get' ? 'getTask' : 'cancel'}(): a task id is needed, got ${JSON.stringify(taskId)}`);
    const ep = await this.#endpoint(o);
    if ('ok' in ep) return { ok: false, status: ep.status, errorCode: ep.errorCode, error: ep.error, durationMs: 0, task: null, state: null, polls: 0, tEnd: performance.now() };
    const r = await rpcCall(this.#target(ep.rpcUrl, ep.version, o, timeoutCap), methodOf(ep.version, op), { id: taskId });
    this.#recordCall(op, tags, r);
    const base = { status: r.status, durationMs: r.tEnd - r.t0, polls: 0, tEnd: r.tEnd };
    if (!r.ok) return { ...base, ok: false, errorCode: r.errorCode, error: r.error, task: null, state: null };
    const task = decodeTaskResult(r.result);
    if (task === null) return { ...base, ok: false, errorCode: 'INVALID_RESPONSE', error: 'the result is not a task', task: null, state: null };
    this.#lifecycles.get(taskId)?.observe(task.state, r.tEnd);
    return { ...base, ok: true, errorCode: null, error: null, task, state: task.state };
  }

  /** Get a task (v1.0 GetTask, v0.3 tasks/get). */
  async getTask(taskId: string, o?: A2aCallOptions): Promise<A2aTaskResult> {
    const { tEnd: _, ...r } = await this.#taskCall('get', taskId, o, this.#tags(o));
    return r;
  }

  /** Cancel a task (v1.0 CancelTask, v0.3 tasks/cancel). */
  async cancel(taskId: string, o?: A2aCallOptions): Promise<A2aTaskResult> {
    const { tEnd: _, ...r } = await this.#taskCall('cancel', taskId, o, this.#tags(o));
    return r;
  }

  /**
   * Poll a task until it reaches a terminal or interrupted state, or `timeout`
   * passes (then its lifecycle ends as `timeout`, errorCode WAIT_TIMEOUT).
   */
  async wait(task: string | { readonly taskId: string | null }, o: A2aWaitOptions = {}): Promise<A2aTaskResult> {
    const taskId = typeof task === 'string' ? task : task?.taskId;
    if (typeof taskId !== 'string' || taskId === '') throw new TypeError('ctx.a2a.wait(): pass a task id or the result of send() that carries one');
    const interval = o.interval === undefined ? this.plan.pollIntervalMs : parseDuration(o.interval, 'ctx.a2a.wait(): interval');
    const limit = o.timeout === undefined ? this.plan.pollTimeoutMs : parseDuration(o.timeout, 'ctx.a2a.wait(): timeout');
    const tags = this.#tags(o);
    const t0 = performance.now();
    const deadline = t0 + limit;
    let polls = 0;
    let last: A2aTaskResult | null = null;
    while (true) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      const r = await this.#taskCall('get', taskId, { headers: o.headers }, tags, remaining);
      polls++;
      const { tEnd: _, ...rest } = r;
      // the last poll may be cut short by the deadline: what was seen is the last answer that carried a state
      if (last === null || rest.state !== null) last = rest;
      if (r.ok && r.state !== null && (TERMINAL_STATES.has(r.state) || INTERRUPTED_STATES.has(r.state))) return { ...rest, polls, durationMs: performance.now() - t0 };
      if (!r.ok && (r.errorCode === 'TASK_NOT_FOUND' || r.errorCode === 'INVALID_PARAMS')) {
        this.#lifecycles.get(taskId)?.fail('error', r.tEnd);
        return { ...rest, polls, durationMs: performance.now() - t0 };
      }
      const pause = Math.min(interval, deadline - performance.now());
      if (pause > 0) await interruptibleSleep(this.scope, pause);
    }
    const now = performance.now();
    this.#lifecycles.get(taskId)?.fail('timeout', now);
    return {
      ok: false,
      status: last?.status ?? 0,
      errorCode: 'WAIT_TIMEOUT',
      error: `task ${taskId} did not end within ${limit} ms (last state: ${last?.state ?? 'unknown'})`,
      durationMs: now - t0,
      task: last?.task ?? null,
      state: last?.state ?? null,
      polls,
    };
  }
}
