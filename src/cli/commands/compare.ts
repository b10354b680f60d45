import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { baselinePath, InputError } from '../../baseline/baseline-file.ts';
import { compareRuns, type ComparisonResult } from '../../baseline/compare.ts';
import { comparisonMarkdown, comparisonText, comparisonView } from '../../baseline/comparison-text.ts';
import { HistoryError, HistoryStore, type HistoryFilter } from '../../baseline/history-store.ts';
import { loadRuns, type InputContext } from '../../baseline/load-input.ts';
import { RuleError } from '../../baseline/rules.ts';
import { defaultBaselineName, recordFromSummary, testOf, type RunRecord } from '../../baseline/run-record.ts';
import { gateSettings, type GateSettings } from '../../baseline/settings.ts';
import { loadConfig } from '../../config/config-file.ts';
import type { AgentloadConfig } from '../../config/environments.ts';
import { writeFileAtomic } from '../../outputs/atomic-write.ts';
import { renderMarkdown } from '../../report/markdown.ts';
import type { Summary } from '../../report/summary-json.ts';
import type { RunOutcome } from '../../types/run-outcome.ts';
import { redact } from '../../util/redact.ts';
import { EXIT } from '../exit-codes.ts';
import { collect } from '../parse-flags.ts';

export interface GateFlags {
  config?: string;
  history?: string | boolean;
  baselinesDir?: string;
}

/** A problem with the command line, the config or an input: the message names what is wrong. */
export class GateError extends Error {}

/** Load agentload.config.* and resolve the gate settings (history path, baselines folder, rules); throws GateError. */
export async function loadGateSettings(flags: GateFlags): Promise<{ config: AgentloadConfig; settings: GateSettings }> {
  let config: AgentloadConfig;
  try {
    config = (await loadConfig(process.cwd(), flags.config)).config;
  } catch (e) {
    throw new GateError((e as Error).message);
  }
  try {
    return { config, settings: gateSettings(config, flags) };
  } catch (e) {
    if (e instanceof RuleError) throw new GateError(e.message);
    throw e;
  }
}

/** A lazily opened history for comparison inputs (closed by the caller through `close`). */
export function historyOpener(settings: GateSettings): { open: (() => HistoryStore) | undefined; close: () => void } {
  let store: HistoryStore | undefined;
  const path = settings.historyPath;
  if (path === null) return { open: undefined, close: () => undefined };
  return {
    open: () => {
      if (store !== undefined) return store;
      if (!existsSync(path)) throw new InputError(path, 'no history yet (runs are recorded by agentload run)');
      try {
        store = HistoryStore.open(path, { readonly: true });
      } catch (e) {
        if (e instanceof HistoryError) throw new InputError(path, e.message.replace(`${path}: `, ''));
        throw e;
      }
      return store;
    },
    close: () => store?.close(),
  };
}

/** `history:last` for one side picks runs of the same test, environment, profile and time scale as the other side. */
export function filterLike(runs: readonly RunRecord[]): HistoryFilter {
  const meta = runs.find((r) => r.meta !== null)?.meta;
  const excludeIds = runs.map((r) => /^history:(\d+)$/.exec(r.source)).flatMap((m) => (m === null ? [] : [Number(m[1])]));
  if (meta === undefined || meta === null) return { excludeIds };
  return { test: testOf(meta), environment: meta.environment, profile: meta.profile, timeScale: meta.timeScale, excludeIds };
}

function writeOutputs(result: ComparisonResult, flags: { markdown?: string; json?: string }, title?: string): void {
  if (flags.json !== undefined) writeFileAtomic(resolve(flags.json), `${JSON.stringify({ agentloadComparison: 1, ...result }, null, 2)}\n`);
  if (flags.markdown !== undefined) writeFileAtomic(resolve(flags.markdown), comparisonMarkdown(result, title));
}

interface CompareFlags extends GateFlags {
  baselineRun?: string[];
  currentRun?: string[];
  markdown?: string;
  json?: string;
  alpha?: string;
  allowMismatch?: boolean;
  color: boolean;
}

/** `agentload compare BASELINE CURRENT`; returns the exit code (0, 1 regression, 2 unusable input). */
export async function compareCommand(baselineSpec: string, currentSpec: string, flags: CompareFlags): Promise<number> {
  let settings: GateSettings;
  try {
    settings = (await loadGateSettings(flags)).settings;
  } catch (e) {
    if (!(e instanceof GateError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.USAGE;
  }
  const alpha = flags.alpha === undefined ? settings.alpha : Number(flags.alpha);
  if (!(alpha > 0 && alpha < 0.5)) {
    process.stderr.write(`error: --alpha "${flags.alpha}": expected a number between 0 and 0.5\n`);
    return EXIT.USAGE;
  }
  const history = historyOpener(settings);
  try {
    const base: InputContext = { baselinesDir: settings.baselinesDir, extraKeys: settings.rules.map((r) => r.key), history: history.open };
    // history:last on one side means runs like the other side's: load the other side first
    const currentSpecs = [currentSpec, ...(flags.currentRun ?? [])];
    const baselineSpecs = [baselineSpec, ...(flags.baselineRun ?? [])];
    const followsOther = (specs: readonly string[]): boolean => specs.every((s) => s.startsWith('history:last'));
    let current: RunRecord[];
    let baseline: RunRecord[];
    if (followsOther(currentSpecs) && !followsOther(baselineSpecs)) {
      baseline = baselineSpecs.flatMap((s) => loadRuns(s, base));
      current = currentSpecs.flatMap((s) => loadRuns(s, { ...base, historyFilter: filterLike(baseline) }));
    } else {
      current = currentSpecs.flatMap((s) => loadRuns(s, base));
      baseline = baselineSpecs.flatMap((s) => loadRuns(s, { ...base, historyFilter: filterLike(current) }));
    }
    const result = compareRuns(baseline, current, { rules: settings.rules, alpha, allowMismatch: flags.allowMismatch === true });
    const color = flags.color && process.stdout.isTTY === true && process.env.NO_COLOR === undefined;
    process.stdout.write(`\n${comparisonText(result, { color })}\n\n`);
    writeOutputs(result, flags);
    return result.regression ? EXIT.REGRESSION : EXIT.OK;
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    process.stderr.write(`error: ${e.message}\n`);
    return EXIT.USAGE;
  } finally {
    history.close();
  }
}

/** `agentload compare` */
export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare runs with a baseline metric by metric under the regression rules; exit 1 on regression')
    .argument('<baseline>', 'results folder, summary.json, baseline file or name (baselines/NAME.json), folder of runs, glob, or history:ID / history:last:N')
    .argument('<current>', 'the runs to judge, given the same ways')
    .option('-b, --baseline-run <spec>', 'add runs to the baseline side, repeatable', collect)
    .option('-c, --current-run <spec>', 'add runs to the current side, repeatable', collect)
    .option('--markdown <file>', 'also write the comparison as Markdown (for a pull-request comment)')
    .option('--json <file>', 'also write the comparison as JSON')
    .option('--alpha <a>', 'significance level of the noise test with several runs (default 0.05)')
    .option('--allow-mismatch', 'compare runs of different tests, profiles or time scales anyway')
    .option('--config <file>', 'config file with regression rules (default: ./agentload.config.ts if present)')
    .option('--history <path>', 'the history file for history:… inputs (default .agentload/history.db)')
    .option('--baselines-dir <dir>', 'where baseline names are looked up (default baselines/)')
    .option('--no-color', 'no colours even in a terminal')
    .addHelpText(
      'after',
      `
Exit codes: 0 no regression, 1 regression, 2 unusable input (missing, corrupt or mismatched files).

Examples:
  agentload compare baselines/api.staging.json results/20250226-101500-api
  agentload compare api.staging 'results/*-api' --markdown comparison.md
  agentload compare history:last:5 results/latest
  agentload compare results/base-1 results/new-1 -b results/base-2 -c results/new-2`,
    )
    .action(async (baseline: string, current: string, flags: CompareFlags) => {
      process.exitCode = await compareCommand(baseline, current, flags);
    });
}

// ---------------------------------------------------------------------------
// `agentload run --baseline [NAME] [--history PATH | --no-history]`

export interface RunGateFlags extends GateFlags {
  /** true: the conventional baseline of the run (baselines/<suite>.<env>.json), if it exists. */
  baseline?: string | boolean;
}

export interface RunGate {
  readonly settings: GateSettings;
  readonly baseline: string | true | undefined;
}

/** The branch being tested, from CI variables or git; null when unknown. */
export function currentBranch(env: NodeJS.ProcessEnv = process.env): string | null {
  const fromCi = env.GITHUB_HEAD_REF || env.GITHUB_REF_NAME || env.CI_COMMIT_REF_NAME || env.BRANCH_NAME;
  if (fromCi !== undefined && fromCi !== '') return fromCi;
  try {
    const r = spawnSync('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] });
    const b = r.status === 0 ? r.stdout.trim() : '';
    return b === '' || b === 'HEAD' ? null : b;
  } catch {
    return null;
  }
}

/**
 * Before a run: resolve the history and rules and check that an explicitly
 * named baseline can be read, so that a typo fails in a second, not after a
 * ten-minute run. Returns the gate, or an error with its exit code.
 */
export function prepareRunGate(flags: RunGateFlags, config: AgentloadConfig = {}): RunGate | { code: number; message: string } {
  let settings: GateSettings;
  try {
    settings = gateSettings(config, flags);
  } catch (e) {
    if (e instanceof RuleError) return { code: EXIT.INVALID_CONFIG, message: e.message };
    throw e;
  }
  const baseline = flags.baseline === true ? true : typeof flags.baseline === 'string' ? flags.baseline : undefined;
  if (typeof baseline === 'string') {
    try {
      if (baseline.startsWith('history:') || /^\d+$/.test(baseline)) {
        if (settings.historyPath === null) throw new InputError(baseline, 'a history baseline needs the history (drop --no-history)');
      } else loadRuns(baseline, { baselinesDir: settings.baselinesDir });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      return { code: EXIT.USAGE, message: `--baseline: ${e.message}` };
    }
  }
  return { settings, baseline };
}

export interface FinishedRun {
  readonly outcome: RunOutcome;
  readonly summary: Summary;
  readonly resultsDir: string;
  readonly secrets: readonly string[];
  readonly color: boolean;
  /** --markdown FILE of the run: rewritten with the comparison folded in. */
  readonly markdownFile?: string;
}

function redacted<T>(value: T, secrets: readonly string[]): T {
  return secrets.length === 0 ? value : (JSON.parse(redact(JSON.stringify(value), secrets)) as T);
}

/**
 * After a run: record it in the history, compare it with the baseline (table
 * on stdout, comparison.json and comparison.md in the results folder) and fold
 * the verdict into the exit code: the run's own code when it failed, else 98
 * on a regression, 2 when the baseline cannot be used.
 */
export function finishRunGate(gate: RunGate, run: FinishedRun): number {
  const { settings } = gate;
  const code = run.outcome.meta.exitCode;
  const current = redacted(recordFromSummary(run.summary, run.resultsDir, run.outcome.metrics, settings.rules.map((r) => r.key)), run.secrets);
  let store: HistoryStore | undefined;
  let id: number | undefined;
  if (settings.historyPath !== null) {
    try {
      store = HistoryStore.open(settings.historyPath);
      id = store.record({ ...current, meta: current.meta ?? run.outcome.meta, timeseries: redacted(run.outcome.timeseries, run.secrets), resultsDir: run.resultsDir, branch: currentBranch() });
    } catch (e) {
      process.stderr.write(`  warning: the run was not recorded in the history: ${(e as Error).message}\n`);
    }
  }
  let closeOpener = (): void => undefined;
  try {
    if (gate.baseline === undefined) return code;
    let spec = gate.baseline;
    if (spec === true) {
      const name = defaultBaselineName(run.outcome.meta);
      spec = baselinePath(settings.baselinesDir, name);
      if (!existsSync(spec)) {
        process.stderr.write(`  no baseline ${spec} yet: nothing to compare with (save one: agentload baseline save --from ${run.resultsDir})\n`);
        return code;
      }
    }
    const historyFilter: HistoryFilter = { ...filterLike([current]), excludeIds: id === undefined ? [] : [id] };
    const opener = historyOpener(settings);
    closeOpener = opener.close;
    const openStore = opener.open === undefined ? undefined : (): HistoryStore => store ?? (opener.open as () => HistoryStore)();
    let result: ComparisonResult;
    try {
      const baseline = loadRuns(spec, { baselinesDir: settings.baselinesDir, extraKeys: settings.rules.map((r) => r.key), history: openStore, historyFilter });
      result = compareRuns(baseline, [current], { rules: settings.rules, alpha: settings.alpha });
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      process.stderr.write(`error: --baseline: ${e.message}\n`);
      return code !== EXIT.OK ? code : EXIT.USAGE;
    }
    process.stdout.write(`${comparisonText(result, { color: run.color })}\n\n`);
    const label = typeof gate.baseline === 'string' ? gate.baseline : relative(process.cwd(), spec) || spec;
    writeFileAtomic(join(run.resultsDir, 'comparison.json'), redact(`${JSON.stringify({ agentloadComparison: 1, ...result }, null, 2)}\n`, run.secrets));
    const markdown = redact(renderMarkdown(run.summary, { comparison: comparisonView(result, label) }), run.secrets);
    writeFileAtomic(join(run.resultsDir, 'comparison.md'), markdown);
    if (run.markdownFile !== undefined) {
      writeFileAtomic(join(run.resultsDir, 'summary.md'), markdown);
      writeFileAtomic(resolve(run.markdownFile), markdown);
    }
    if (store !== undefined && id !== undefined) store.setVerdict(id, label, result.regression);
    if (code !== EXIT.OK) return code;
    return result.regression ? EXIT.RUN_REGRESSION : EXIT.OK;
  } finally {
    store?.close();
    closeOpener();
  }
}
