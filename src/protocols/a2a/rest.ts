import { performance } from 'node:perf_hooks';
import type { TagSet } from '../../metrics/tags.ts';
import { parseDuration, type DurationInput } from '../../util/duration.ts';
import type { HttpClient, HttpParams } from '../http/client.ts';
import type { HttpResponse } from '../http/response.ts';
import type { VuScope } from '../vu-scope.ts';
import { LifecycleTable, TaskLifecycle } from './lifecycle.ts';
import type { A2aPlan } from './options.ts';
import { interruptibleSleep } from './sleep.ts';
import type { A2aTaskState } from './types.ts';
import { INTERRUPTED_STATES, normalizeState, TERMINAL_STATES } from './wire.ts';

export interface A2aRestCallOptions {
  /** The `name` tag of the task lifecycle metrics. */
  name?: string;
  /** Tags for the lifecycle metrics and the HTTP requests. */
  tags?: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
  /** Timeout of each HTTP request (default: the test's HTTP timeout). */
  timeout?: DurationInput;
}

export interface A2aRestPollOptions extends Omit<A2aRestCallOptions, 'timeout'> {
  /** Time between polls (default `a2a.pollInterval`, 250ms). */
  interval?: DurationInput;
  /** Give up after this long (default `a2a.pollTimeout`, 30s): the task counts as state `timeout`. Each GET gets what is left. */
  timeout?: DurationInput;
}

/** A REST call's outcome; failures are results (`ok: false`), never exceptions. */
export interface A2aRestResult {
  readonly ok: boolean;
  readonly status: number;
  /** HTTP_404, ECONNREFUSED, INVALID_RESPONSE, WAIT_TIMEOUT…; null when ok. */
  readonly errorCode: string | null;
  readonly error: string | null;
  /** The task id (`id`, `taskId`, `task_id` or `task.id` of the body). */
  readonly id: string | null;
  /** The task state (`status.state`, `state`, or `status` as a string), normalized. */
  readonly state: A2aTaskState | null;
  /** The response body as JSON (null if it was not JSON). */
  readonly body: unknown;
  readonly durationMs: number;
  /** GETs made by poll(). */
  readonly polls: number;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function idOf(body: unknown): string | null {
  if (!isObject(body)) return null;
  for (const v of [body.id, body.taskId, body.task_id, isObject(body.task) ? body.task.id : undefined]) {
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number') return String(v);
  }
  return null;
}

function stateOf(body: unknown): A2aTaskState | null {
  if (!isObject(body)) return null;
  const task = isObject(body.task) ? body.task : body;
  const raw = isObject(task.status) ? task.status.state : (task.state ?? task.status);
  return raw === undefined || raw === null ? null : normalizeState(raw);
}

function jsonOf(res: HttpResponse): unknown {
  try {
    return res.json();
  } catch {
    return null;
  }
}

/**
 * `ctx.a2a.rest`: a REST task API shaped like seed 000's `/api/a2a/tasks`:
 * POST to submit (the body names the task id), GET to poll, POST (or
 * DELETE) to cancel. Requests go through `ctx.http` (so they appear in
 * http_req_* as a2a_submit, a2a_get, a2a_cancel) and the task lifecycle is
 * recorded with the same a2a_* metrics as the JSON-RPC client.
 */
export class A2aRestClient {
  readonly #lifecycles = new LifecycleTable();

  constructor(
    private readonly scope: VuScope,
    private readonly http: HttpClient,
    private readonly plan: A2aPlan,
    private readonly agentUrl: () => string,
    private readonly token: () => string | undefined,
  ) {}

  #url(path: string, id?: string): string {
    const p = id === undefined ? path : path.replaceAll('{id}', encodeURIComponent(id));
    if (/^https?:\/\//.test(p)) return p;
    const base = this.plan.rest.baseUrl !== '' ? this.plan.rest.baseUrl : this.agentUrl();
    if (base === '') throw new TypeError('ctx.a2a.rest: no base URL: set a2a.rest.baseUrl or a2a.url in defineTest, A2A_URL, or http.baseUrl');
    return `${base}${p}`;
  }

  #tags(o: A2aRestCallOptions | undefined): TagSet {
    let t = this.scope.tags;
    const name = o?.name ?? o?.tags?.name;
    if (name !== undefined) t = t.with('name', name);
    if (o?.tags !== undefined) for (const k in o.tags) if (k !== 'name') t = t.with(k, o.tags[k] as string);
    return t;
  }

  #params(name: string, o: A2aRestCallOptions | undefined, timeoutCap?: number): HttpParams {
    const headers: Record<string, string> = { accept: 'application/json', ...(o?.headers ?? {}) };
    const token = this.token();
    if (token !== undefined && headers.authorization === undefined) headers.authorization = `Bearer ${token}`;
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(o?.tags ?? {})) if (k !== 'name') tags[k] = v;
    let timeout = o?.timeout === undefined ? undefined : parseDuration(o.timeout, 'ctx.a2a.rest: timeout');
    if (timeoutCap !== undefined) timeout = Math.max(1, Math.min(timeout ?? timeoutCap, timeoutCap));
    return { name, headers, tags, ...(timeout === undefined ? {} : { timeout }) };
  }

  #result(res: HttpResponse, t0: number, polls = 0): A2aRestResult {
    const body = jsonOf(res);
    const ok = res.status >= 200 && res.status < 300;
    const errorCode = ok ? null : res.error_code !== '' ? res.error_code : `HTTP_${res.status}`;
    return {
      ok,
      status: res.status,
      errorCode,
      error: ok ? null : res.error !== '' ? res.error : `HTTP ${res.status}`,
      id: idOf(body),
      state: stateOf(body),
      body,
      durationMs: performance.now() - t0,
      polls,
    };
  }

  /** Submit a task: POST `tasksPath` with `body` (JSON). Its lifecycle starts now. */
  async submit(body: Readonly<Record<string, unknown>> | string, o?: A2aRestCallOptions): Promise<A2aRestResult> {
    const tags = this.#tags(o);
    const t0 = performance.now();
    const res = await this.http.post(this.#url(this.plan.rest.tasksPath), body as Record<string, unknown>, this.#params('a2a_submit', o));
    const tEnd = performance.now();
    const r = this.#result(res, t0);
    const life = new TaskLifecycle(this.scope.store, tags, t0);
    if (!r.ok) {
      life.fail('error', tEnd);
      return r;
    }
    if (r.id === null) {
      life.fail('error', tEnd);
      return { ...r, ok: false, errorCode: 'INVALID_RESPONSE', error: 'the submit response names no task id (id, taskId, task_id or task.id)' };
    }
    life.taskId = r.id;
    life.observe(r.state ?? 'submitted', tEnd);
    this.#lifecycles.remember(life);
    return r;
  }

  /** GET `taskPath`. */
  async get(id: string, o?: A2aRestCallOptions): Promise<A2aRestResult> {
    return this.#get(id, o);
  }

  async #get(id: string, o: A2aRestCallOptions | undefined, timeoutCap?: number): Promise<A2aRestResult> {
    if (typeof id !== 'string' || id === '') throw new TypeError(`ctx.a2a.rest.get(): a task id is needed, got ${JSON.stringify(id)}`);
    const t0 = performance.now();
    const res = await this.http.get(this.#url(this.plan.rest.taskPath, id), this.#params('a2a_get', o, timeoutCap));
    const r = this.#result(res, t0);
    if (r.ok && r.state !== null) this.#lifecycles.get(id)?.observe(r.state, performance.now());
    return r;
  }

  /** Cancel: `cancelMethod` on `cancelPath`. A canceled state in the answer ends the lifecycle. */
  async cancel(id: string, o?: A2aRestCallOptions): Promise<A2aRestResult> {
    if (typeof id !== 'string' || id === '') throw new TypeError(`ctx.a2a.rest.cancel(): a task id is needed, got ${JSON.stringify(id)}`);
    const t0 = performance.now();
    const url = this.#url(this.plan.rest.cancelPath, id);
    const params = this.#params('a2a_cancel', o);
    const res = this.plan.rest.cancelMethod === 'DELETE' ? await this.http.del(url, null, params) : await this.http.post(url, null, params);
    const r = this.#result(res, t0);
    if (r.ok && r.state !== null) this.#lifecycles.get(id)?.observe(r.state, performance.now());
    return r;
  }

  /** GET the task until its state is terminal or interrupted, or `timeout` passes (lifecycle state `timeout`, errorCode WAIT_TIMEOUT). */
  async poll(task: string | { readonly id: string | null }, o: A2aRestPollOptions = {}): Promise<A2aRestResult> {
    const id = typeof task === 'string' ? task : task?.id;
    if (typeof id !== 'string' || id === '') throw new TypeError('ctx.a2a.rest.poll(): pass a task id or the result of submit() that carries one');
    const interval = o.interval === undefined ? this.plan.pollIntervalMs : parseDuration(o.interval, 'ctx.a2a.rest.poll(): interval');
    const limit = o.timeout === undefined ? this.plan.pollTimeoutMs : parseDuration(o.timeout, 'ctx.a2a.rest.poll(): timeout');
    const t0 = performance.now();
    const deadline = t0 + limit;
    let polls = 0;
    let last: A2aRestResult | null = null;
    while (true) {
      const remaining = deadline - performance.now();
      if (remaining <= 0) break;
      const r = await this.#get(id, { name: o.name, tags: o.tags, headers: o.headers }, remaining);
      polls++;
      // the last poll may be cut short by the deadline: what was seen is the last answer that carried a state
      if (last === null || r.state !== null) last = r;
      if (r.ok && r.state !== null && (TERMINAL_STATES.has(r.state) || INTERRUPTED_STATES.has(r.state))) return { ...r, polls, durationMs: performance.now() - t0 };
      if (r.status === 404 || r.status === 410) {
        this.#lifecycles.get(id)?.fail('error', performance.now());
        return { ...r, polls, durationMs: performance.now() - t0 };
      }
      const pause = Math.min(interval, deadline - performance.now());
      if (pause > 0) await interruptibleSleep(this.scope, pause);
    }
    const now = performance.now();
    this.#lifecycles.get(id)?.fail('timeout', now);
    return {
      ok: false,
      status: last?.status ?? 0,
      errorCode: 'WAIT_TIMEOUT',
      error: `task ${id} did not end within ${limit} ms (last state: ${last?.state ?? 'unknown'})`,
      id,
      state: last?.state ?? null,
      body: last?.body ?? null,
      durationMs: now - t0,
      polls,
    };
  }

  /** submit() then poll() until the task ends. */
  async run(body: Readonly<Record<string, unknown>> | string, o: A2aRestPollOptions = {}): Promise<A2aRestResult> {
    const s = await this.submit(body, { name: o.name, tags: o.tags, headers: o.headers });
    if (!s.ok || s.id === null) return s;
    if (s.state !== null && (TERMINAL_STATES.has(s.state) || INTERRUPTED_STATES.has(s.state))) return s;
    return this.poll(s.id, o);
  }
}
