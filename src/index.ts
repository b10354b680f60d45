/**
 * agentload's public API: what test scripts import, and what programs that
 * embed agentload use. Types are exported apart from values.
 */
export { defineTest } from './config/definition.ts';
export { Counter, Gauge, Rate, Trend } from './metrics/custom.ts';
export { TestRun } from './engine/controller.ts';
export { ConfigError } from './engine/run-options.ts';
export { ScriptError } from './engine/script-loader.ts';
export { BUILTIN_PROFILES } from './config/profiles.ts';
export { buildSummary } from './report/summary-json.ts';
export { textSummary } from './report/text-summary.ts';
export { HttpResponse } from './protocols/http/response.ts';
export { defineConfig } from './config/environments.ts';
export { compareRuns, checkComparable, MismatchError } from './baseline/compare.ts';
export { resolveRules, parseChange, canonicalKey, DEFAULT_RULES, DEFAULT_ALPHA, RuleError } from './baseline/rules.ts';
export { HistoryStore, HistoryError, DEFAULT_HISTORY_PATH, HISTORY_SCHEMA_VERSION } from './baseline/history-store.ts';
export { loadRuns } from './baseline/load-input.ts';
export { InputError, parseBaseline, writeBaseline, baselinePath } from './baseline/baseline-file.ts';
export { recordFromSummary, defaultBaselineName } from './baseline/run-record.ts';
export { comparisonText, comparisonMarkdown, comparisonView } from './baseline/comparison-text.ts';
export { baselineHistoryTable, sparkline } from './baseline/history-text.ts';
export { shiftTest } from './baseline/statistics.ts';
export { githubWorkflow, gitlabJobs } from './baseline/ci-templates.ts';
export { renderHtmlReport } from './report/html/render-html-report.ts';
export { renderJunit } from './report/junit.ts';
export { renderMarkdown } from './report/markdown.ts';
export { CsvOutput, CSV_COLUMNS } from './outputs/csv.ts';
export { LiveDashboard, DashboardError } from './outputs/dashboard/dashboard-server.ts';
export { WsClient } from './protocols/ws/client.ts';
export { WsSession } from './protocols/ws/session.ts';
export { WsConnectError } from './protocols/ws/session-options.ts';
export { WsMessage } from './protocols/ws/message.ts';
export { WS_ERROR_CODES } from './protocols/ws/error-codes.ts';
export { SseClient } from './protocols/sse/client.ts';
export { SseStream } from './protocols/sse/stream.ts';
export { SseEvent } from './protocols/sse/event.ts';
export { SSE_ERROR_CODES } from './protocols/sse/error-codes.ts';
export { LlmClient } from './protocols/llm/client.ts';
export { A2aClient } from './protocols/a2a/client.ts';
export { A2aRestClient } from './protocols/a2a/rest.ts';
export { AmqpClient } from './protocols/amqp/client.ts';
export { AmqpChannel, PUBLISHED_AT_HEADER } from './protocols/amqp/channel.ts';
export { AmqpMessage } from './protocols/amqp/message.ts';
export { AmqpError, AMQP_ERROR_CODES } from './protocols/amqp/error-codes.ts';
export { SqlClient } from './protocols/sql/client.ts';
export { SqlDatabase } from './protocols/sql/database.ts';
export { SqlError, SQL_ERROR_CODES } from './protocols/sql/error-codes.ts';
export { RedisClient } from './protocols/redis/client.ts';
export { RedisConnection } from './protocols/redis/connection.ts';
export { RedisError, REDIS_ERROR_CODES } from './protocols/redis/error-codes.ts';
export { startTarget, DEFAULT_TARGET_OPTIONS, TargetOptionsError } from './reference-target/index.ts';

export type {
  TestDefinition,
  ScenarioDefinition,
  ScenarioFn,
  Stage,
  ThresholdInput,
  TaskDefinition,
  ProfileDefinition,
  HttpOptions,
  ExecutorName,
} from './config/definition.ts';
export type { VuContext, SetupContext, Checkers, ScenarioInfo } from './engine/context.ts';
export type { RunOptions, ProgressState } from './engine/run-options.ts';
export type { HttpParams, HttpBody, HttpBatchRequest, StatusSpec } from './protocols/http/client.ts';
export type { HttpTimings } from './protocols/http/response.ts';
export type { WsConnectOptions } from './protocols/ws/client.ts';
export type {
  WsReconnectOptions,
  WsRequestOptions,
  WsHeartbeatOptions,
  WsCloseInfo,
  WsSessionEvents,
  WsState,
} from './protocols/ws/session-options.ts';
export type { WsReply, ReplyMatcher } from './protocols/ws/replies.ts';
export type { WsData } from './protocols/ws/message.ts';
export type { WsErrorCode } from './protocols/ws/error-codes.ts';
export type { AmqpBody, AmqpPublishOptions, AmqpConsumeOptions, AmqpQueueOptions } from './protocols/amqp/channel.ts';
export type { AmqpErrorCode } from './protocols/amqp/error-codes.ts';
export type { SqlParam, SqlQueryOptions, SqlResult } from './protocols/sql/database.ts';
export type { SqlPoolOptions } from './protocols/sql/pools.ts';
export type { SqlErrorCode } from './protocols/sql/error-codes.ts';
export type { RedisArg, RedisReply, RedisSetOptions, CacheGetOptions } from './protocols/redis/connection.ts';
export type { RedisConnectOptions } from './protocols/redis/client.ts';
export type { RedisErrorCode } from './protocols/redis/error-codes.ts';
export type { SseOpenOptions, SseReconnectOptions } from './protocols/sse/client.ts';
export type { SseResult, SseStreamEvents } from './protocols/sse/stream.ts';
export type { SseErrorCode } from './protocols/sse/error-codes.ts';
export type { LlmOptions, LlmPrice, LlmSlo } from './protocols/llm/options.ts';
export type { LlmChatParams, LlmChatResult, LlmChatMessage, LlmContentPart, LlmUsage } from './protocols/llm/types.ts';
export type { LlmTimings } from './protocols/llm/measure.ts';
export type { A2aOptions, A2aRestOptions, A2aVersion } from './protocols/a2a/options.ts';
export type {
  A2aTaskState,
  A2aPart,
  A2aMessage,
  A2aArtifact,
  A2aTask,
  A2aEvent,
  A2aMessageInput,
  A2aCallOptions,
  A2aSendOptions,
  A2aStreamOptions,
  A2aWaitOptions,
  A2aOutcome,
  A2aCardResult,
  A2aSendResult,
  A2aStreamResult,
  A2aTaskResult,
} from './protocols/a2a/types.ts';
export type { A2aRestCallOptions, A2aRestPollOptions, A2aRestResult } from './protocols/a2a/rest.ts';
export type { RunOutcome, RunMeta, RunStatus } from './types/run-outcome.ts';
export type { Summary, SummaryMetric } from './report/summary-json.ts';
export type { MetricType, ValueKind, MetricInfo } from './metrics/metric.ts';
export type { AgentloadConfig } from './config/environments.ts';
export type { ComparisonResult, ComparisonRow, ComparisonSide, CompareOptions, Verdict } from './baseline/compare.ts';
export type { RegressionConfig, RegressionRule, RuleInput, ChangeLimit, ChangeKind } from './baseline/rules.ts';
export type { HistoryEntry, HistoryRun, HistoryFilter, TrendPoint } from './baseline/history-store.ts';
export type { InputContext } from './baseline/load-input.ts';
export type { BaselineFile } from './baseline/baseline-file.ts';
export type { RunRecord, RecordMetric } from './baseline/run-record.ts';
export type { ComparisonView, ComparisonViewRow } from './baseline/comparison-text.ts';
export type { GateConfig, HistoryConfig, BaselinesConfig } from './baseline/settings.ts';
export type { ShiftTest } from './baseline/statistics.ts';
export type { CiOptions } from './baseline/ci-templates.ts';
export type { HtmlReportOptions } from './report/html/render-html-report.ts';
export type { JunitOptions } from './report/junit.ts';
export type { MarkdownOptions, ComparisonLike, ComparisonRowLike } from './report/markdown.ts';
export type { DashboardOptions, DashboardPlan, DashboardDone } from './outputs/dashboard/dashboard-server.ts';
export type { TimePoint, IntervalStats } from './metrics/timeseries.ts';
export type { SeriesFile } from './outputs/results-folder.ts';
export type { TargetOptions, TargetHandle } from './reference-target/index.ts';
