import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { HistoryError, HistoryStore, type HistoryFilter } from '../../baseline/history-store.ts';
import { baselineHistoryTable, formatMetricValue, historyListText, parseMetricSpec, statFor, trendText } from '../../baseline/history-text.ts';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { EXIT } from '../exit-codes.ts';
import { collect, FlagError, parsePositiveInt } from '../parse-flags.ts';
import { GateError, loadGateSettings } from './compare.ts';

interface HistoryFlags {
  suite?: string;
  env?: string;
  profile?: string;
  branch?: string;
  limit?: string;
  trend?: string;
  table?: boolean;
  column?: string[];
  output?: string;
  json?: boolean;
  history?: string | boolean;
  config?: string;
}

function filterOf(flags: HistoryFlags, limit: number): HistoryFilter {
  return {
    ...(flags.suite === undefined ? {} : { test: flags.suite }),
    ...(flags.env === undefined ? {} : { environment: flags.env }),
    ...(flags.profile === undefined ? {} : { profile: flags.profile }),
    ...(flags.branch === undefined ? {} : { branch: flags.branch }),
    limit,
  };
}

function columnsOf(list: readonly string[] | undefined, fallback: Readonly<Record<string, string>>): Record<string, string> {
  if (list === undefined || list.length === 0) return { ...fallback };
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new FlagError(`--column "${item}": expected LABEL=METRIC, like "API p95=http_req_duration:p95"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `agentload history`; returns the exit code. */
export async function historyCommand(flags: HistoryFlags): Promise<number> {
  let store: HistoryStore | undefined;
  try {
    const { settings } = await loadGateSettings(flags);
    const limit = parsePositiveInt(flags.limit, '--limit') ?? 20;
    const path = settings.historyPath;
    if (path === null) throw new GateError('the history is turned off (--no-history or history.enabled: false)');
    if (!existsSync(path)) {
      process.stdout.write(`  no history yet at ${path}: every \`agentload run\` records one\n`);
      return EXIT.OK;
    }
    store = HistoryStore.open(path, { readonly: true });
    const filter = filterOf(flags, limit);
    let text: string;
    if (flags.trend !== undefined) {
      let spec;
      try {
        spec = parseMetricSpec(flags.trend);
      } catch (e) {
        throw new FlagError(`--trend ${(e as Error).message}`);
      }
      const runs = store.list(filter);
      const metric = runs.map((r) => r.metrics[spec.key]).find((m) => m !== undefined);
      const stat = statFor(spec, metric) ?? 'p(95)';
      const points = store.trend(spec.key, stat, filter);
      text = flags.json === true ? JSON.stringify({ metric: spec.key, stat, points }, null, 2) : trendText(points, `${spec.key} ${stat}`, (v) => formatMetricValue(metric, stat, v));
    } else if (flags.table === true) {
      const columns = columnsOf(flags.column, settings.tableColumns);
      for (const spec of Object.values(columns)) for (const part of spec.split('|')) parseMetricSpecOrFlag(part);
      text = baselineHistoryTable(store.list(filter), columns).trimEnd();
    } else {
      const runs = store.list(filter);
      text = flags.json === true ? JSON.stringify(runs.map(({ metrics: _m, ...rest }) => rest), null, 2) : historyListText(runs);
    }
    if (flags.output !== undefined) {
      writeFileAtomic(resolve(flags.output), `${text}\n`);
      process.stderr.write(`  wrote ${resolve(flags.output)}\n`);
    } else process.stdout.write(`${text}\n`);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof GateError || e instanceof FlagError || e instanceof HistoryError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  } finally {
    store?.close();
  }
}

function parseMetricSpecOrFlag(spec: string): void {
  try {
    parseMetricSpec(spec);
  } catch (e) {
    throw new FlagError(`--column ${(e as Error).message}`);
  }
}

/** `agentload history` */
export function registerHistory(program: Command): void {
  program
    .command('history')
    .description('list recorded runs, print a metric\'s trend, or the "Baseline History" table as Markdown')
    .option('--suite <name>', 'only runs of this suite (or test name, for scripts)')
    .option('--env <name>', 'only runs against this environment')
    .option('--profile <name>', 'only runs of this profile')
    .option('--branch <name>', 'only runs on this branch')
    .option('--limit <n>', 'the newest N runs (default 20)')
    .option('--trend <metric>', 'a trend of one metric with a sparkline: http_req_duration:p95, http_req_failed:rate, http_req_duration{name:create_run}:p99')
    .option('--table', 'the seeds\' "Baseline History" table as Markdown: date, environment, p95s, error rate, connections, pass/fail')
    .option('--column <label=metric>', 'a column of --table, repeatable (replaces the default columns)', collect)
    .option('--json', 'runs or trend points as JSON')
    .option('-o, --output <file>', 'write to a file instead of stdout')
    .option('--history <path>', 'the history file (default .agentload/history.db)')
    .option('--config <file>', 'config file (default: ./agentload.config.ts if present)')
    .addHelpText(
      'after',
      `
Examples:
  agentload history --suite api --env staging
  agentload history --suite api --trend http_req_duration:p95 --limit 30
  agentload history --table --env staging -o docs/baseline-history.md`,
    )
    .action(async (flags: HistoryFlags) => {
      process.exitCode = await historyCommand(flags);
    });
}
