import type { MockLlm } from '../llm/mock-llm.ts';
import type { A2aTask } from '../store/a2a-repo.ts';
import type { Store } from '../store/store.ts';
import { describeError, type Background } from './background.ts';

/**
 * Executes tasks of the A2A REST facade in the background with the mock LLM,
 * and cancels them. A task runs at most once: only the caller that moves it
 * from submitted to working starts it.
 */
export class A2aRunner {
  private readonly running = new Map<string, { controller: AbortController; done: Promise<void> }>();

  constructor(
    private readonly store: Store,
    private readonly llm: MockLlm,
    private readonly background: Background,
  ) {}

  /** Start a submitted task; null when it was not waiting (already started, finished or unknown). */
  async execute(id: string): Promise<A2aTask | null> {
    const task = await this.store.a2a.start(id);
    if (task === null) return null;
    const controller = new AbortController();
    const done = this.background.run(async (signal) => {
      try {
        const input = typeof task.input === 'string' ? task.input : JSON.stringify(task.input);
        const r = await this.llm.complete(
          {
            messages: [
              { role: 'system', content: `You are ${task.agent ?? 'the agentload A2A agent'}; skill: ${task.skill}.` },
              { role: 'user', content: input },
            ],
          },
          signal,
        );
        await this.store.a2a.complete(task.id, r);
      } catch (e) {
        // A cancelled task is already marked canceled; fail() only changes working tasks.
        await this.store.a2a.fail(task.id, signal.aborted ? 'the target shut down before the task finished' : describeError(e));
      } finally {
        this.running.delete(task.id);
      }
    }, controller);
    this.running.set(task.id, { controller, done });
    return task;
  }

  /** Wait until a task this instance runs has settled (at once when it is not running here), or until `signal` aborts. */
  async settled(id: string, signal: AbortSignal): Promise<void> {
    const r = this.running.get(id);
    if (r === undefined) return;
    await new Promise<void>((resolve) => {
      const onAbort = (): void => resolve();
      signal.addEventListener('abort', onAbort, { once: true });
      void r.done.then(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  /** Cancel a waiting or working task; null when it had already finished (or is unknown). */
  async cancel(id: string): Promise<A2aTask | null> {
    const task = await this.store.a2a.cancel(id);
    if (task !== null) this.running.get(id)?.controller.abort(new Error('task canceled'));
    return task;
  }

  get active(): number {
    return this.running.size;
  }
}
