import type { DurationInput } from '../../util/duration.ts';
import type { A2aVersion } from './options.ts';

/** Task states, named as in v0.3 (v1.0's TASK_STATE_* map onto them). */
export type A2aTaskState = 'submitted' | 'working' | 'input-required' | 'auth-required' | 'completed' | 'failed' | 'canceled' | 'rejected' | 'unknown';

/** A message or artifact part, the same for both protocol versions. */
export type A2aPart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'data'; readonly data: unknown }
  | { readonly kind: 'file'; readonly url?: string; readonly bytes?: string; readonly mediaType?: string; readonly name?: string };

export interface A2aMessage {
  readonly messageId: string;
  readonly role: 'user' | 'agent';
  readonly parts: readonly A2aPart[];
  readonly contextId?: string;
  readonly taskId?: string;
  /** The text parts joined. */
  readonly text: string;
}

export interface A2aArtifact {
  readonly artifactId: string;
  readonly name?: string;
  readonly parts: readonly A2aPart[];
  /** The text parts joined. */
  readonly text: string;
}

export interface A2aTask {
  readonly id: string;
  readonly contextId: string;
  readonly state: A2aTaskState;
  /** The message of the current status, if any. */
  readonly statusMessage: A2aMessage | null;
  readonly artifacts: readonly A2aArtifact[];
  readonly history: readonly A2aMessage[];
}

/** A streamed event; `at` is milliseconds since the call started. */
export type A2aEvent =
  | { readonly kind: 'task'; readonly at: number; readonly task: A2aTask }
  | { readonly kind: 'message'; readonly at: number; readonly message: A2aMessage }
  | {
      readonly kind: 'status';
      readonly at: number;
      readonly taskId: string;
      readonly contextId: string;
      readonly state: A2aTaskState;
      readonly message: A2aMessage | null;
      /** v0.3's `final` flag (v1.0 ends the stream instead). */
      readonly final: boolean;
    }
  | { readonly kind: 'artifact'; readonly at: number; readonly taskId: string; readonly artifact: A2aArtifact; readonly append: boolean; readonly lastChunk: boolean };

/** What to send: text, or parts and ids. */
export interface A2aMessageInput {
  readonly text?: string;
  readonly parts?: readonly A2aPart[];
  readonly messageId?: string;
  readonly contextId?: string;
  /** Continue this task (a follow-up turn). */
  readonly taskId?: string;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** Options every call takes. */
export interface A2aCallOptions {
  /** The `name` tag of this call's metrics. */
  name?: string;
  tags?: Readonly<Record<string, string>>;
  /** No headers, or a silent stream, this long fails the call; for a JSON answer, a deadline for all of it. */
  timeout?: DurationInput;
  headers?: Readonly<Record<string, string>>;
  /**
   * Largest response read, in bytes, a whole stream included (default: http.maxResponseBytes, 10 MiB;
   * 0 = no limit); past it the call fails with RESPONSE_TOO_LARGE.
   */
  maxResponseBytes?: number;
}

export interface A2aSendOptions extends A2aCallOptions {
  /** Wait for the task to finish in the server (default true); false returns at submission (v1.0 `returnImmediately`, v0.3 `blocking: false`). */
  blocking?: boolean;
  acceptedOutputModes?: readonly string[];
  historyLength?: number;
}

export interface A2aStreamOptions extends A2aCallOptions {
  acceptedOutputModes?: readonly string[];
  /** Called with each event as it arrives. */
  onEvent?: (event: A2aEvent) => void;
  /** After a stream cut before the task ended: re-attach (resubscribe) up to this many times (default 0). */
  reconnect?: number;
}

export interface A2aWaitOptions {
  /** Time between polls (default `a2a.pollInterval`, 250ms). */
  interval?: DurationInput;
  /** Give up after this long from the call (default `a2a.pollTimeout`, 30s): the task counts as state `timeout`. */
  timeout?: DurationInput;
  name?: string;
  tags?: Readonly<Record<string, string>>;
  headers?: Readonly<Record<string, string>>;
}

/** Outcome of a call; failures are results (`ok: false` with an `errorCode`), never exceptions. */
export interface A2aOutcome {
  readonly ok: boolean;
  /** HTTP status of the (last) response, 0 if none. */
  readonly status: number;
  /** The `error_code` tag: HTTP_503, TASK_NOT_FOUND, STREAM_INCOMPLETE, ECONNREFUSED…; null when ok. */
  readonly errorCode: string | null;
  readonly error: string | null;
  /** Milliseconds the call took. */
  readonly durationMs: number;
}

export interface A2aCardResult extends A2aOutcome {
  /** The card as JSON. */
  readonly card: Readonly<Record<string, unknown>> | null;
  /** The version and JSON-RPC URL `ctx.a2a` will use with this agent. */
  readonly version: A2aVersion | null;
  readonly rpcUrl: string | null;
}

export interface A2aSendResult extends A2aOutcome {
  readonly version: A2aVersion | null;
  readonly task: A2aTask | null;
  /** When the agent answered with a message rather than a task. */
  readonly message: A2aMessage | null;
  readonly taskId: string | null;
  /** The task's state, 'message' for a direct reply, null on failure. */
  readonly state: A2aTaskState | 'message' | null;
}

export interface A2aStreamResult extends A2aSendResult {
  readonly events: readonly A2aEvent[];
  /** Re-attachments made after cuts. */
  readonly reconnects: number;
}

export interface A2aTaskResult extends A2aOutcome {
  readonly task: A2aTask | null;
  readonly state: A2aTaskState | null;
  /** Polls made (wait()). */
  readonly polls: number;
}
