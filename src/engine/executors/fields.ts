import { parseDuration, parseScaledDuration, type DurationInput } from '../../util/duration.ts';
import { shown } from '../../util/shown.ts';
import { closest } from '../../util/closest.ts';
import type { ScenarioDefinition, Stage } from '../../config/definition.ts';
import type { ScenarioPlanBase } from '../plan.ts';
import type { PlannedStage } from '../stages.ts';

/** The scenario fields every executor takes (each executor adds its own `options`). */
export const COMMON_OPTIONS = ['executor', 'exec', 'tasks', 'waitTime', 'startTime', 'gracefulStop', 'env', 'tags', 'weight'] as const satisfies readonly (keyof ScenarioDefinition)[];

/** Reads and checks one scenario's options, collecting every error (not just the first). */
export class Fields {
  constructor(
    readonly scenario: string,
    readonly raw: Readonly<Record<string, unknown>>,
    readonly errors: string[],
    readonly timeScale: number,
    /** How errors name a field: `scenarios.<name>.`, or '' for the scenario made of top-level `vus`, `duration`, … */
    readonly prefix = `scenarios.${scenario}.`,
    /** Fields the script wrote under another name (the implicit scenario's maxDuration is the top-level `duration`). */
    readonly written: Readonly<Record<string, string>> = {},
  ) {}

  /** Fields already reported: a later check of the same field (e.g. "more than 0" after a bad duration) would only repeat it. */
  readonly #bad = new Set<string>();

  #err(field: string, msg: string): void {
    this.#bad.add(field);
    this.errors.push(`${this.prefix}${Object.hasOwn(this.written, field) ? this.written[field] : field}: ${msg}`);
  }

  int(field: string, def: number | undefined, min = 0): number {
    const v = this.raw[field];
    if (v === undefined) {
      if (def === undefined) this.#err(field, 'is required');
      return def ?? 0;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.#err(field, `must be an integer >= ${min}, got ${shown(v)}`);
      return def ?? min;
    }
    return v;
  }

  num(field: string, def: number | undefined, min = 0): number {
    const v = this.raw[field];
    if (v === undefined) {
      if (def === undefined) this.#err(field, 'is required');
      return def ?? 0;
    }
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min) {
      this.#err(field, `must be a number >= ${min}, got ${shown(v)}`);
      return def ?? min;
    }
    return v;
  }

  /** A duration in ms, compressed by the time scale. */
  duration(field: string, def: DurationInput | undefined, scaled = true): number {
    const v = this.raw[field] as DurationInput | undefined;
    // null is not "unset": like any other value that is not a duration, it is reported
    const src = v === undefined ? def : v;
    if (src === undefined) {
      this.#err(field, 'is required');
      return 0;
    }
    try {
      return scaled ? parseScaledDuration(src, this.timeScale, field) : parseDuration(src, field);
    } catch (e) {
      this.#err(field, (e as Error).message.replace(`${field}: `, ''));
      return 0;
    }
  }

  stages(field: string): PlannedStage[] {
    const v = this.raw[field];
    if (!Array.isArray(v) || v.length === 0) {
      this.#err(field, 'must be a non-empty list of { duration, target }');
      return [];
    }
    return (v as Stage[]).map((s, i) => {
      if (typeof s !== 'object' || s === null) {
        this.#err(`${field}[${i}]`, 'must be { duration, target }');
        return { durationMs: 0, target: 0 };
      }
      let durationMs = 0;
      try {
        durationMs = parseScaledDuration(s.duration, this.timeScale, 'duration');
      } catch (e) {
        this.#err(`${field}[${i}].duration`, (e as Error).message.replace('duration: ', ''));
      }
      if (typeof s.target !== 'number' || !(s.target >= 0) || !Number.isFinite(s.target)) {
        this.#err(`${field}[${i}].target`, `must be a number >= 0, got ${shown(s.target)}`);
        return { durationMs, target: 0 };
      }
      return { durationMs, target: s.target };
    });
  }

  check(cond: boolean, field: string, msg: string): void {
    if (!cond && !this.#bad.has(field)) this.#err(field, msg);
  }

  /** Options every executor takes. */
  base(def: ScenarioDefinition, vuIdOffset: number): ScenarioPlanBase {
    const env = this.#strings('env', def.env);
    const tags = this.#strings('tags', def.tags);
    let waitTime: [number, number] | null = null;
    if (def.waitTime !== undefined) {
      const w = def.waitTime;
      const seconds = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x) && x >= 0;
      if (seconds(w)) waitTime = [w as number, w as number];
      else if (Array.isArray(w) && w.length === 2 && w.every(seconds) && (w[0] as number) <= (w[1] as number))
        waitTime = [w[0] as number, w[1] as number];
      else this.#err('waitTime', `must be seconds or [min, max] seconds, got ${Array.isArray(w) ? `[${w.map(shown).join(', ')}]` : shown(w)}`);
    }
    if (def.exec === undefined && def.tasks === undefined) this.#err('exec', 'a scenario needs `exec` (a function) or `tasks`');
    if (def.exec !== undefined && typeof def.exec !== 'function') this.#err('exec', 'must be a function');
    if (def.tasks !== undefined) {
      const tasks: unknown = def.tasks;
      const entries = typeof tasks === 'object' && tasks !== null && !Array.isArray(tasks) ? Object.entries(tasks) : null;
      if (entries === null) this.#err('tasks', `must be an object of tasks like { browse: { weight: 3, fn } }, got ${shown(tasks)}`);
      else if (entries.length === 0) this.#err('tasks', 'must name at least one task');
      for (const [name, t] of entries ?? []) this.#task(name, t);
    }
    return {
      name: this.scenario,
      executor: def.executor,
      startTimeMs: this.duration('startTime', 0),
      gracefulStopMs: this.duration('gracefulStop', '30s'),
      env,
      tags,
      waitTime,
      vuIdOffset,
    };
  }

  /** One weighted task: a function, or `{ weight, fn }` and nothing else. */
  #task(name: string, t: unknown): void {
    if (typeof t === 'function') return;
    if (typeof t !== 'object' || t === null || typeof (t as { fn?: unknown }).fn !== 'function') {
      this.#err(`tasks.${name}`, 'must be a function or { weight, fn }');
      if (typeof t !== 'object' || t === null) return;
    }
    const given = (t as { weight?: unknown }).weight;
    const weight = given === undefined ? 1 : given;
    if (!(typeof weight === 'number' && Number.isFinite(weight) && weight >= 0)) this.#err(`tasks.${name}.weight`, `must be a number >= 0, got ${shown(weight)}`);
    for (const k of Object.keys(t)) {
      if (k === 'weight' || k === 'fn') continue;
      const hint = closest(k, ['weight', 'fn']);
      this.#err(`tasks.${name}.${k}`, `unknown option of a task${hint === undefined ? '; known: weight, fn' : ` (did you mean "${hint}"?)`}`);
    }
  }

  #strings(field: string, v: unknown): Record<string, string> {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.#err(field, 'must be an object of strings');
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) {
      // as k6: a value that is not a string is refused, not turned into "8080" or "[object Object]"
      if (typeof x === 'string') out[k] = x;
      else this.#err(`${field}.${k}`, `must be a string, got ${shown(x)}`);
    }
    return out;
  }
}
