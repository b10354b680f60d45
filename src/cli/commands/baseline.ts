import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Command } from 'commander';
import { baselinePath, InputError, listBaselines, parseBaseline, writeBaseline } from '../../baseline/baseline-file.ts';
import { checkComparable } from '../../baseline/compare.ts';
import { loadRuns } from '../../baseline/load-input.ts';
import { defaultBaselineName, testOf } from '../../baseline/run-record.ts';
import { EXIT } from '../exit-codes.ts';
import { collect } from '../parse-flags.ts';
import { filterLike, GateError, historyOpener, loadGateSettings, type GateFlags } from './compare.ts';

interface SaveFlags extends GateFlags {
  from: string[];
  name?: string;
}

const NAME_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** `agentload baseline save --from RESULTS_DIR [--from …] [--name NAME]`; returns the exit code. */
export async function saveBaselineCommand(flags: SaveFlags): Promise<number> {
  let close = (): void => undefined;
  try {
    const { settings } = await loadGateSettings(flags);
    const history = historyOpener(settings);
    close = history.close;
    const extraKeys = settings.rules.map((r) => r.key);
    // history:last[:N] means the newest runs of the test, environment and profile of the newest run
    const newest = flags.from.some((s) => s.startsWith('history:last')) ? history.open?.().list({ limit: 1, statuses: ['passed', 'thresholds-failed'] })[0] : undefined;
    const historyFilter = newest === undefined ? undefined : { ...filterLike([newest]), excludeIds: [] };
    const runs = flags.from.flatMap((spec) => loadRuns(spec, { baselinesDir: settings.baselinesDir, extraKeys, history: history.open, historyFilter }));
    for (const r of runs) {
      if (r.meta !== null && r.meta.status !== 'passed' && r.meta.status !== 'thresholds-failed') {
        throw new InputError(r.source, `the run ended as ${r.meta.status}; a baseline needs complete runs`);
      }
    }
    const warnings = checkComparable(runs, []);
    const meta = runs.find((r) => r.meta !== null)?.meta ?? null;
    const name = flags.name ?? (meta === null ? undefined : defaultBaselineName(meta));
    if (name === undefined) throw new GateError('--name is needed: the runs do not say which test they are');
    if (!NAME_RE.test(name)) throw new GateError(`--name "${name}": use letters, digits, ".", "_" and "-" only`);
    const path = baselinePath(settings.baselinesDir, name);
    writeBaseline(path, name, runs);
    for (const w of warnings) process.stderr.write(`  warning: ${w}\n`);
    const what = meta === null ? '' : ` of ${testOf(meta)} (${meta.environment ?? 'local'}, profile ${meta.profile ?? 'none'})`;
    process.stdout.write(`  saved ${relative(process.cwd(), path) || path}: ${runs.length} run${runs.length === 1 ? '' : 's'}${what}\n`);
    if (runs.length === 1) process.stdout.write('  tip: a baseline of 3 to 5 runs makes comparisons noise-aware (--from several results folders)\n');
    return EXIT.OK;
  } catch (e) {
    if (e instanceof GateError || e instanceof InputError) {
      process.stderr.write(`error: ${e.message}\n`);
      return EXIT.USAGE;
    }
    throw e;
  } finally {
    close();
  }
}

/** `agentload baseline list` */
export async function listBaselinesCommand(flags: GateFlags): Promise<number> {
  try {
    const { settings } = await loadGateSettings(flags);
    const names = listBaselines(settings.baselinesDir);
    if (names.length === 0) {
      process.stdout.write(`  no baselines in ${settings.baselinesDir} yet (agentload baseline save --from RESULTS_DIR)\n`);
      return EXIT.OK;
    }
    for (const name of names) {
      const path = baselinePath(settings.baselinesDir, name);
      try {
        const file = parseBaseline(JSON.parse(readFileSync(path, 'utf8')) as unknown, path);
        const meta = file.runs.find((r) => r.meta !== null)?.meta;
        const facts = meta === undefined || meta === null ? '' : `  ${testOf(meta)}  env ${meta.environment ?? 'local'}  profile ${meta.profile ?? 'none'}`;
        process.stdout.write(`  ${name.padEnd(32)} ${String(file.runs.length).padStart(2)} run${file.runs.length === 1 ? ' ' : 's'}  saved ${file.savedAt.slice(0, 10)}${facts}\n`);
      } catch (e) {
        process.stdout.write(`  ${name.padEnd(32)} unreadable: ${e instanceof InputError ? e.message : (e as Error).message}\n`);
      }
    }
    return EXIT.OK;
  } catch (e) {
    if (!(e instanceof GateError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.USAGE;
  }
}

/** `agentload baseline save|list` */
export function registerBaseline(program: Command): void {
  const cmd = program.command('baseline').description('save and list committed baselines (baselines/<suite>.<env>.json)');
  cmd
    .command('save')
    .description('save runs as a named baseline (one run, or several for noise-aware comparisons)')
    .requiredOption('--from <spec>', 'a results folder, a folder of them, a glob, summary.json or history:ID / history:last:N; repeatable', collect)
    .option('--name <name>', 'the baseline name (default <suite>.<env>, plus .<profile> for profiles other than load)')
    .option('--baselines-dir <dir>', 'where baselines are saved (default baselines/)')
    .option('--history <path>', 'the history file for history:… inputs (default .agentload/history.db)')
    .option('--config <file>', 'config file (default: ./agentload.config.ts if present)')
    .addHelpText(
      'after',
      `
Examples:
  agentload baseline save --from results/20250226-101500-api
  agentload baseline save --from 'results/*-api' --name api.staging
  agentload baseline save --from history:last:5`,
    )
    .action(async (flags: SaveFlags) => {
      process.exitCode = await saveBaselineCommand(flags);
    });
  cmd
    .command('list')
    .description('list the baselines')
    .option('--baselines-dir <dir>', 'where baselines are (default baselines/)')
    .option('--config <file>', 'config file (default: ./agentload.config.ts if present)')
    .action(async (flags: GateFlags) => {
      process.exitCode = await listBaselinesCommand(flags);
    });
}
