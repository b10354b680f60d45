import { performance } from 'node:perf_hooks';
import type { TaskLifecycle } from './lifecycle.ts';
import type { A2aArtifact, A2aEvent, A2aMessage, A2aTask, A2aTaskState } from './types.ts';
import { decodeEvent } from './wire.ts';

/**
 * Follows one task through streamed events (first stream and any
 * re-attachments): keeps the task as the events describe it, feeds its
 * lifecycle, collects events and says when the stream is over — a
 * terminal or interrupted state, a direct message reply, or v0.3's
 * `final: true`.
 */
export class StreamFollower {
  readonly events: A2aEvent[] = [];
  task: A2aTask | null = null;
  message: A2aMessage | null = null;
  state: A2aTaskState | null = null;
  over = false;
  /** An exception thrown by the script's onEvent: the stream stops and the call rethrows it. */
  userError: unknown = null;

  constructor(
    private readonly life: TaskLifecycle,
    /** `performance.now()` when the call started: events' `at` count from it. */
    readonly t0: number = performance.now(),
    private readonly onEvent?: (e: A2aEvent) => void,
  ) {}

  get taskId(): string | null {
    return this.task?.id ?? this.life.taskId;
  }

  /** One JSON-RPC `result` of the stream, arrived at `at`; true when the stream is over. */
  take(result: unknown, at: number): boolean {
    const ev = decodeEvent(result, at - this.t0);
    if (ev === null) return this.over;
    this.events.push(ev);
    this.#apply(ev, at);
    if (this.onEvent !== undefined) {
      try {
        this.onEvent(ev);
      } catch (e) {
        this.userError = e;
        return true;
      }
    }
    return this.over;
  }

  #apply(ev: A2aEvent, at: number): void {
    switch (ev.kind) {
      case 'task':
        this.task = ev.task;
        this.life.taskId = ev.task.id;
        this.#state(ev.task.state, at);
        return;
      case 'status': {
        const prev = this.task;
        this.task = {
          id: prev?.id ?? ev.taskId,
          contextId: prev?.contextId ?? ev.contextId,
          state: ev.state,
          statusMessage: ev.message ?? prev?.statusMessage ?? null,
          artifacts: prev?.artifacts ?? [],
          history: prev?.history ?? [],
        };
        if (this.life.taskId === null && ev.taskId !== '') this.life.taskId = ev.taskId;
        this.#state(ev.state, at);
        if (ev.final) this.over = true;
        return;
      }
      case 'artifact': {
        if (this.task === null) return;
        const list = [...this.task.artifacts];
        const i = list.findIndex((a) => a.artifactId === ev.artifact.artifactId);
        if (i >= 0 && ev.append) {
          const a = list[i] as A2aArtifact;
          list[i] = { ...a, parts: [...a.parts, ...ev.artifact.parts], text: a.text + ev.artifact.text };
        } else if (i >= 0) {
          list[i] = ev.artifact;
        } else {
          list.push(ev.artifact);
        }
        this.task = { ...this.task, artifacts: list };
        return;
      }
      case 'message':
        if (this.task === null) {
          this.message = ev.message;
          this.life.message(at);
          this.over = true;
        }
        return;
    }
  }

  #state(state: A2aTaskState, at: number): void {
    this.state = state;
    if (this.life.observe(state, at)) this.over = true;
  }
}
