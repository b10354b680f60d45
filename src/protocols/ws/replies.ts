import { performance } from 'node:perf_hooks';
import type { TagSet } from '../../metrics/tags.ts';
import { parseDuration, type DurationInput } from '../../util/duration.ts';
import type { VuScope } from '../vu-scope.ts';
import { WS_ERROR_CODES } from './error-codes.ts';
import type { WsData, WsMessage } from './message.ts';
import { wsMetrics as M } from './metrics.ts';

/**
 * Recognises a reply: gets it parsed as JSON (undefined if it is not JSON),
 * the message itself, and the id the request carried (undefined for waitFor()
 * and for text or binary requests).
 */
export type ReplyMatcher<R> = (reply: R | undefined, message: WsMessage, id: unknown) => boolean;

/** The outcome of request(): the reply, or why none came. */
export interface WsReply {
  readonly ok: boolean;
  /** The id the request carried (generated when the message had none; undefined for text or binary requests). */
  readonly id: unknown;
  readonly message: WsMessage | null;
  /** Send → reply (ms); for a failure, the time until it was given up. */
  readonly rtt: number;
  /** '' when ok, else WS_REPLY_TIMEOUT, WS_CLOSED_BEFORE_REPLY or WS_NOT_OPEN. */
  readonly errorCode: string;
  readonly error: string;
}

interface ReplySettings {
  readonly name: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly requestTimeoutMs: number;
  /** Ids for object messages that have none: unique per VU, across its sessions. */
  readonly nextId: () => string;
}

interface RequestOptionsLike {
  match?: ReplyMatcher<unknown>;
  timeout?: DurationInput;
  name?: string;
  tags?: Readonly<Record<string, string>>;
}

interface Pending {
  readonly id: unknown;
  readonly match: ReplyMatcher<unknown>;
  readonly t0: number;
  readonly tags: TagSet;
  timer: NodeJS.Timeout | null;
  readonly resolve: (r: WsReply) => void;
  readonly reject: (e: Error) => void;
}

interface Waiter {
  readonly match: ReplyMatcher<unknown>;
  readonly timer: NodeJS.Timeout;
  readonly resolve: (m: WsMessage | null) => void;
  readonly reject: (e: Error) => void;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof Uint8Array) && !(x instanceof ArrayBuffer);
}

function safeMatch(match: ReplyMatcher<unknown>, reply: unknown, msg: WsMessage, id: unknown): boolean {
  try {
    return match(reply, msg, id) === true;
  } catch {
    return false;
  }
}

const now = (): number => performance.now();

/** A session's requests waiting for replies, and its waitFor() calls. */
export class PendingReplies {
  #pending: Pending[] = [];
  #waiters: Waiter[] = [];

  constructor(
    private readonly scope: VuScope,
    private readonly settings: ReplySettings,
    private readonly write: (data: WsData) => boolean,
  ) {}

  request(data: WsData, options: RequestOptionsLike | undefined, open: boolean): Promise<WsReply> {
    let tags = this.scope.tags.with('name', options?.name ?? this.settings.name);
    for (const k in this.settings.tags) tags = tags.with(k, this.settings.tags[k] as string);
    if (options?.tags !== undefined) for (const k in options.tags) tags = tags.with(k, options.tags[k] as string);
    const ms = options?.timeout === undefined ? this.settings.requestTimeoutMs : parseDuration(options.timeout, 'request() timeout');
    let payload = data;
    let id: unknown;
    if (isRecord(data)) {
      if (data.id === undefined || data.id === null) {
        id = this.settings.nextId();
        payload = { ...data, id };
      } else {
        id = data.id;
      }
    }
    let match = options?.match;
    if (match === undefined) {
      if (id === undefined) throw new TypeError('request(): only object messages get an id; give a text or binary message a `match` function that recognises its reply');
      match = (r) => isRecord(r) && (r.id === id || r.ack === id || r.reply_to === id);
    }
    const m = match;
    return new Promise<WsReply>((resolve, reject) => {
      const p: Pending = { id, match: m, t0: now(), tags, timer: null, resolve, reject };
      if (!open) {
        this.#fail(p, 'WS_NOT_OPEN', true);
        return;
      }
      this.#pending.push(p);
      if (!this.write(payload)) {
        this.#remove(p);
        this.#fail(p, 'WS_NOT_OPEN', false); // write() counted the error
        return;
      }
      p.timer = setTimeout(() => {
        this.#remove(p);
        this.#fail(p, 'WS_REPLY_TIMEOUT', true);
      }, ms);
    });
  }

  waitFor(match: ReplyMatcher<unknown>, ms: number): Promise<WsMessage | null> {
    if (typeof match !== 'function') throw new TypeError('waitFor(): the first argument must be a function that recognises the message');
    return new Promise((resolve, reject) => {
      const w: Waiter = {
        match,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.#waiters = this.#waiters.filter((x) => x !== w);
          resolve(null);
        }, ms),
      };
      this.#waiters.push(w);
    });
  }

  /** A message arrived: it answers the first pending request that matches, and every waiter that matches. */
  deliver(msg: WsMessage): void {
    if (this.#pending.length === 0 && this.#waiters.length === 0) return;
    const reply = msg.json();
    for (let i = 0; i < this.#pending.length; i++) {
      const p = this.#pending[i] as Pending;
      if (!safeMatch(p.match, reply, msg, p.id)) continue;
      this.#pending.splice(i, 1);
      if (p.timer !== null) clearTimeout(p.timer);
      const rtt = now() - p.t0;
      this.scope.store.add(M.ws_msg_rtt, p.tags, rtt);
      this.scope.store.add(M.ws_msg_failed, p.tags, 0);
      p.resolve({ ok: true, id: p.id, message: msg, rtt, errorCode: '', error: '' });
      break;
    }
    if (this.#waiters.length === 0) return;
    const left: Waiter[] = [];
    for (const w of this.#waiters) {
      if (safeMatch(w.match, reply, msg, undefined)) {
        clearTimeout(w.timer);
        w.resolve(msg);
      } else {
        left.push(w);
      }
    }
    this.#waiters = left;
  }

  /** The connection is gone: every pending request fails with `code`, waiters get null. */
  failAll(code: 'WS_CLOSED_BEFORE_REPLY'): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) {
      if (p.timer !== null) clearTimeout(p.timer);
      this.#fail(p, code, true);
    }
  }

  /** The session ended (or the VU was interrupted): waiters get null, or the interrupt. */
  endWaiters(err: Error | null): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) {
      clearTimeout(w.timer);
      if (err === null) w.resolve(null);
      else w.reject(err);
    }
  }

  /** VU interrupt: nothing is recorded, everything pending rejects with the interrupt. */
  rejectAll(err: Error): void {
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) {
      if (p.timer !== null) clearTimeout(p.timer);
      p.reject(err);
    }
    this.endWaiters(err);
  }

  #remove(p: Pending): void {
    const i = this.#pending.indexOf(p);
    if (i >= 0) this.#pending.splice(i, 1);
  }

  #fail(p: Pending, code: keyof typeof WS_ERROR_CODES, countError: boolean): void {
    const t = p.tags.with('error_code', code);
    this.scope.store.add(M.ws_msg_failed, t, 1);
    if (countError) this.scope.store.add(M.ws_errors, t, 1);
    p.resolve({ ok: false, id: p.id, message: null, rtt: now() - p.t0, errorCode: code, error: WS_ERROR_CODES[code] });
  }
}
