/**
 * CI jobs written by `agentload init --ci github|gitlab`. The cadence is seed
 * 004's (baseline profile on every pull request, stress nightly, spike and
 * soak weekly); the GitLab jobs are seed 001's (manual `load-test` on main or
 * develop against staging, non-blocking, artifacts kept 30 days; manual
 * `load-test-production` on main, blocking, artifacts kept 90 days).
 */

export interface CiOptions {
  /** What to run: a script path (load/api.ts) or `--suite NAME`. */
  readonly test: string;
  /** The environment pull requests and schedules test (from agentload.config.ts). */
  readonly environment: string;
  /** Node.js major version of the jobs. */
  readonly node: string;
}

export const DEFAULT_CI_OPTIONS: CiOptions = { test: 'load/api.ts', environment: 'staging', node: '20' };

/** YAML double-quoted scalar. */
function q(s: string): string {
  return JSON.stringify(s);
}

function envVarsFor(environment: string): string[] {
  if (environment === 'production') return ['PRODUCTION_URL: ${{ vars.PRODUCTION_URL }}', 'PRODUCTION_WS_URL: ${{ vars.PRODUCTION_WS_URL }}'];
  if (environment === 'staging') return ['STAGING_URL: ${{ vars.STAGING_URL }}', 'STAGING_WS_URL: ${{ vars.STAGING_WS_URL }}'];
  return ['API_URL: ${{ vars.API_URL }}', 'WS_URL: ${{ vars.WS_URL }}'];
}

interface GithubJob {
  readonly id: string;
  readonly name: string;
  readonly condition: string;
  readonly profile: string;
  readonly timeoutMinutes: number;
  readonly retentionDays: number;
  readonly comment: boolean;
}

const SETUP = (node: string): string[] => [
  '      - uses: actions/checkout@v4',
  '      - uses: actions/setup-node@v4',
  '        with:',
  `          node-version: ${q(node)}`,
  '          cache: npm',
  '      - run: npm ci',
  '      - name: Restore the run history (.agentload/history.db)',
  '        uses: actions/cache/restore@v4',
  '        with:',
  '          path: .agentload',
  '          key: agentload-history-${{ github.run_id }}-${{ github.job }}-${{ github.run_attempt }}',
  '          restore-keys: agentload-history-',
];

/** Saved even when the job fails: failed runs belong in the history too. */
const SAVE_HISTORY = [
  '      - name: Save the run history',
  '        if: always()',
  '        uses: actions/cache/save@v4',
  '        with:',
  '          path: .agentload',
  '          key: agentload-history-${{ github.run_id }}-${{ github.job }}-${{ github.run_attempt }}',
];

const COMMENT_STEP = [
  '      - name: Comment on the pull request',
  "        if: always() && github.event_name == 'pull_request'",
  '        continue-on-error: true',
  '        env:',
  '          GH_TOKEN: ${{ github.token }}',
  '          PR: ${{ github.event.pull_request.number }}',
  '        run: |',
  "          marker='<!-- agentload -->'",
  '          {',
  '            echo "$marker"',
  '            if ls results/*/comparison.md >/dev/null 2>&1; then cat results/*/comparison.md',
  '            else echo "No baseline to compare with yet: save one with \\`npx agentload baseline save --from <results folder>\\` and commit baselines/."; fi',
  '          } > comment.md',
  '          id=$(gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" --paginate --jq ".[] | select(.body | startswith(\\"$marker\\")) | .id" | tail -n 1)',
  '          if [ -n "$id" ]; then gh api -X PATCH "repos/$GITHUB_REPOSITORY/issues/comments/$id" -F body=@comment.md',
  '          else gh api "repos/$GITHUB_REPOSITORY/issues/$PR/comments" -F body=@comment.md; fi',
];

function githubJob(job: GithubJob, node: string): string[] {
  return [
    `  ${job.id}:`,
    `    name: ${q(job.name)}`,
    `    if: ${job.condition}`,
    '    runs-on: ubuntu-latest',
    `    timeout-minutes: ${job.timeoutMinutes}`,
    '    steps:',
    ...SETUP(node),
    `      - name: Load test (${job.profile} profile), compared with its baseline`,
    `        run: npx agentload run $AGENTLOAD_TEST --env "$AGENTLOAD_ENV" --profile ${job.profile} --baseline --results-dir results`,
    ...(job.comment ? COMMENT_STEP : []),
    ...SAVE_HISTORY,
    '      - name: Keep the results',
    '        if: always()',
    '        uses: actions/upload-artifact@v4',
    '        with:',
    `          name: load-test-${job.profile}-\${{ github.run_id }}`,
    '          path: results/',
    `          retention-days: ${job.retentionDays}`,
  ];
}

const NIGHTLY = '0 2 * * *';
const WEEKLY = '0 3 * * 6';

/** .github/workflows/agentload.yml */
export function githubWorkflow(options: CiOptions = DEFAULT_CI_OPTIONS): string {
  const dispatch = (profile: string): string => `(github.event_name == 'workflow_dispatch' && inputs.profile == '${profile}')`;
  const jobs: GithubJob[] = [
    { id: 'baseline', name: 'baseline profile (every pull request)', condition: `github.event_name == 'pull_request' || ${dispatch('load')}`, profile: 'load', timeoutMinutes: 30, retentionDays: 30, comment: true },
    { id: 'stress', name: 'stress profile (nightly)', condition: `github.event.schedule == '${NIGHTLY}' || ${dispatch('stress')}`, profile: 'stress', timeoutMinutes: 60, retentionDays: 30, comment: false },
    { id: 'spike', name: 'spike profile (weekly)', condition: `github.event.schedule == '${WEEKLY}' || ${dispatch('spike')}`, profile: 'spike', timeoutMinutes: 30, retentionDays: 90, comment: false },
    { id: 'soak', name: 'soak profile (weekly)', condition: `github.event.schedule == '${WEEKLY}' || ${dispatch('soak')}`, profile: 'soak', timeoutMinutes: 300, retentionDays: 90, comment: false },
  ];
  const lines = [
    '# Load tests by agentload (written by `agentload init --ci github`).',
    '# Cadence: the baseline (load) profile on every pull request, compared with the committed',
    '# baselines/ and reported in a comment; stress nightly; spike and soak weekly.',
    '# Exit codes: 0 pass, 98 regression against the baseline, 99 thresholds failed.',
    '# Refresh a baseline: run the workflow by hand with refresh_baseline and commit the file from its artifact.',
    'name: load-tests',
    '',
    'on:',
    '  pull_request:',
    '  schedule:',
    `    - cron: '${NIGHTLY}' # nightly: stress`,
    `    - cron: '${WEEKLY}' # weekly (Saturday): spike and soak`,
    '  workflow_dispatch:',
    '    inputs:',
    '      profile:',
    '        description: Profile to run',
    '        type: choice',
    '        options: [load, stress, spike, soak]',
    '        default: load',
    '      refresh_baseline:',
    '        description: Run the profile three times and save a new baseline (as an artifact to commit)',
    '        type: boolean',
    '        default: false',
    '',
    'permissions:',
    '  contents: read',
    '  pull-requests: write',
    '',
    'concurrency:',
    '  group: load-tests-${{ github.workflow }}-${{ github.ref }}-${{ github.event.schedule }}',
    "  cancel-in-progress: ${{ github.event_name == 'pull_request' }}",
    '',
    'env:',
    '  # What to run: a script, or a built-in suite (--suite api).',
    `  AGENTLOAD_TEST: ${q(options.test)}`,
    '  # An environment of agentload.config.ts (local, staging, production or your own).',
    `  AGENTLOAD_ENV: ${q(options.environment)}`,
    ...envVarsFor(options.environment).map((l) => `  ${l}`),
    '  AUTH_TOKEN: ${{ secrets.AUTH_TOKEN }}',
    '  A2A_TOKEN: ${{ secrets.A2A_TOKEN }}',
    "  NO_COLOR: '1'",
    '',
    'jobs:',
  ];
  for (const job of jobs) {
    lines.push(...githubJob({ ...job, condition: `\${{ (${job.condition}) && !inputs.refresh_baseline }}` }, options.node), '');
  }
  lines.push(
    '  refresh-baseline:',
    '    name: refresh the baseline (three runs)',
    "    if: ${{ github.event_name == 'workflow_dispatch' && inputs.refresh_baseline }}",
    '    runs-on: ubuntu-latest',
    '    timeout-minutes: 330',
    '    steps:',
    ...SETUP(options.node),
    '      - name: Three runs of the profile',
    '        run: |',
    '          for i in 1 2 3; do',
    '            npx agentload run $AGENTLOAD_TEST --env "$AGENTLOAD_ENV" --profile ${{ inputs.profile }} --results-dir results --quiet || true',
    '          done',
    '      - name: Save them as the baseline',
    '        run: npx agentload baseline save --from results',
    '      - uses: actions/upload-artifact@v4',
    '        with:',
    '          name: baseline-${{ inputs.profile }}-${{ github.run_id }}',
    '          path: baselines/',
    '          retention-days: 30',
    '',
  );
  return `${lines.join('\n').trimEnd()}\n`;
}

/** .gitlab/agentload.yml: the jobs, to include from .gitlab-ci.yml. */
export function gitlabJobs(options: CiOptions = DEFAULT_CI_OPTIONS): string {
  const job = (name: string, env: string, branches: string, allowFailure: boolean, days: number, comment: string): string[] => [
    `# ${comment}`,
    `${name}:`,
    '  extends: .agentload',
    '  rules:',
    `    - if: '${branches}'`,
    '      when: manual',
    `      allow_failure: ${allowFailure}`,
    '  environment:',
    `    name: ${env}`,
    '  script:',
    `    - npx agentload run $AGENTLOAD_TEST --env ${env} --profile $AGENTLOAD_PROFILE --baseline --results-dir results`,
    '  artifacts:',
    '    when: always',
    `    expire_in: ${days} days`,
    '    paths:',
    '      - results/',
    '',
  ];
  const lines = [
    '# Load tests by agentload (written by `agentload init --ci gitlab`).',
    '# Include this file from .gitlab-ci.yml and add the load-test stage:',
    '#   stages: [..., load-test]',
    '#   include:',
    '#     - local: .gitlab/agentload.yml',
    '# CI/CD variables: LOAD_TEST_URL, LOAD_TEST_WS_URL (staging), PRODUCTION_URL, PRODUCTION_WS_URL,',
    '# AUTH_TOKEN and A2A_TOKEN (masked). Exit codes: 0 pass, 98 regression against the baseline,',
    '# 99 thresholds failed.',
    '',
    '.agentload:',
    '  stage: load-test',
    `  image: node:${options.node}`,
    '  variables:',
    `    AGENTLOAD_TEST: ${q(options.test)}`,
    '    AGENTLOAD_PROFILE: "load"',
    '    NO_COLOR: "1"',
    '  cache:',
    '    - key: agentload-history',
    '      paths:',
    '        - .agentload/',
    '      when: always',
    '    - key:',
    '        files:',
    '          - package-lock.json',
    '      paths:',
    '        - .npm/',
    '  before_script:',
    '    - npm ci --cache .npm --prefer-offline',
    '',
    ...job('load-test', 'staging', '$CI_COMMIT_BRANCH == "main" || $CI_COMMIT_BRANCH == "develop"', true, 30, 'Manual, on main or develop, against staging; non-blocking.'),
    ...job('load-test-production', 'production', '$CI_COMMIT_BRANCH == "main"', false, 90, 'Manual, on main only, against production; blocking.'),
  ];
  return `${lines.join('\n').trimEnd()}\n`;
}

/** A minimal .gitlab-ci.yml for projects that have none: the load-test stage and the include. */
export function gitlabRoot(): string {
  return ['stages:', '  - load-test', '', 'include:', '  - local: .gitlab/agentload.yml', ''].join('\n');
}
