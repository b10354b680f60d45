// Command-line flags shared by every benchmark script and by run-all.mjs.
import { dirname, join, resolve } from 'node:path';
import { killAllStarted } from './proc.mjs';
import { fileURLToPath } from 'node:url';

export const BENCH_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ROOT_DIR = join(BENCH_DIR, '..');
export const WORK_DIR = join(BENCH_DIR, '.work');

const HELP = `flags (every benchmark script and run-all.mjs):
  --quick              1 run each, short durations (smoke check)
  --runs N             measured runs per tool (default 3; --quick: 1)
  --duration S         measured window in seconds (default per benchmark)
  --agentload DIR      the agentload checkout to benchmark (default: this repository)
  --no-install         never install a missing peer (skip it with a note)
  --no-write           print results, do not update bench/RESULTS.md
  --tools a,b          only these tools (names as in the tables)
run-all.mjs only:
  --only a,b           only these benchmarks: http, scaling, vu-cost, accuracy, co, startup
  --no-build           do not run \`npm run build\` first`;

/**
 * Parse argv into options. Unknown flags are an error naming the flag.
 * @param {string[]} argv
 */
export function parseArgs(argv) {
  const o = {
    quick: false,
    runs: /** @type {number | null} */ (null),
    duration: /** @type {number | null} */ (null),
    agentload: ROOT_DIR,
    install: true,
    write: true,
    tools: /** @type {string[] | null} */ (null),
    only: /** @type {string[] | null} */ (null),
    build: true,
  };
  const num = (flag, v) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`${flag} needs a positive number, got "${v ?? ''}"`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--quick':
        o.quick = true;
        break;
      case '--runs':
        o.runs = Math.round(num(a, argv[++i]));
        break;
      case '--duration':
        o.duration = num(a, argv[++i]);
        break;
      case '--agentload':
        if (argv[i + 1] === undefined) throw new Error('--agentload needs a directory');
        o.agentload = resolve(argv[++i]);
        break;
      case '--no-install':
        o.install = false;
        break;
      case '--no-write':
        o.write = false;
        break;
      case '--tools':
        o.tools = (argv[++i] ?? '').split(',').filter(Boolean);
        break;
      case '--only':
        o.only = (argv[++i] ?? '').split(',').filter(Boolean);
        break;
      case '--no-build':
        o.build = false;
        break;
      case '-h':
      case '--help':
        console.log(HELP);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown flag "${a}"\n${HELP}`);
    }
  }
  return o;
}

/** @typedef {ReturnType<typeof parseArgs>} BenchOptions */

/** Runs per tool: --runs, else 1 in quick mode, else 3. */
export function runsOf(o) {
  return o.runs ?? (o.quick ? 1 : 3);
}

/** True if the tool should run (no --tools filter, or it is listed). */
export function wants(o, tool) {
  return o.tools === null || o.tools.includes(tool);
}

/** Run a benchmark's main function: errors print one line and exit 1; a signal stops every process it started. */
export function main(fn) {
  for (const sig of ['SIGINT', 'SIGTERM']) {
    process.once(sig, () => {
      console.error(`bench: ${sig}: stopping the processes this benchmark started`);
      killAllStarted();
      process.exit(sig === 'SIGINT' ? 130 : 143);
    });
  }
  fn(parseArgs(process.argv.slice(2))).catch((e) => {
    console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
