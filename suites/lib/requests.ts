/** Small helpers the suites share: credentials, JSON bodies, per-VU state. */
import type { HttpResponse, VuContext } from 'agentload';
import { setting, type EnvSource } from './settings.ts';

/** `Authorization: Bearer $AUTH_TOKEN` when the variable is set (ctx.env, then the shell), else nothing. The token is never logged. */
export function authHeaders(ctx: EnvSource, variable = 'AUTH_TOKEN'): Record<string, string> {
  const token = setting(variable, '', ctx);
  return token === '' ? {} : { authorization: `Bearer ${token}` };
}

/** The response body as JSON, or null when there is none or it is not JSON. */
export function jsonOf<T = Record<string, unknown>>(res: HttpResponse): T | null {
  try {
    return res.json<T>();
  } catch {
    return null;
  }
}

/** A string field of a JSON object body (`id` by default), or null. */
export function fieldOf(body: unknown, field = 'id'): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const v = (body as Record<string, unknown>)[field];
  return typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null;
}

/** 2xx. */
export const ok = (r: HttpResponse): boolean => r.status >= 200 && r.status < 300;

/**
 * State kept per VU across its iterations. Module state lives once per
 * worker thread, so it is keyed by the VU id.
 */
export function perVu<T>(init: () => T): (ctx: Pick<VuContext, 'vu'>) => T {
  const states = new Map<number, T>();
  return (ctx) => {
    let s = states.get(ctx.vu);
    if (s === undefined) {
      s = init();
      states.set(ctx.vu, s);
    }
    return s;
  };
}

/** A random element of a non-empty list (undefined for an empty one). */
export function anyOf<T>(ctx: Pick<VuContext, 'randomInt'>, list: readonly T[]): T | undefined {
  return list.length === 0 ? undefined : list[ctx.randomInt(0, list.length - 1)];
}
