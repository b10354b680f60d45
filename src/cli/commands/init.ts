import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CI_OPTIONS, githubWorkflow, gitlabJobs, gitlabRoot, type CiOptions } from '../../baseline/ci-templates.ts';
import { configTemplate, exampleScriptTemplate, GITIGNORE_LINES } from '../../baseline/project-templates.ts';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { EXIT } from '../exit-codes.ts';

interface InitFlags {
  ci?: string;
  script?: string;
  suite?: string;
  env?: string;
  node?: string;
  force?: boolean;
  dir: string;
}

interface PlannedFile {
  readonly path: string;
  readonly content: string;
}

class InitError extends Error {}

function ciOptions(flags: InitFlags): CiOptions {
  if (flags.script !== undefined && flags.suite !== undefined) throw new InitError('give --script or --suite, not both');
  const name = /^[A-Za-z0-9_.-]+$/;
  if (flags.suite !== undefined && !name.test(flags.suite)) throw new InitError(`--suite "${flags.suite}": not a suite name`);
  if (flags.env !== undefined && !name.test(flags.env)) throw new InitError(`--env "${flags.env}": not an environment name`);
  if (flags.node !== undefined && !/^\d+(\.\d+)*$/.test(flags.node)) throw new InitError(`--node "${flags.node}": expected a version like 20`);
  if (flags.script !== undefined && !/^[A-Za-z0-9_./-]+$/.test(flags.script)) throw new InitError(`--script "${flags.script}": use a relative path of letters, digits, ".", "_", "-" and "/"`);
  return {
    test: flags.suite !== undefined ? `--suite ${flags.suite}` : (flags.script ?? DEFAULT_CI_OPTIONS.test),
    environment: flags.env ?? DEFAULT_CI_OPTIONS.environment,
    node: flags.node ?? DEFAULT_CI_OPTIONS.node,
  };
}

/** The files `init` would write, and notes to print. */
function plan(flags: InitFlags, root: string): { files: PlannedFile[]; notes: string[] } {
  if (flags.ci === undefined) {
    return {
      files: [
        { path: join(root, 'agentload.config.ts'), content: configTemplate() },
        { path: join(root, 'load', 'api.ts'), content: exampleScriptTemplate() },
      ],
      notes: ['next: npx agentload run load/api.ts --env local --profile smoke', 'then:  npx agentload init --ci github   (or gitlab)'],
    };
  }
  const options = ciOptions(flags);
  if (flags.ci === 'github') {
    return {
      files: [{ path: join(root, '.github', 'workflows', 'agentload.yml'), content: githubWorkflow(options) }],
      notes: [
        'set the repository variable STAGING_URL (and secrets AUTH_TOKEN, A2A_TOKEN if your API needs them)',
        'commit a baseline: npx agentload baseline save --from results/<run> && git add baselines/',
      ],
    };
  }
  if (flags.ci === 'gitlab') {
    const files: PlannedFile[] = [{ path: join(root, '.gitlab', 'agentload.yml'), content: gitlabJobs(options) }];
    const notes = ['set the CI/CD variables LOAD_TEST_URL, LOAD_TEST_WS_URL, PRODUCTION_URL, PRODUCTION_WS_URL (and AUTH_TOKEN, A2A_TOKEN, masked)'];
    if (existsSync(join(root, '.gitlab-ci.yml'))) notes.unshift('add to .gitlab-ci.yml:  stages: [..., load-test]  and  include: [{ local: .gitlab/agentload.yml }]');
    else files.push({ path: join(root, '.gitlab-ci.yml'), content: gitlabRoot() });
    return { files, notes };
  }
  throw new InitError(`--ci "${flags.ci}": expected github or gitlab`);
}

/** Make sure .gitignore leaves out results and the local history. */
function ensureGitignore(root: string): string[] {
  const path = join(root, '.gitignore');
  const have = existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/).map((l) => l.trim()) : [];
  const missing = GITIGNORE_LINES.filter((l) => !have.includes(l) && !have.includes(l.replace(/\/$/, '')));
  if (missing.length === 0) return [];
  const before = existsSync(path) ? readFileSync(path, 'utf8') : '';
  appendFileSync(path, `${before === '' || before.endsWith('\n') ? '' : '\n'}${missing.join('\n')}\n`);
  return missing;
}

/** `agentload init [--ci github|gitlab]`; returns the exit code. */
export function initCommand(flags: InitFlags): number {
  const root = resolve(flags.dir);
  try {
    const { files, notes } = plan(flags, root);
    const existing = files.filter((f) => existsSync(f.path));
    if (existing.length > 0 && flags.force !== true) {
      throw new InitError(`${existing.map((f) => relative(process.cwd(), f.path) || f.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}; pass --force to overwrite`);
    }
    for (const f of files) {
      writeFileAtomic(f.path, f.content);
      process.stdout.write(`  wrote ${relative(process.cwd(), f.path) || f.path}\n`);
    }
    if (flags.ci === undefined) {
      const added = ensureGitignore(root);
      if (added.length > 0) process.stdout.write(`  added ${added.join(' ')} to .gitignore\n`);
    }
    for (const n of notes) process.stdout.write(`  ${n}\n`);
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof InitError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.USAGE;
  }
}

/** `agentload init` */
export function registerInit(program: Command): void {
  program
    .command('init')
    .description('write agentload.config.ts and an example script, or with --ci ready CI jobs (GitHub Actions or GitLab)')
    .option('--ci <provider>', 'write CI jobs instead: github (.github/workflows/agentload.yml) or gitlab (.gitlab/agentload.yml)')
    .option('--script <path>', 'the script the CI jobs run (default load/api.ts)')
    .option('--suite <name>', 'a built-in suite the CI jobs run instead of a script')
    .option('--env <name>', 'the environment the CI jobs test (GitHub; default staging)')
    .option('--node <version>', 'Node.js version of the CI jobs (default 20)')
    .option('--force', 'overwrite files that exist')
    .option('--dir <dir>', 'the project folder', '.')
    .addHelpText(
      'after',
      `
Examples:
  agentload init                      agentload.config.ts, load/api.ts, .gitignore entries
  agentload init --ci github          baseline profile on every PR (with a comment), stress nightly, spike and soak weekly
  agentload init --ci gitlab --suite all   manual load-test (staging) and load-test-production jobs`,
    )
    .action((flags: InitFlags) => {
      process.exitCode = initCommand(flags);
    });
}
