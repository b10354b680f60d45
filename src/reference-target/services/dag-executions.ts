import type { MockLlm } from '../llm/mock-llm.ts';
import type { Dag, DagExecution, NodeState } from '../store/dags-repo.ts';
import type { Store } from '../store/store.ts';
import type { Background } from './background.ts';
import { validateDag } from './dag-validate.ts';
import { runDag } from './dag-runner.ts';

/**
 * DAG executions (POST /api/v1/dags/:id/execute): stored at once, run in the
 * background, node states written after every change. Writes of one
 * execution are chained so that they land in order.
 */
export class DagExecutions {
  private active = 0;

  constructor(
    private readonly store: Store,
    private readonly llm: MockLlm,
    private readonly background: Background,
  ) {}

  async start(dag: Dag, input: unknown): Promise<DagExecution> {
    const ordered = validateDag(dag.nodes);
    const execution = await this.store.dags.createExecution(dag, input);
    this.active++;
    void this.background.run(async (signal) => {
      let writes: Promise<void> = Promise.resolve();
      const save = (status: DagExecution['status'], nodes: Readonly<Record<string, NodeState>>, error: string | null, completedAt: number | null): void => {
        const snapshot = structuredClone(nodes) as Record<string, NodeState>;
        writes = writes.then(() => this.store.dags.saveExecution({ id: execution.id, status, nodes: snapshot, error, completedAt })).catch(() => undefined);
      };
      try {
        const outcome = await runDag(ordered, { llm: this.llm, signal, input, onChange: (nodes) => save('running', nodes, null, null) });
        save(outcome.status, outcome.nodes, outcome.error, Date.now());
        await writes;
      } finally {
        this.active--;
      }
    });
    return execution;
  }

  get running(): number {
    return this.active;
  }
}
