/**
 * Seed 004's "cost per request < $0.01": the tokens a platform reports for
 * an AI request, priced per million tokens (LLM_PRICE_INPUT, LLM_PRICE_OUTPUT
 * in USD; defaults 0.15 and 0.60, a small hosted model's list price), are
 * recorded as llm_cost_usd and the llm_*_tokens counters, the metrics
 * ctx.llm records for OpenAI-compatible calls.
 */
import { Counter, Trend, type VuContext } from 'agentload';
import type { Usage } from './runs-api.ts';
import { numberSetting } from './settings.ts';

const cost = new Trend('llm_cost_usd');
const inputTokens = new Counter('llm_input_tokens');
const outputTokens = new Counter('llm_output_tokens');

/** Record one AI request's tokens and cost, tagged with the request's `name`. */
export function recordUsage(ctx: Pick<VuContext, 'record' | 'env'>, usage: Usage | null, name: string): void {
  if (usage === null) return;
  const inPrice = numberSetting('LLM_PRICE_INPUT', 0.15, ctx);
  const outPrice = numberSetting('LLM_PRICE_OUTPUT', 0.6, ctx);
  const tags = { name, token_count: 'server' };
  ctx.record(inputTokens, usage.inputTokens, tags);
  ctx.record(outputTokens, usage.outputTokens, tags);
  ctx.record(cost, (usage.inputTokens * inPrice + usage.outputTokens * outPrice) / 1e6, { name });
}
