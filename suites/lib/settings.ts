/**
 * Options of the shipped suites (docs/suites.md).
 *
 * - Request options (paths, payloads, think times) are read when a VU runs:
 *   `-e NAME=VALUE` (ctx.env) first, then the shell environment, then the
 *   suite's default.
 * - Load-shape options (SUITE_SCALE, counts) shape the scenarios, which are
 *   fixed when the script loads, before any VU exists: they come from the
 *   shell environment only (`SUITE_SCALE=0.1 agentload run --suite api`).
 *
 * Every bad value is an error naming the variable.
 */
import type { Stage } from 'agentload';

/** What a setting reads: a VU context's env, or none (load time). */
export interface EnvSource {
  readonly env: Readonly<Record<string, string>>;
}

export class SuiteSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SuiteSettingError';
  }
}

function raw(name: string, ctx?: EnvSource): string | undefined {
  const v = ctx?.env[name] ?? process.env[name];
  return v === undefined || v === '' ? undefined : v;
}

/** A string option: ctx.env, then the shell environment, then `fallback`. */
export function setting(name: string, fallback: string, ctx?: EnvSource): string {
  return raw(name, ctx) ?? fallback;
}

/** A number option, checked against [min, max]. */
export function numberSetting(name: string, fallback: number, ctx?: EnvSource, range: { min?: number; max?: number; integer?: boolean } = {}): number {
  const v = raw(name, ctx);
  if (v === undefined) return fallback;
  const n = Number(v);
  const min = range.min ?? 0;
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!Number.isFinite(n) || n < min || n > max || (range.integer === true && !Number.isInteger(n))) {
    throw new SuiteSettingError(`${name}="${v}": expected ${range.integer === true ? 'an integer' : 'a number'} from ${min} to ${max}`);
  }
  return n;
}

/** A probability option (0 to 1). */
export function chanceSetting(name: string, fallback: number, ctx?: EnvSource): number {
  return numberSetting(name, fallback, ctx, { min: 0, max: 1 });
}

/** A think-time option, seconds: "1.5" or "1-3" (uniform between). */
export function secondsRange(name: string, fallback: readonly [number, number], ctx?: EnvSource): [number, number] {
  const v = raw(name, ctx);
  if (v === undefined) return [fallback[0], fallback[1]];
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:-\s*(\d+(?:\.\d+)?)\s*)?$/.exec(v);
  if (m === null) throw new SuiteSettingError(`${name}="${v}": expected seconds, "1.5" or a range "1-3"`);
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (hi < lo) throw new SuiteSettingError(`${name}="${v}": the range must go from low to high`);
  return [lo, hi];
}

/** A JSON object option (a request payload). */
export function jsonSetting(name: string, fallback: Readonly<Record<string, unknown>>, ctx?: EnvSource): Record<string, unknown> {
  const v = raw(name, ctx);
  if (v === undefined) return { ...fallback };
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch (e) {
    throw new SuiteSettingError(`${name}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new SuiteSettingError(`${name}: expected a JSON object`);
  return parsed as Record<string, unknown>;
}

/** A path option: must start with "/" (or be a full URL); `{name}` placeholders are filled from `vars`. */
export function pathSetting(name: string, fallback: string, ctx?: EnvSource, vars: Readonly<Record<string, string>> = {}): string {
  const template = setting(name, fallback, ctx);
  if (!template.startsWith('/') && !/^(https?|wss?):\/\//.test(template)) throw new SuiteSettingError(`${name}="${template}": a path must start with "/" (or be a full URL)`);
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const v = vars[key];
    if (v === undefined) throw new SuiteSettingError(`${name}="${template}": unknown placeholder ${whole} (known: ${Object.keys(vars).map((k) => `{${k}}`).join(', ') || 'none'})`);
    return encodeURIComponent(v);
  });
}

/**
 * SUITE_SCALE (shell environment, default 1): multiplies every VU count,
 * arrival rate, fixed amount of work and throughput floor of a suite, so the
 * suite can run smaller (0.1) or bigger (2). Latency, error-rate and
 * completion thresholds do not change: they are per request.
 */
export const SCALE: number = numberSetting('SUITE_SCALE', 1, undefined, { min: 0.001, max: 1000 });

/** A count scaled by SUITE_SCALE, at least `min`. */
export function scaled(n: number, min = 1): number {
  return Math.max(min, Math.round(n * SCALE));
}

/** A load-shape count from the shell environment (default `fallback`), then scaled. */
export function scaledCount(name: string, fallback: number, min = 1): number {
  return scaled(numberSetting(name, fallback, undefined, { min: 1, integer: true }), min);
}

/** Stages with their targets scaled (a target of 0 stays 0). */
export function scaledStages(stages: readonly Stage[]): Stage[] {
  return stages.map((s) => ({ duration: s.duration, target: s.target === 0 ? 0 : scaled(s.target) }));
}

/** A throughput floor scaled by SUITE_SCALE, as a threshold number (at most 3 decimals). */
export function scaledFloor(perSecond: number): string {
  return String(Math.round(perSecond * SCALE * 1000) / 1000);
}
