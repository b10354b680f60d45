import { ApiError, notFound } from '../http/errors.ts';
import { buildTree, type NewStep, type Run, type Step, type StepNode } from '../store/runs-repo.ts';
import { cacheKey, type TargetServices } from './context.ts';

/** A run with its tree of steps (GET /api/runs/:id). */
export interface RunView extends Run {
  steps: StepNode[];
  stepCount: number;
}

/** A run and its tree, through the read cache. */
export async function readRun(s: TargetServices, id: string): Promise<{ view: RunView | null; hit: boolean }> {
  const { value, hit } = await s.cache.read<RunView>(cacheKey.run(id), async () => {
    const run = await s.store.runs.get(id);
    if (run === null) return null;
    const steps = await s.store.runs.steps(id);
    return { ...run, steps: buildTree(steps), stepCount: steps.length };
  });
  return { view: value, hit };
}

/** Graft: add a step to a run's tree (at the root, or under `parentId`). */
export async function graftStep(s: TargetServices, runId: string, input: NewStep): Promise<Step> {
  const step = await s.store.runs.addStep(runId, input);
  if (step === 'no-run') throw notFound('run', runId);
  if (step === 'no-parent') throw new ApiError(404, 'not_found', `parentId: step "${input.parentId as string}" is not in run "${runId}"`, 'parentId');
  await s.cache.invalidate(cacheKey.run(runId));
  return step;
}

/** Prune: remove a step and its subtree; resolves to the ids removed. */
export async function pruneStep(s: TargetServices, runId: string, stepId: string): Promise<string[]> {
  const removed = await s.store.runs.pruneStep(runId, stepId);
  if (removed.length === 0) {
    if ((await s.store.runs.get(runId)) === null) throw notFound('run', runId);
    throw new ApiError(404, 'not_found', `stepId: step "${stepId}" is not in run "${runId}"`, 'stepId');
  }
  await s.cache.invalidate(cacheKey.run(runId));
  return removed;
}

/** Flag a step (a reason), or clear its flag (null). */
export async function flagStep(s: TargetServices, runId: string, stepId: string, reason: string | null): Promise<Step> {
  const step = await s.store.runs.flagStep(runId, stepId, reason);
  if (step === null) {
    if ((await s.store.runs.get(runId)) === null) throw notFound('run', runId);
    throw new ApiError(404, 'not_found', `stepId: step "${stepId}" is not in run "${runId}"`, 'stepId');
  }
  await s.cache.invalidate(cacheKey.run(runId));
  return step;
}
