import type { VirtualUser } from './vu.ts';

/**
 * Call sites of the work a scenario's VUs start, recorded only while `on`: the VUs of one scenario share it.
 * Off (the normal case) it costs a VU one field read per request; on, one captured stack per call.
 */
export interface CallTrace {
  on: boolean;
  /** Work in flight (a request, a sleep) → where the script started it. */
  readonly sites: Map<object, Error>;
}

/** A stack for `sites`, deep enough to reach the script's frame under a protocol client's own frames. */
export function captureCallSite(): Error {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 50;
  const e = new Error('call site');
  Error.stackTraceLimit = limit;
  return e;
}

/** Iterations of a scenario that ended without yielding once, none of its iterations having yielded, before the warning. */
const NEVER_YIELDED = 1000;

/**
 * Notices a forgotten `await` in one scenario and warns once, with the script line of the call:
 *
 * - an iteration that ends while a request it started (ctx.http, ctx.llm, …) or a ctx.sleep is still pending.
 *   The first time, nothing is known of where: call-site tracing is switched on for the scenario's VUs, and the
 *   next iteration caught the same way names the line. Tracing stops with the warning, so a correct script (never
 *   caught) and a warned one alike run untraced;
 * - iterations that never yield: none of the scenario's iterations so far waited for anything (un-awaited calls
 *   agentload does not track, or no I/O at all), so VUs loop as fast as the CPU allows.
 */
export class AwaitWatch {
  readonly trace: CallTrace = { on: false, sites: new Map() };
  #state: 'watching' | 'tracing' | 'warned' = 'watching';
  #firstKind: PendingKind = 'request';
  #noYield = 0;
  #yielded = false;

  constructor(
    readonly scenario: string,
    /** file:line:column of the script frame in a stack, or null when none is in the script. */
    private readonly locate: (site: Error) => string | null,
    private readonly warn: (message: string) => void,
  ) {}

  /** Whether afterIteration() still needs to know if iterations yielded (no iteration of the scenario has yet). */
  get countsTurns(): boolean {
    return !this.#yielded && this.#state === 'watching';
  }

  /** After each counted iteration; `yielded` is false when it ended in the event-loop turn it started in. */
  afterIteration(vu: VirtualUser, yielded: boolean): void {
    if (this.#state === 'warned') return;
    const pending = vu.leftPending();
    if (pending !== null) {
      if (this.#state === 'watching') {
        this.#state = 'tracing';
        this.#firstKind = pending;
        this.trace.on = true;
        return;
      }
      const site = vu.pendingCallSite(this.trace);
      if (site === null) return;
      const at = this.locate(site.at);
      if (at !== null) this.#warnPending(site.kind, at);
      return;
    }
    if (yielded) this.#yielded = true;
    else if (!this.#yielded && ++this.#noYield === NEVER_YIELDED && this.#state === 'watching') {
      this.#state = 'warned';
      this.warn(
        `scenario "${this.scenario}": its iterations never wait for anything (${NEVER_YIELDED} in a row finished without awaiting I/O or a sleep), so its VUs loop as fast as the CPU allows: a forgotten \`await\`? Await every async call (ctx.http, ctx.sleep, ctx.sql, ctx.redis, …)`,
      );
    }
  }

  /** The scenario is over: an un-awaited call caught once but never located still gets its warning. */
  end(): void {
    if (this.#state === 'tracing') this.#warnPending(this.#firstKind, null);
  }

  #warnPending(kind: PendingKind, at: string | null): void {
    this.#state = 'warned';
    this.trace.on = false;
    this.trace.sites.clear();
    const what = kind === 'sleep' ? 'a ctx.sleep() it started was still pending' : 'a request it started was still in flight';
    this.warn(
      `scenario "${this.scenario}": an iteration ended while ${what}${at === null ? '' : ` (called at ${at})`}: a forgotten \`await\`? Un-awaited calls let iterations run back to back and hammer the target; await ${kind === 'sleep' ? 'ctx.sleep()' : 'every request'}`,
    );
  }
}

/** What an iteration left running: a request-like call, or a sleep. */
export type PendingKind = 'request' | 'sleep';
