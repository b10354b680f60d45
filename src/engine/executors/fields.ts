import { parseDuration, type DurationInput } from '../../util/duration.ts';
import type { ScenarioDefinition, Stage } from '../../config/definition.ts';
import type { ScenarioPlanBase } from '../plan.ts';
import type { PlannedStage } from '../stages.ts';

/** Reads and checks one scenario's options, collecting every error (not just the first). */
export class Fields {
  constructor(
    readonly scenario: string,
    readonly raw: Readonly<Record<string, unknown>>,
    readonly errors: string[],
    readonly timeScale: number,
  ) {}

  #err(field: string, msg: string): void {
    this.errors.push(`scenarios.${this.scenario}.${field}: ${msg}`);
  }

  int(field: string, def: number | undefined, min = 0): number {
    const v = this.raw[field];
    if (v === undefined) {
      if (def === undefined) this.#err(field, 'is required');
      return def ?? 0;
    }
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
      this.#err(field, `must be an integer >= ${min}, got ${JSON.stringify(v)}`);
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
      this.#err(field, `must be a number >= ${min}, got ${JSON.stringify(v)}`);
      return def ?? min;
    }
    return v;
  }

  /** A duration in ms, compressed by the time scale. */
  duration(field: string, def: DurationInput | undefined, scaled = true): number {
    const v = this.raw[field] as DurationInput | undefined;
    const src = v ?? def;
    if (src === undefined) {
      this.#err(field, 'is required');
      return 0;
    }
    try {
      const ms = parseDuration(src, field);
      return scaled ? ms / this.timeScale : ms;
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
        durationMs = parseDuration(s.duration, 'duration') / this.timeScale;
      } catch (e) {
        this.#err(`${field}[${i}].duration`, (e as Error).message.replace('duration: ', ''));
      }
      if (typeof s.target !== 'number' || !(s.target >= 0) || !Number.isFinite(s.target)) {
        this.#err(`${field}[${i}].target`, `must be a number >= 0, got ${JSON.stringify(s.target)}`);
        return { durationMs, target: 0 };
      }
      return { durationMs, target: s.target };
    });
  }

  check(cond: boolean, field: string, msg: string): void {
    if (!cond) this.#err(field, msg);
  }

  /** Options every executor takes. */
  base(def: ScenarioDefinition, vuIdOffset: number): ScenarioPlanBase {
    const env = this.#strings('env', def.env);
    const tags = this.#strings('tags', def.tags);
    let waitTime: [number, number] | null = null;
    if (def.waitTime !== undefined) {
      const w = def.waitTime;
      if (typeof w === 'number' && w >= 0) waitTime = [w, w];
      else if (Array.isArray(w) && w.length === 2 && w.every((x) => typeof x === 'number' && x >= 0) && (w[0] as number) <= (w[1] as number))
        waitTime = [w[0] as number, w[1] as number];
      else this.#err('waitTime', `must be seconds or [min, max] seconds, got ${JSON.stringify(w)}`);
    }
    if (def.exec === undefined && def.tasks === undefined) this.#err('exec', 'a scenario needs `exec` (a function) or `tasks`');
    if (def.exec !== undefined && typeof def.exec !== 'function') this.#err('exec', 'must be a function');
    if (def.tasks !== undefined) {
      const entries = Object.entries(def.tasks);
      if (entries.length === 0) this.#err('tasks', 'must name at least one task');
      for (const [name, t] of entries) {
        const fn = typeof t === 'function' ? t : t?.fn;
        if (typeof fn !== 'function') this.#err(`tasks.${name}`, 'must be a function or { weight, fn }');
        const weight = typeof t === 'function' ? 1 : (t.weight ?? 1);
        if (!(typeof weight === 'number' && weight >= 0)) this.#err(`tasks.${name}.weight`, 'must be a number >= 0');
      }
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

  #strings(field: string, v: unknown): Record<string, string> {
    if (v === undefined) return {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.#err(field, 'must be an object of strings');
      return {};
    }
    const out: Record<string, string> = {};
    for (const [k, x] of Object.entries(v)) out[k] = String(x);
    return out;
  }
}
