import type { LlmRequest, MockLlm } from '../llm/mock-llm.ts';
import type { DagNode, NodeState } from '../store/dags-repo.ts';
import { describeError } from './background.ts';

export interface DagOutcome {
  status: 'completed' | 'failed' | 'cancelled';
  nodes: Record<string, NodeState>;
  /** The first failure, or null. */
  error: string | null;
  /** The first failure's HTTP-like status (429, 500…), or null. */
  errorStatus: number | null;
}

export interface DagRunOptions {
  llm: MockLlm;
  signal: AbortSignal;
  /** Parameters every step sees. */
  input?: unknown;
  /** Called after every state change, with the live states (copy what you keep). */
  onChange?: (nodes: Readonly<Record<string, NodeState>>) => void;
}

const CONTEXT_CHARS = 200;

function promptOf(node: DagNode, input: unknown, states: Readonly<Record<string, NodeState>>): LlmRequest {
  const parts = [node.prompt ?? `Carry out step "${node.id}".`];
  if (input !== undefined && input !== null) parts.push(`Input: ${typeof input === 'string' ? input : JSON.stringify(input)}`);
  for (const d of node.dependsOn) parts.push(`Result of ${d}: ${(states[d]?.output ?? '').slice(0, CONTEXT_CHARS)}`);
  return {
    messages: [
      { role: 'system', content: `You are ${node.agent ?? 'an orchestration agent'}. Answer briefly.` },
      { role: 'user', content: parts.join('\n') },
    ],
    maxTokens: node.maxTokens ?? undefined,
  };
}

/**
 * Run the LLM steps of a DAG (already validated and topologically ordered):
 * a node starts once every node it depends on has completed, independent
 * nodes run at the same time, and a failure skips everything downstream of
 * it. `startSeq`/`endSeq` number the starts and ends of the run in order.
 */
export function runDag(ordered: readonly DagNode[], options: DagRunOptions): Promise<DagOutcome> {
  const { llm, signal, input, onChange } = options;
  const states: Record<string, NodeState> = {};
  for (const n of ordered) {
    states[n.id] = { status: 'pending', startedAt: null, completedAt: null, startSeq: null, endSeq: null, output: null, usage: null, error: null };
  }
  let seq = 0;
  let running = 0;
  let error: string | null = null;
  let errorStatus: number | null = null;

  return new Promise((resolve) => {
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      const all = Object.values(states);
      const status = signal.aborted ? 'cancelled' : all.every((s) => s.status === 'completed') ? 'completed' : 'failed';
      resolve({ status, nodes: states, error, errorStatus });
    };

    const start = (node: DagNode): void => {
      const s = states[node.id] as NodeState;
      s.status = 'running';
      s.startSeq = ++seq;
      s.startedAt = new Date().toISOString();
      running++;
      llm
        .complete(promptOf(node, input, states), signal)
        .then(
          (r) => {
            s.status = 'completed';
            s.output = r.text;
            s.usage = { inputTokens: r.inputTokens, outputTokens: r.outputTokens };
          },
          (e: unknown) => {
            s.status = signal.aborted ? 'cancelled' : 'failed';
            s.error = describeError(e);
            if (!signal.aborted && error === null) {
              error = `node "${node.id}": ${s.error}`;
              const st = (e as { status?: unknown }).status;
              errorStatus = typeof st === 'number' ? st : 500;
            }
          },
        )
        .finally(() => {
          s.endSeq = ++seq;
          s.completedAt = new Date().toISOString();
          running--;
          pump();
        });
    };

    const pump = (): void => {
      for (const n of ordered) {
        const s = states[n.id] as NodeState;
        if (s.status !== 'pending') continue;
        if (signal.aborted) {
          s.status = 'cancelled';
          continue;
        }
        const deps = n.dependsOn.map((d) => (states[d] as NodeState).status);
        if (deps.some((d) => d === 'failed' || d === 'skipped' || d === 'cancelled')) s.status = 'skipped';
        else if (deps.every((d) => d === 'completed')) start(n);
      }
      onChange?.(states);
      if (running === 0) finish();
    };

    pump();
  });
}
