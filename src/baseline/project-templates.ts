/**
 * Files `agentload init` writes into a project: a config with the named
 * environments, the regression rules and the history, and an example script.
 */

/** agentload.config.ts, with the built-in defaults spelled out so that they can be edited. */
export function configTemplate(): string {
  return `import { defineConfig } from 'agentload';

export default defineConfig({
  // --env NAME picks one. Values written "$VAR" come from environment variables
  // ("$A|$B|fallback": the first one set). AUTH_TOKEN and A2A_TOKEN reach scripts
  // as ctx.env.AUTH_TOKEN / ctx.env.A2A_TOKEN and are redacted from all output.
  environments: {
    local: { baseUrl: '$API_URL|http://127.0.0.1:8088', secrets: ['AUTH_TOKEN', 'A2A_TOKEN'] },
    staging: { baseUrl: '$STAGING_URL|$LOAD_TEST_URL', wsUrl: '$STAGING_WS_URL|$LOAD_TEST_WS_URL|', secrets: ['AUTH_TOKEN', 'A2A_TOKEN'] },
    production: { baseUrl: '$PRODUCTION_URL', wsUrl: '$PRODUCTION_WS_URL|', secrets: ['AUTH_TOKEN', 'A2A_TOKEN'] },
  },

  // How much worse a metric may get before \`agentload compare\` and
  // \`agentload run --baseline\` call it a regression (docs/baselines.md).
  // These are the built-in rules; entries here override them one by one.
  regression: {
    alpha: 0.05,
    rules: {
      http_req_duration: { 'p(95)': '+20%', 'p(99)': '+25%' },
      ws_msg_rtt: { 'p(95)': '+15%', 'p(99)': '+20%' },
      http_req_failed: { rate: '+0.1pp' },
      http_reqs: { rate: '-10%' },
      // A tighter budget for one endpoint, with a floor against tiny absolute changes:
      // 'http_req_duration{name:create_run}': { 'p(95)': { change: '+10%', minDelta: 5 } },
    },
  },

  // Every run is recorded here (agentload history); baselines are committed files.
  history: { path: '.agentload/history.db' },
  baselines: { dir: 'baselines' },
});
`;
}

/** load/api.ts: a small test with the seeds' budgets. */
export function exampleScriptTemplate(): string {
  return `import { defineTest } from 'agentload';

// Requests the API's health endpoint; run it with
//   npx agentload run load/api.ts --env local --profile smoke
// Replace the requests with your own; the thresholds are the seeds' API budgets.
export default defineTest({
  name: 'api',
  scenarios: {
    api: {
      executor: 'constant-vus',
      vus: 5,
      duration: '30s',
      waitTime: [0.5, 1.5],
      exec: async (ctx) => {
        const res = await ctx.http.get('/health', { name: 'health' });
        ctx.check(res, { 'status is 200': (r) => r.status === 200 });
      },
    },
  },
  thresholds: {
    http_req_duration: ['p(95)<500', 'p(99)<1000'],
    http_req_failed: ['rate<0.01'],
  },
});
`;
}

/** Lines `agentload init` makes sure .gitignore has. */
export const GITIGNORE_LINES: readonly string[] = ['results/', '.agentload/'];
