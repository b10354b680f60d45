import type { ReadCache } from '../cache/read-cache.ts';
import type { TargetMetrics } from '../http/metrics.ts';
import type { MockLlm } from '../llm/mock-llm.ts';
import type { TargetOptions } from '../options.ts';
import type { TaskQueue } from '../queue/task-queue.ts';
import type { Store } from '../store/store.ts';
import type { A2aRunner } from './a2a-runner.ts';
import type { AgentWorkers } from './agent-workers.ts';
import type { Background } from './background.ts';
import type { DagExecutions } from './dag-executions.ts';
import type { CollaborationHub } from '../ws/collaboration-hub.ts';

/** Counts kept in memory for the analytics endpoint. */
export interface ActivityCounters {
  chatRequests: number;
  chatStreams: number;
  chatFailures: number;
  workflowRuns: number;
  workflowFailures: number;
  wsChatMessages: number;
}

/** What every route and socket handler of the target works with. */
export interface TargetServices {
  readonly options: TargetOptions;
  readonly store: Store;
  readonly cache: ReadCache;
  readonly queue: TaskQueue;
  readonly llm: MockLlm;
  readonly metrics: TargetMetrics;
  readonly background: Background;
  readonly workers: AgentWorkers;
  readonly a2a: A2aRunner;
  readonly dags: DagExecutions;
  readonly collaboration: CollaborationHub;
  readonly counters: ActivityCounters;
  readonly startedAt: number;
}

/** Cache keys of the cached reads. */
export const cacheKey = {
  run: (id: string): string => `run:${id}`,
  task: (id: string): string => `task:${id}`,
  dag: (id: string): string => `dag:${id}`,
  proposal: (id: string): string => `proposal:${id}`,
  record: (id: string): string => `record:${id}`,
} as const;
