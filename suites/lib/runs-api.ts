/**
 * Seed 000's runs API and AI endpoints, as the api, smoke and platform
 * suites call them. Paths and bodies are options (docs/suites.md); every
 * request carries AUTH_TOKEN when it is set, a `name` tag, and a `type` tag:
 * `api` for CRUD, `ai` for calls that wait for a model.
 */
import type { VuContext } from 'agentload';
import { authHeaders, fieldOf, jsonOf, ok } from './requests.ts';
import { jsonSetting, pathSetting } from './settings.ts';

/** What a call needs of a VU (setup's and teardown's contexts have it too). */
export type Caller = Pick<VuContext, 'http' | 'check' | 'env'>;

const API = { type: 'api' } as const;
const AI = { type: 'ai' } as const;

/** POST RUNS_PATH (default /api/runs) with RUN_BODY; the new run's id, or null. */
export async function createRun(ctx: Caller): Promise<string | null> {
  const body = jsonSetting('RUN_BODY', { name: 'agentload run', goal: 'Summarise the latest incident report', workflow: 'faq_workflow' }, ctx);
  const res = await ctx.http.post(pathSetting('RUNS_PATH', '/api/runs', ctx), body, { name: 'create_run', tags: API, headers: authHeaders(ctx) });
  const id = fieldOf(jsonOf(res));
  ctx.check(res, { 'create run: 2xx with an id': (r) => ok(r) && id !== null }, API);
  return ok(res) ? id : null;
}

/** GET RUNS_PATH?limit=20. */
export async function listRuns(ctx: VuContext): Promise<void> {
  const res = await ctx.http.get(pathSetting('RUNS_PATH', '/api/runs', ctx), { name: 'list_runs', tags: API, headers: authHeaders(ctx), query: { limit: 20 } });
  ctx.check(res, { 'list runs: 200': (r) => r.status === 200 }, API);
}

/** GET RUN_PATH (default /api/runs/{id}). */
export async function getRun(ctx: VuContext, id: string): Promise<void> {
  const res = await ctx.http.get(pathSetting('RUN_PATH', '/api/runs/{id}', ctx, { id }), { name: 'get_run', tags: API, headers: authHeaders(ctx) });
  ctx.check(res, { 'get run: 200 with its id': (r) => r.status === 200 && fieldOf(jsonOf(r)) === id }, API);
}

/** POST GRAFT_PATH (default /api/runs/{id}/graft) with GRAFT_BODY; the new step's id, or null. */
export async function graftRun(ctx: VuContext, id: string): Promise<string | null> {
  const body = jsonSetting('GRAFT_BODY', { name: 'review', agent: 'agentload' }, ctx);
  const res = await ctx.http.post(pathSetting('GRAFT_PATH', '/api/runs/{id}/graft', ctx, { id }), body, { name: 'graft_run', tags: API, headers: authHeaders(ctx) });
  ctx.check(res, { 'graft: 2xx': ok }, API);
  return ok(res) ? fieldOf(jsonOf(res)) : null;
}

/** DELETE RUN_PATH; true when the run is gone. */
export async function deleteRun(ctx: VuContext, id: string): Promise<boolean> {
  const res = await ctx.http.del(pathSetting('RUN_PATH', '/api/runs/{id}', ctx, { id }), null, { name: 'delete_run', tags: API, headers: authHeaders(ctx) });
  return ctx.check(res, { 'delete run: 2xx': ok }, API);
}

/** Token usage a response reports (`usage.input_tokens`/`output_tokens`, or OpenAI's `prompt_tokens`/`completion_tokens`). */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export function usageOf(body: unknown): Usage | null {
  if (typeof body !== 'object' || body === null) return null;
  const u = (body as { usage?: Record<string, unknown> }).usage;
  if (typeof u !== 'object' || u === null) return null;
  const input = u.input_tokens ?? u.prompt_tokens;
  const output = u.output_tokens ?? u.completion_tokens;
  return typeof input === 'number' && typeof output === 'number' ? { inputTokens: input, outputTokens: output } : null;
}

/** POST CHAT_PATH (default /api/chat) with CHAT_BODY (seed 004's message and session); the usage it reports. */
export async function chat(ctx: VuContext): Promise<Usage | null> {
  const body = jsonSetting('CHAT_BODY', { message: 'How can I help you?', context: { session_id: `agentload-${ctx.vu}` } }, ctx);
  const res = await ctx.http.post(pathSetting('CHAT_PATH', '/api/chat', ctx), body, { name: 'chat', tags: AI, headers: authHeaders(ctx) });
  const parsed = jsonOf(res);
  ctx.check(res, { 'chat: 200 with an answer': (r) => r.status === 200 && typeof parsed?.content === 'string' && parsed.content !== '' }, AI);
  return ok(res) ? usageOf(parsed) : null;
}

/**
 * POST WORKFLOW_PATH (default /api/workflows/execute) with WORKFLOW_BODY:
 * seed 004's faq_workflow, each of its three model steps capped at 8 tokens
 * (`max_tokens`), so that the whole workflow fits the seeds' 2 s AI budget on
 * a model that starts answering in ~300 ms. The usage it reports.
 */
export async function workflow(ctx: VuContext): Promise<Usage | null> {
  const body = jsonSetting('WORKFLOW_BODY', { workflow_id: 'faq_workflow', parameters: { query: 'test query' }, max_tokens: 8 }, ctx);
  const res = await ctx.http.post(pathSetting('WORKFLOW_PATH', '/api/workflows/execute', ctx), body, { name: 'workflow', tags: AI, headers: authHeaders(ctx) });
  const parsed = jsonOf(res);
  ctx.check(res, { 'workflow: 200 and completed': (r) => r.status === 200 && (parsed?.status === undefined || parsed.status === 'completed') }, AI);
  return ok(res) ? usageOf(parsed) : null;
}

/** GET ANALYTICS_PATH (default /api/analytics/metrics). */
export async function analytics(ctx: VuContext): Promise<void> {
  const res = await ctx.http.get(pathSetting('ANALYTICS_PATH', '/api/analytics/metrics', ctx), { name: 'analytics', tags: API, headers: authHeaders(ctx) });
  ctx.check(res, { 'analytics: 200': (r) => r.status === 200 }, API);
}

/** The suites' HTTP options: the target at API_URL, by default the reference target on this machine (agentload target). */
export function targetHttp(): { baseUrl: string } {
  return { baseUrl: process.env.API_URL ?? 'http://127.0.0.1:8088' };
}

/**
 * setup(): fail fast, with the URL, when the target does not answer
 * HEALTH_PATH (default /health; "none" skips the check).
 */
export async function requireHealthy(ctx: Pick<VuContext, 'http' | 'env'>): Promise<void> {
  const path = ctx.env.HEALTH_PATH ?? process.env.HEALTH_PATH ?? '/health';
  if (path === 'none') return;
  const res = await ctx.http.get(pathSetting('HEALTH_PATH', '/health', ctx), { name: 'setup_health', tags: { type: 'setup' }, timeout: '10s' });
  if (!(res.status >= 200 && res.status < 400)) {
    const why = res.status === 0 ? res.error : `HTTP ${res.status}`;
    throw new Error(`the target does not answer ${res.url} (${why}); start it (agentload target) or point the suite elsewhere with --env, API_URL or --base-url`);
  }
}
