/**
 * Regression rules: how much worse a metric may get before it is a regression.
 *
 *   change := sign amount unit
 *   sign   := "+"            worse when the value goes up (latency, errors)
 *           | "-"            worse when the value goes down (throughput)
 *   unit   := "%"            relative to the baseline: "+20%" is current > baseline × 1.2
 *           | "pp"           percentage points of a rate: "+0.1pp" is current > baseline + 0.001
 *           | "" | "ms"      absolute, in the metric's unit: "+50ms" is current > baseline + 50
 *
 * Rules are keyed by metric (with an optional tag selector, `*` as a tag value
 * meaning "each value present") and then by statistic: `p(95)`, `p(99)`,
 * `avg`, `med`, `max`, `min`, `rate`, `count`, `value`.
 */
import { parseKey, ThresholdSyntaxError } from '../metrics/thresholds/parse.ts';

export type ChangeKind = 'relative' | 'points' | 'absolute';

export interface ChangeLimit {
  /** As written: "+20%". */
  readonly source: string;
  readonly worse: 'up' | 'down';
  readonly kind: ChangeKind;
  /** The allowed change: a fraction for relative (0.2), a rate difference for points (0.001), metric units for absolute. */
  readonly amount: number;
}

export interface RegressionRule {
  /** Canonical metric key: `http_req_duration` or `http_req_duration{name:create_run}` (tags sorted). */
  readonly key: string;
  /** Canonical statistic: `p(95)`, `rate`, … */
  readonly stat: string;
  readonly limit: ChangeLimit;
  /** A change smaller than this (in metric units) is never a regression, whatever its relative size. */
  readonly minDelta: number;
  readonly origin: 'default' | 'config';
}

/** One rule as the config file writes it: "+20%", or with a floor. */
export type RuleInput = string | { readonly change: string; readonly minDelta?: number };

/** `regression` in agentload.config.ts. */
export interface RegressionConfig {
  /** Significance level of the noise test when a side has several runs (default 0.05). */
  readonly alpha?: number;
  /** Keep the built-in rules of seed 004 (default true); false uses only `rules`. */
  readonly defaults?: boolean;
  /** By metric key, then statistic; `false` turns a metric or one of its statistics off. */
  readonly rules?: Readonly<Record<string, false | Readonly<Record<string, RuleInput | false>>>>;
}

export class RuleError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(problems.length === 1 ? (problems[0] as string) : `${problems.length} problems in the regression rules:\n  ${problems.join('\n  ')}`);
    this.name = 'RuleError';
  }
}

const API_LATENCY = { 'p(95)': '+20%', 'p(99)': '+25%' } as const;
const WS_LATENCY = { 'p(95)': '+15%', 'p(99)': '+20%' } as const;

/**
 * Seed 004's regression thresholds: API response time p95 +20 % / p99 +25 %
 * (applied to HTTP, LLM and A2A latencies), WebSocket latency p95 +15 % /
 * p99 +20 %, error rate +0.1 percentage point, throughput −10 %.
 */
export const DEFAULT_RULES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  http_req_duration: API_LATENCY,
  ws_connecting: WS_LATENCY,
  ws_msg_rtt: WS_LATENCY,
  llm_ttft: API_LATENCY,
  llm_e2e: API_LATENCY,
  a2a_submit_duration: API_LATENCY,
  a2a_task_duration: API_LATENCY,
  http_req_failed: { rate: '+0.1pp' },
  http_reqs: { rate: '-10%' },
};

export const DEFAULT_ALPHA = 0.05;

const STAT_ALIASES: Readonly<Record<string, string>> = { median: 'med', p50: 'p(50)', mean: 'avg' };
const STATS = new Set(['avg', 'min', 'med', 'max', 'rate', 'count', 'value', 'passes', 'fails']);

/** `p95` → `p(95)`, `median` → `med`; undefined when not a statistic. */
export function canonicalStat(stat: string): string | undefined {
  const s = stat.trim();
  // own keys only: "toString" is not an alias of Object.prototype.toString
  if (Object.hasOwn(STAT_ALIASES, s)) return STAT_ALIASES[s];
  if (STATS.has(s)) return s;
  const m = /^p(?:\(\s*(\d+(?:\.\d+)?)\s*\)|(\d+(?:\.\d+)?))$/.exec(s);
  if (m === null) return undefined;
  // one spelling per percentile: p(095) and p(95.0) are p(95), as the summary names it
  const digits = (m[1] ?? m[2] as string).replace(/^0+(?=\d)/, '').replace(/(\.\d*?)0+$/, '$1').replace(/\.$/, '');
  return Number(digits) <= 100 ? `p(${digits})` : undefined;
}

/** A metric key with its tags sorted and trimmed: the form stored and compared. Throws ThresholdSyntaxError. */
export function canonicalKey(key: string): string {
  const k = parseKey(key);
  if (k.selector.length === 0) return k.metric;
  const tags = [...k.selector].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${k.metric}{${tags.map(([t, v]) => `${t}:${v}`).join(',')}}`;
}

/**
 * The canonical key of a recorded metric; keys whose tag values the selector
 * grammar cannot hold (a check named "a, b: c") are kept as written.
 */
export function recordKey(key: string): string {
  try {
    return canonicalKey(key);
  } catch {
    return key;
  }
}

const CHANGE_RE = /^([+-])\s*(\d+(?:\.\d+)?|\.\d+)\s*(%|pp|ms)?$/;

/** Parse "+20%", "-10%", "+0.1pp", "+50ms"; throws RuleError quoting the input. */
export function parseChange(source: string, where = 'rule'): ChangeLimit {
  const m = CHANGE_RE.exec(source.trim());
  if (m === null) throw new RuleError([`${where}: "${source}" is not a change limit (write "+20%", "-10%", "+0.1pp" or "+50ms")`]);
  const n = Number(m[2]);
  if (!Number.isFinite(n)) throw new RuleError([`${where}: "${source}" is out of range (a finite number is needed)`]);
  const unit = m[3];
  const kind: ChangeKind = unit === '%' ? 'relative' : unit === 'pp' ? 'points' : 'absolute';
  const amount = kind === 'relative' ? n / 100 : kind === 'points' ? n / 100 : n;
  return { source: source.trim(), worse: m[1] === '+' ? 'up' : 'down', kind, amount };
}

function ruleFrom(key: string, stat: string, input: RuleInput, origin: RegressionRule['origin'], where: string): RegressionRule {
  if (typeof input === 'string') return { key, stat, limit: parseChange(input, where), minDelta: 0, origin };
  if (typeof input !== 'object' || input === null || typeof input.change !== 'string') {
    throw new RuleError([`${where}: expected "+20%" or { change: "+20%", minDelta: 5 }, got ${JSON.stringify(input)}`]);
  }
  const minDelta = input.minDelta ?? 0;
  if (typeof minDelta !== 'number' || !(minDelta >= 0) || minDelta === Infinity) throw new RuleError([`${where}: minDelta must be a finite number >= 0, got ${typeof minDelta === 'number' ? minDelta : JSON.stringify(input.minDelta)}`]);
  return { key, stat, limit: parseChange(input.change, where), minDelta, origin };
}

/**
 * The rules in force: the defaults (unless `defaults: false`) overridden by
 * the config's, key by key and statistic by statistic. Every problem of the
 * config is reported at once.
 */
export function resolveRules(config: RegressionConfig = {}): RegressionRule[] {
  // agentload.config is JavaScript: `regression` (and its `rules`) can be anything
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw new RuleError([`regression: expected { rules, alpha, defaults }, got ${JSON.stringify(config)}`]);
  if (config.rules !== undefined && (typeof config.rules !== 'object' || config.rules === null || Array.isArray(config.rules))) {
    throw new RuleError([`regression.rules: expected { "http_req_duration": { "p(95)": "+20%" }, … }, got ${JSON.stringify(config.rules)}`]);
  }
  const problems: string[] = [];
  const byKey = new Map<string, Map<string, RegressionRule | false>>();
  const put = (rawKey: string, stats: false | Readonly<Record<string, RuleInput | false>>, origin: RegressionRule['origin']): void => {
    const where = `regression.rules["${rawKey}"]`;
    let key: string;
    try {
      key = canonicalKey(rawKey);
    } catch (e) {
      problems.push(`${where}: ${e instanceof ThresholdSyntaxError ? e.message : String(e)}`);
      return;
    }
    if (stats === false) {
      byKey.set(key, new Map());
      return;
    }
    if (typeof stats !== 'object' || stats === null) {
      problems.push(`${where}: expected { "p(95)": "+20%", … } or false, got ${JSON.stringify(stats)}`);
      return;
    }
    let m = byKey.get(key);
    if (m === undefined) {
      m = new Map();
      byKey.set(key, m);
    }
    for (const [rawStat, input] of Object.entries(stats)) {
      const stat = canonicalStat(rawStat);
      const at = `${where}["${rawStat}"]`;
      if (stat === undefined) {
        problems.push(`${at}: unknown statistic "${rawStat}" (use p(95), p(99), avg, med, min, max, rate, count or value)`);
        continue;
      }
      if (input === false) {
        m.set(stat, false);
        continue;
      }
      try {
        m.set(stat, ruleFrom(key, stat, input, origin, at));
      } catch (e) {
        if (!(e instanceof RuleError)) throw e;
        problems.push(...e.problems);
      }
    }
  };
  if (config.alpha !== undefined && !(typeof config.alpha === 'number' && config.alpha > 0 && config.alpha < 0.5)) {
    problems.push(`regression.alpha: must be a number between 0 and 0.5, got ${JSON.stringify(config.alpha)}`);
  }
  if (config.defaults !== false) for (const [k, v] of Object.entries(DEFAULT_RULES)) put(k, v, 'default');
  for (const [k, v] of Object.entries(config.rules ?? {})) put(k, v, 'config');
  if (problems.length > 0) throw new RuleError(problems);
  const out: RegressionRule[] = [];
  for (const stats of byKey.values()) for (const r of stats.values()) if (r !== false) out.push(r);
  return out;
}

/** The statistic a bare metric name means when none is given: p(95) for trends, rate for rates and counters, value for gauges. */
export function defaultStatFor(type: string): string {
  return type === 'trend' ? 'p(95)' : type === 'gauge' ? 'value' : 'rate';
}
