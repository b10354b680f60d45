import type { RunPlan } from './plan.ts';

/**
 * Variables whose values are secrets wherever they are set (the process
 * environment, `-e`, the script's or a scenario's env, an --env environment):
 * the LLM key (and OpenAI's name for it), the A2A token and the seeds' API
 * token. The plan adds the names it gives `llm.apiKeyEnv` and `a2a.tokenEnv`.
 */
export const SECRET_VARIABLES: readonly string[] = ['LLM_API_KEY', 'OPENAI_API_KEY', 'A2A_TOKEN', 'AUTH_TOKEN'];

/** Words of a header name (split at `-` and `_`) that make it a credential header. */
const CREDENTIAL_WORDS = new Set(['authorization', 'auth', 'cookie', 'token', 'secret', 'password', 'passwd', 'credential', 'credentials', 'apikey', 'key', 'session', 'signature']);

/** Whether a header carries a credential: Authorization, Proxy-Authorization, Cookie, X-API-Key, X-Auth-Token, api_key, … */
export function isCredentialHeader(name: string): boolean {
  return name
    .toLowerCase()
    .split(/[-_]/)
    .some((w) => CREDENTIAL_WORDS.has(w) || w.endsWith('authorization'));
}

/**
 * The secret parts of a credential header's value: the value itself, and for
 * `Scheme credentials` (Bearer, Basic, Token…) the credentials; for Basic also
 * the decoded `user:password` and the password.
 */
export function credentialParts(value: string): string[] {
  const out = [value];
  const m = /^([A-Za-z][\w-]*) +(\S+)\s*$/.exec(value.trim());
  if (m === null) return out;
  const scheme = (m[1] as string).toLowerCase();
  const cred = m[2] as string;
  out.push(cred);
  if (scheme === 'basic') {
    const decoded = Buffer.from(cred, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    // only a real user:password (base64 of anything else decodes to noise)
    if (colon >= 0 && /^[\x20-\x7e]*$/.test(decoded)) {
      out.push(decoded);
      out.push(decoded.slice(colon + 1));
    }
  }
  return out;
}

function headerSecrets(headers: Readonly<Record<string, string>>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(headers)) if (isCredentialHeader(k) && typeof v === 'string') out.push(...credentialParts(v));
  return out;
}

function valuesOf(names: readonly string[], sources: readonly Readonly<Record<string, string | undefined>>[]): string[] {
  const out: string[] = [];
  for (const src of sources) {
    for (const n of names) {
      const v = src[n];
      if (typeof v === 'string' && v !== '') out.push(v);
    }
  }
  return out;
}

/** What is known before the script is loaded: the secret variables in `-e` and the process environment. */
export function preloadSecrets(cliEnv: Readonly<Record<string, string>> | undefined, processEnv: Readonly<Record<string, string | undefined>>): string[] {
  return [...new Set(valuesOf(SECRET_VARIABLES, [cliEnv ?? {}, processEnv]))];
}

/**
 * Every secret a resolved plan names: the values of the secret variables and
 * of the variables `llm.apiKeyEnv` / `a2a.tokenEnv` name, in the process
 * environment and in every env a VU sees (the script's, each scenario's, `-e`,
 * --env), and the credentials of the test-wide headers (`http.headers`,
 * `llm.headers`, `a2a.headers`).
 */
export function planSecrets(plan: RunPlan, processEnv: Readonly<Record<string, string | undefined>>): string[] {
  const names = [...new Set([...SECRET_VARIABLES, plan.llm.apiKeyEnv, plan.a2a.tokenEnv])];
  const values = valuesOf(names, [processEnv, plan.env, ...plan.scenarios.map((s) => s.env)]);
  for (const h of [plan.http.headers, plan.llm.headers, plan.a2a.headers]) values.push(...headerSecrets(h));
  return [...new Set(values)];
}
