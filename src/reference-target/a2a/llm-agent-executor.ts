// The agent's work: every task is one mock LLM completion. The answer is
// streamed as chunks of one artifact ("answer"); cancelling a task aborts the
// completion, which frees its LLM slot at once.
//
// Events of a task: Task (SUBMITTED) → status WORKING → artifact chunks
// (the first token alone, then groups of up to CHUNK_MAX_TOKENS tokens or
// CHUNK_MAX_DELAY_MS; append after the first, lastChunk on the last; the last
// chunk is empty only for a one-token answer) → status COMPLETED with
// usage in the metadata; or status FAILED (LLM error, bad metadata) or
// CANCELED.
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { Role, TaskState } from '@a2a-js/sdk';
import type { Message, Part, Task } from '@a2a-js/sdk';
import { AgentEvent } from '@a2a-js/sdk/server';
import type { AgentExecutor, ExecutionEventBus, RequestContext } from '@a2a-js/sdk/server';
import { MockLlmError } from '../llm/mock-llm.ts';
import type { LlmMessage, LlmRequest, MockLlm } from '../llm/mock-llm.ts';

/** An artifact chunk is sent after this many tokens, or sooner once this much time passed since the last. */
export const CHUNK_MAX_TOKENS = 8;
export const CHUNK_MAX_DELAY_MS = 100;
export const ANSWER_ARTIFACT_ID = 'answer';

interface Running { controller: AbortController; done: Promise<void> }

export class LlmAgentExecutor implements AgentExecutor {
  private readonly llm: MockLlm;
  private readonly running = new Map<string, Running>();

  constructor(llm: MockLlm) {
    this.llm = llm;
  }

  /** Tasks being generated now. */
  get activeTasks(): number {
    return this.running.size;
  }

  execute = async (ctx: RequestContext, bus: ExecutionEventBus): Promise<void> => {
    const { taskId, contextId } = ctx;
    const controller = new AbortController();
    let markDone = (): void => undefined;
    const done = new Promise<void>((resolve) => { markDone = resolve; });
    this.running.set(taskId, { controller, done });
    try {
      const task: Task = ctx.task
        ? { ...ctx.task, status: status(TaskState.TASK_STATE_SUBMITTED) }
        : { id: taskId, contextId, status: status(TaskState.TASK_STATE_SUBMITTED), artifacts: [], history: [ctx.userMessage], metadata: {} };
      bus.publish(AgentEvent.task(task));
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_WORKING), metadata: undefined }));
      let request: LlmRequest;
      try {
        request = llmRequest(ctx);
      } catch (error) {
        this.fail(bus, taskId, contextId, error instanceof Error ? error.message : String(error));
        return;
      }
      await this.generate(request, controller.signal, bus, taskId, contextId);
    } finally {
      this.running.delete(taskId);
      markDone();
    }
  };

  cancelTask = async (taskId: string, _bus: ExecutionEventBus): Promise<void> => {
    const run = this.running.get(taskId);
    if (!run) return; // already settled: the request handler then reports the task as not cancelable
    run.controller.abort(); // execute() publishes CANCELED once the completion has stopped
    await run.done;
  };

  private async generate(request: LlmRequest, signal: AbortSignal, bus: ExecutionEventBus, taskId: string, contextId: string): Promise<void> {
    let buffer = '';
    let buffered = 0;
    let chunks = 0;
    let lastFlush = performance.now();
    const flush = (lastChunk: boolean): void => {
      bus.publish(AgentEvent.artifactUpdate({
        taskId, contextId, append: chunks > 0, lastChunk, metadata: undefined,
        artifact: { artifactId: ANSWER_ARTIFACT_ID, name: 'answer', description: '', parts: [textPart(buffer)], metadata: undefined, extensions: [] },
      }));
      chunks++;
      buffer = '';
      buffered = 0;
      lastFlush = performance.now();
    };
    try {
      for await (const event of this.llm.stream(request, signal)) {
        if (event.type === 'token') {
          // The first token goes out at once (time to first artifact ≈ time to first token); later ones are
          // grouped, and a full group is sent when the next token arrives, so the last chunk is never empty.
          if (buffered > 0 && (buffered >= CHUNK_MAX_TOKENS || performance.now() - lastFlush >= CHUNK_MAX_DELAY_MS)) flush(false);
          buffer += event.text;
          buffered++;
          if (chunks === 0) flush(false);
        } else {
          flush(true);
          bus.publish(AgentEvent.statusUpdate({
            taskId, contextId, status: status(TaskState.TASK_STATE_COMPLETED),
            metadata: {
              model: request.model ?? this.llm.options.models[0], finishReason: event.finishReason,
              inputTokens: event.inputTokens, outputTokens: event.outputTokens,
            },
          }));
        }
      }
    } catch (error) {
      if (signal.aborted) {
        bus.publish(AgentEvent.statusUpdate({
          taskId, contextId, status: status(TaskState.TASK_STATE_CANCELED, agentMessage(taskId, contextId, 'Task canceled; generation stopped.')),
          metadata: undefined,
        }));
      } else if (error instanceof MockLlmError) {
        this.fail(bus, taskId, contextId, `LLM error ${error.status} ${error.code}: ${error.message}`, { llmStatus: error.status, llmCode: error.code });
      } else {
        this.fail(bus, taskId, contextId, `Agent error: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  private fail(bus: ExecutionEventBus, taskId: string, contextId: string, text: string, metadata?: Record<string, unknown>): void {
    bus.publish(AgentEvent.statusUpdate({
      taskId, contextId, status: status(TaskState.TASK_STATE_FAILED, agentMessage(taskId, contextId, text)), metadata,
    }));
  }
}

function status(state: TaskState, message?: Message): Task['status'] & object {
  return { state, message, timestamp: new Date().toISOString() };
}

function textPart(text: string): Part {
  return { content: { $case: 'text', value: text }, mediaType: 'text/plain', filename: '', metadata: undefined };
}

function agentMessage(taskId: string, contextId: string, text: string): Message {
  return {
    messageId: randomUUID(), contextId, taskId, role: Role.ROLE_AGENT, parts: [textPart(text)],
    metadata: undefined, extensions: [], referenceTaskIds: [],
  };
}

function partText(part: Part): string {
  const c = part.content;
  if (!c) return '';
  switch (c.$case) {
    case 'text': return c.value;
    case 'data': return JSON.stringify(c.value);
    case 'url': return `[file ${c.value}]`;
    case 'raw': return `[file ${part.filename || part.mediaType || 'bytes'}: ${c.value.length} bytes]`;
    default: return '';
  }
}

function toLlmMessage(message: Message): LlmMessage {
  return { role: message.role === Role.ROLE_AGENT ? 'assistant' : 'user', content: message.parts.map(partText).join('\n') };
}

/** The completion asked for: earlier turns of the task, then the new message; `model` and `maxTokens` from its metadata. */
function llmRequest(ctx: RequestContext): LlmRequest {
  const user = ctx.userMessage;
  const history = (ctx.task?.history ?? []).filter((m) => m.messageId !== user.messageId);
  const request: LlmRequest = { messages: [...history.map(toLlmMessage), toLlmMessage(user)] };
  const meta = (user.metadata ?? {}) as Record<string, unknown>;
  if (meta.model !== undefined) {
    if (typeof meta.model !== 'string' || meta.model === '') throw new Error(`message metadata "model" must be a non-empty string (got ${JSON.stringify(meta.model)})`);
    request.model = meta.model;
  }
  if (meta.maxTokens !== undefined) {
    if (typeof meta.maxTokens !== 'number' || !Number.isInteger(meta.maxTokens) || meta.maxTokens < 1) {
      throw new Error(`message metadata "maxTokens" must be an integer >= 1 (got ${JSON.stringify(meta.maxTokens)})`);
    }
    request.maxTokens = meta.maxTokens;
  }
  return request;
}
