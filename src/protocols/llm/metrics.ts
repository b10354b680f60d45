import { registry } from '../../metrics/builtin.ts';

/**
 * LLM metrics (definitions in docs/llm-metrics.md). Time metrics follow
 * vLLM's benchmark (`vllm bench serve`), except that TTFT waits for the first
 * chunk that carries output, not the role-only chunk before it.
 */
export const llmMetrics = {
  /** Chat requests sent, tagged with status (and error_code when they failed). */
  llm_requests: registry.define('llm_requests', 'counter'),
  /** Failed requests, tagged with error_code. */
  llm_errors: registry.define('llm_errors', 'counter'),
  /** Request start → first chunk carrying output (content, reasoning or a tool call) (ms). */
  llm_ttft: registry.define('llm_ttft', 'trend', 'time'),
  /** Gap between consecutive output chunks, one sample per gap (vLLM's ITL) (ms). */
  llm_itl: registry.define('llm_itl', 'trend', 'time'),
  /** The same gaps split per token when the server reveals how many tokens each chunk carries (ms). */
  llm_itl_token: registry.define('llm_itl_token', 'trend', 'time'),
  /** (e2e − ttft) / (output tokens − 1), per request with at least 2 output tokens (ms). */
  llm_tpot: registry.define('llm_tpot', 'trend', 'time'),
  /** Request start → last output chunk; for a non-streamed response, → end of the body (ms). */
  llm_e2e: registry.define('llm_e2e', 'trend', 'time'),
  /** Prompt tokens, tagged token_count=server|estimate. */
  llm_input_tokens: registry.define('llm_input_tokens', 'counter'),
  /** Completion tokens, tagged token_count=server|estimate. */
  llm_output_tokens: registry.define('llm_output_tokens', 'counter'),
  /** Output tokens / e2e seconds, per request. */
  llm_tokens_per_second: registry.define('llm_tokens_per_second', 'trend'),
  /** Cost of each request in USD, from the price table. */
  llm_cost_usd: registry.define('llm_cost_usd', 'trend'),
  /** Share of requests that succeeded and met every declared SLO. */
  llm_goodput: registry.define('llm_goodput', 'rate'),
} as const;
