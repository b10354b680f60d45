import type { Command } from 'commander';
import type { MockLlmOptions } from '../../reference-target/llm/mock-llm.ts';
import { startTarget, TargetOptionsError, type TargetHandle, type TargetOptions } from '../../reference-target/index.ts';
import { isPostgresUrl, resolveTargetOptions } from '../../reference-target/options.ts';
import { parseDuration } from '../../util/duration.ts';
import { EXIT } from '../exit-codes.ts';
import { FlagError, parsePositiveInt } from '../parse-flags.ts';

export interface TargetFlags {
  port: string;
  host: string;
  db?: string;
  dbSchema?: string;
  redis?: string;
  amqp?: string;
  token?: string;
  llmTtft?: string;
  llmItl?: string;
  llmTokens?: string;
  llmErrorRate?: string;
  llmConcurrency?: string;
  seed?: string;
  workers?: string;
  log?: boolean;
}

function durationMs(v: string | undefined, flag: string): number | undefined {
  if (v === undefined) return undefined;
  try {
    return parseDuration(v);
  } catch (e) {
    throw new FlagError(`${flag} "${v}": ${(e as Error).message.replace(/^duration: /, '')}`);
  }
}

function intFlag(v: string | undefined, flag: string, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v) || Number(v) < min) throw new FlagError(`${flag} "${v}": expected an integer >= ${min}`);
  return Number(v);
}

/** Target options from `agentload target` flags (the environment fills what they leave out). */
export function targetOptionsFromFlags(f: TargetFlags): Partial<TargetOptions> {
  const llm: Partial<MockLlmOptions> = {};
  const ttft = durationMs(f.llmTtft, '--llm-ttft');
  if (ttft !== undefined) {
    llm.ttftMs = ttft;
    llm.ttftSpreadMs = ttft / 5;
  }
  const itl = durationMs(f.llmItl, '--llm-itl');
  if (itl !== undefined) {
    llm.itlMs = itl;
    llm.itlSpreadMs = itl / 4;
  }
  const tokens = parsePositiveInt(f.llmTokens, '--llm-tokens');
  if (tokens !== undefined) {
    llm.outputTokensMean = tokens;
    llm.outputTokensSpread = Math.round(tokens * 0.3);
  }
  if (f.llmErrorRate !== undefined) {
    const r = Number(f.llmErrorRate);
    if (f.llmErrorRate.trim() === '' || !Number.isFinite(r) || r < 0 || r > 1) throw new FlagError(`--llm-error-rate "${f.llmErrorRate}": expected a number from 0 to 1`);
    llm.errorRate = r;
  }
  const concurrency = intFlag(f.llmConcurrency, '--llm-concurrency', 0);
  if (concurrency !== undefined) llm.concurrency = concurrency;
  const seed = intFlag(f.seed, '--seed', Number.MIN_SAFE_INTEGER);
  if (seed !== undefined) llm.seed = seed;
  const port = intFlag(f.port, '--port', 0);
  if (port !== undefined && port > 65_535) throw new FlagError(`--port "${f.port}": expected a port from 0 to 65535`);
  return {
    port,
    host: f.host,
    db: f.db,
    dbSchema: f.dbSchema,
    redisUrl: f.redis,
    amqpUrl: f.amqp,
    token: f.token,
    agentWorkers: parsePositiveInt(f.workers, '--workers'),
    logger: f.log === true ? true : undefined,
    llm,
  };
}

/** One line per mode the target runs in (no secrets). */
export function describeModes(o: TargetOptions): string[] {
  return [
    `store: ${isPostgresUrl(o.db) ? 'PostgreSQL' : o.db === ':memory:' ? 'SQLite in memory' : `SQLite file ${o.db}`}`,
    `cache: ${o.redisUrl === null ? 'in-process LRU' : 'Redis'}`,
    `queue: ${o.amqpUrl === null ? 'in-process' : 'RabbitMQ'}`,
    `auth: ${o.token === null ? 'none' : 'bearer token required on /api and /ws'}`,
  ];
}

/** `agentload target`: serve the reference target until SIGINT or SIGTERM. */
export async function targetCommand(flags: TargetFlags): Promise<number> {
  let options: TargetOptions;
  let target: TargetHandle;
  try {
    options = resolveTargetOptions(targetOptionsFromFlags(flags));
    target = await startTarget(options);
  } catch (e) {
    if (e instanceof FlagError || e instanceof TargetOptionsError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.INVALID_CONFIG;
    }
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? `port ${flags.port} is already in use (try --port 0 for a free one)` : err.message;
    process.stderr.write(`error: the target could not start: ${why}\n`);
    return EXIT.INVALID_CONFIG;
  }
  process.stdout.write(`agentload target listening on ${target.url}\n`);
  process.stderr.write(`  websocket: ${target.wsUrl}\n`);
  for (const line of describeModes(options)) process.stderr.write(`  ${line}\n`);
  process.stderr.write('  stop with Ctrl-C (SIGINT) or SIGTERM\n');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  process.stderr.write(`${signal}: stopping the target\n`);
  const force = (): void => {
    process.stderr.write('stopping now\n');
    process.exit(EXIT.INTERRUPTED);
  };
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await target.close();
  process.off('SIGINT', force);
  process.off('SIGTERM', force);
  process.stderr.write('target stopped\n');
  return EXIT.OK;
}

export function registerTarget(program: Command): void {
  program
    .command('target')
    .description('serve the reference target: an AI orchestrator with a mock LLM and an A2A agent, to load-test against')
    .option('--port <port>', 'port to listen on (0 picks a free one)', '8088')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--db <path|url>', 'SQLite file, :memory:, or a postgres:// URL (default: DATABASE_URL, else :memory:)')
    .option('--db-schema <name>', 'PostgreSQL schema for the tables (default public)')
    .option('--redis <url>', 'Redis URL for the read cache (default: REDIS_URL, else in-process)')
    .option('--amqp <url>', 'RabbitMQ URL for task distribution (default: AMQP_URL, else in-process)')
    .option('--token <token>', 'require Authorization: Bearer <token> on /api and /ws (or set AGENTLOAD_TARGET_TOKEN)')
    .option('--llm-ttft <duration>', 'mock LLM mean time to first token (default 300ms)')
    .option('--llm-itl <duration>', 'mock LLM mean inter-token latency (default 20ms)')
    .option('--llm-tokens <n>', 'mock LLM mean output length in tokens (default 40)')
    .option('--llm-error-rate <rate>', 'share of mock LLM requests failing with 429 or 500 (default 0)')
    .option('--llm-concurrency <n>', 'mock LLM requests generating at once; more queue (default 32, 0 = unlimited)')
    .option('--seed <n>', 'random seed of the mock LLM, for repeatable runs (default 1)')
    .option('--workers <n>', 'agent workers consuming the task queue (default 8)')
    .option('--log', 'log every request (off by default: logging costs time under load)')
    .addHelpText(
      'after',
      `
Examples:
  agentload target
  agentload target --port 0 --llm-ttft 500ms --llm-itl 30ms --llm-error-rate 0.01
  agentload target --db ./target.db --seed 42
  DATABASE_URL=postgres://user@127.0.0.1:5432/app REDIS_URL=redis://127.0.0.1:6379 agentload target`,
    )
    .action(async (flags: TargetFlags) => {
      process.exitCode = await targetCommand(flags);
    });
}
