import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { ApiError, errorBody } from '../http/errors.ts';
import { shortText } from '../http/schemas.ts';
import type { NodeState } from '../store/dags-repo.ts';
import type { RunStatus } from '../store/runs-repo.ts';
import type { TargetServices } from '../services/context.ts';
import { validateDag } from '../services/dag-validate.ts';
import { runDag } from '../services/dag-runner.ts';
import { WORKFLOWS, findWorkflow, instantiate } from '../services/workflows.ts';
import { clientGone } from './chat.ts';

interface ExecuteBody {
  workflow_id: string;
  parameters?: Record<string, unknown>;
  /** Caps the output of every step. */
  max_tokens?: number;
}

const RUN_STATUS_OF: Record<NodeState['status'], RunStatus> = {
  pending: 'pending',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  skipped: 'cancelled',
  cancelled: 'cancelled',
};

/** Named multi-step workflows of LLM calls; each execution is stored as a run with one step per workflow step. */
export async function registerWorkflowRoutes(app: FastifyInstance, s: TargetServices): Promise<void> {
  app.get('/api/workflows', async () => ({
    items: WORKFLOWS.map((w) => ({ id: w.id, description: w.description, parameters: w.parameters, steps: w.steps.map((st) => ({ id: st.id, dependsOn: st.dependsOn })) })),
  }));

  app.post<{ Body: ExecuteBody }>(
    '/api/workflows/execute',
    { schema: { body: { type: 'object', required: ['workflow_id'], properties: { workflow_id: shortText(), parameters: { type: 'object' }, max_tokens: { type: 'integer', minimum: 1, maximum: 4096 } } } } },
    async (req, reply) => {
      const w = findWorkflow(req.body.workflow_id);
      if (w === undefined) {
        throw new ApiError(404, 'not_found', `workflow_id: unknown workflow "${req.body.workflow_id}" (known: ${WORKFLOWS.map((x) => x.id).join(', ')})`, 'workflow_id');
      }
      const parameters = req.body.parameters ?? {};
      const cap = req.body.max_tokens;
      const steps = instantiate(w, parameters).map((n) => (cap === undefined ? n : { ...n, maxTokens: Math.min(n.maxTokens ?? cap, cap) }));
      const ordered = validateDag(steps);
      const signal = AbortSignal.any([clientGone(reply), s.background.signal]);
      const t0 = performance.now();
      s.counters.workflowRuns++;
      const run = await s.store.runs.create({ name: w.id, workflow: w.id, status: 'running', input: parameters });
      const outcome = await runDag(ordered, { llm: s.llm, signal });
      const stepIds = new Map<string, string>();
      for (const n of ordered) {
        const st = outcome.nodes[n.id] as NodeState;
        const parent = n.dependsOn[0] === undefined ? null : (stepIds.get(n.dependsOn[0]) ?? null);
        const step = await s.store.runs.addStep(run.id, {
          name: n.id,
          parentId: parent,
          agent: 'workflow',
          status: RUN_STATUS_OF[st.status],
          input: { prompt: n.prompt },
          output: st.output === null ? null : { content: st.output, usage: st.usage },
          createdBy: 'workflow',
        });
        if (typeof step !== 'string') stepIds.set(n.id, step.id);
      }
      const last = ordered[ordered.length - 1];
      const output = last === undefined ? null : (outcome.nodes[last.id]?.output ?? null);
      await s.store.runs.update(run.id, { status: RUN_STATUS_OF[outcome.status], output: { content: output, error: outcome.error } });
      let inputTokens = 0;
      let outputTokens = 0;
      for (const st of Object.values(outcome.nodes)) {
        inputTokens += st.usage?.inputTokens ?? 0;
        outputTokens += st.usage?.outputTokens ?? 0;
      }
      const result = {
        execution_id: run.id,
        workflow_id: w.id,
        status: outcome.status,
        output,
        steps: ordered.map((n) => {
          const st = outcome.nodes[n.id] as NodeState;
          return { id: n.id, status: st.status, output: st.output, usage: st.usage, error: st.error, started_at: st.startedAt, completed_at: st.completedAt };
        }),
        usage: { input_tokens: inputTokens, output_tokens: outputTokens, total_tokens: inputTokens + outputTokens },
        duration_ms: Math.round((performance.now() - t0) * 10) / 10,
      };
      if (outcome.status === 'completed') return result;
      s.counters.workflowFailures++;
      const status = outcome.errorStatus === 429 ? 429 : outcome.status === 'cancelled' ? 503 : 500;
      const code = status === 429 ? 'rate_limit_exceeded' : status === 503 ? 'cancelled' : 'workflow_failed';
      if (status === 429) void reply.header('retry-after', '1');
      return reply.code(status).send({ ...errorBody(code, outcome.error ?? 'the workflow was cancelled'), ...result });
    },
  );
}
