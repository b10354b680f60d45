import { resolve } from 'node:path';
import { DEFAULT_BASELINES_DIR } from './baseline-file.ts';
import { DEFAULT_HISTORY_PATH } from './history-store.ts';
import { DEFAULT_TABLE_COLUMNS } from './history-text.ts';
import { DEFAULT_ALPHA, resolveRules, type RegressionConfig, type RegressionRule } from './rules.ts';

/** `history` in agentload.config.ts. */
export interface HistoryConfig {
  /** The SQLite file (default .agentload/history.db, relative to the working directory). */
  readonly path?: string;
  /** Record every run (default true). */
  readonly enabled?: boolean;
  /** Columns of `agentload history --table`: label → metric (`http_req_duration:p95`; several separated by `|`, the first present wins). */
  readonly columns?: Readonly<Record<string, string>>;
}

/** `baselines` in agentload.config.ts. */
export interface BaselinesConfig {
  /** Where named baselines are saved and looked up (default baselines/). */
  readonly dir?: string;
}

/** The parts of agentload.config.ts that baselines, history and compare read. */
export interface GateConfig {
  readonly regression?: RegressionConfig;
  readonly history?: HistoryConfig;
  readonly baselines?: BaselinesConfig;
}

/** Settings in force: the config's, overridden by flags. */
export interface GateSettings {
  /** null when recording is off. */
  readonly historyPath: string | null;
  readonly baselinesDir: string;
  readonly rules: readonly RegressionRule[];
  readonly alpha: number;
  readonly tableColumns: Readonly<Record<string, string>>;
}

/**
 * Resolve the settings: `--history PATH` beats the config's path, `--no-history`
 * (false) turns recording off. Throws RuleError for bad regression rules.
 */
export function gateSettings(config: GateConfig = {}, flags: { history?: string | boolean; baselinesDir?: string } = {}, cwd = process.cwd()): GateSettings {
  const enabled = flags.history !== false && (typeof flags.history === 'string' || config.history?.enabled !== false);
  const path = typeof flags.history === 'string' ? flags.history : (config.history?.path ?? DEFAULT_HISTORY_PATH);
  return {
    historyPath: enabled ? resolve(cwd, path) : null,
    baselinesDir: resolve(cwd, flags.baselinesDir ?? config.baselines?.dir ?? DEFAULT_BASELINES_DIR),
    rules: resolveRules(config.regression),
    alpha: config.regression?.alpha ?? DEFAULT_ALPHA,
    tableColumns: config.history?.columns ?? DEFAULT_TABLE_COLUMNS,
  };
}
