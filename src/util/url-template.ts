import { withoutCredentials } from './url-credentials.ts';

/**
 * The default `name` of a request to a URL: its path template. Every distinct
 * `name` is a series of its own, so ids in URLs (`/api/runs/42?x=1`) would
 * make one series per id; k6 users avoid that with `name` or `http.url`, and
 * agentload does it for requests that have none:
 *
 *   http://host/api/runs/42?x=1                   → http://host/api/runs/{id}
 *   http://host/u/0b7e9a4c-5d1f-4c2a-9e3b-7f6a1d2c8e90/files/a1b2c3d4e5 → http://host/u/{id}/files/{id}
 *   http://admin:pw@host/ok                       → http://****:****@host/ok
 *
 * The query string and fragment are dropped, the user part is masked as k6
 * masks it, and a path segment is `{id}` when it is one of (ID_RULES):
 * a number; a UUID; 8 or more hex digits with at least one digit (hashes,
 * ObjectIds); 16 or more characters of [A-Za-z0-9_.~=+-] with at least one
 * digit (base64url tokens, ULIDs, prefixed ids like `cus_9s6XKzkNRiz8i3`).
 * An id followed by a file extension keeps the extension (`/exports/{id}.csv`).
 * Words, versions (`v2`), dates and short codes stay as they are.
 */
export const ID_RULES: readonly RegExp[] = [
  /^\d+$/,
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  /^(?=[a-f]*\d)[0-9a-f]{8,}$/i,
  /^(?=[^\d]*\d)[A-Za-z0-9_.~=+-]{16,}$/,
];

/** True when a path segment (or a word of a message) is an id by ID_RULES. */
export function isId(segment: string): boolean {
  for (const r of ID_RULES) if (r.test(segment)) return true;
  return false;
}

function templatePath(path: string): string {
  if (path === '/' || path === '') return path;
  const parts = path.split('/');
  let changed = false;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (p === '') continue;
    if (isId(p)) {
      parts[i] = '{id}';
      changed = true;
      continue;
    }
    // an id with a file extension: /exports/8412.csv → /exports/{id}.csv
    const dot = p.lastIndexOf('.');
    if (dot > 0 && p.length - dot <= 6 && isId(p.slice(0, dot))) {
      parts[i] = `{id}${p.slice(dot)}`;
      changed = true;
    }
  }
  return changed ? parts.join('/') : path;
}

/** The path template of a parsed URL (see above). */
export function templateOfUrl(u: URL): string {
  const user = u.password !== '' ? '****:****@' : u.username !== '' ? '****@' : '';
  return `${u.protocol}//${user}${u.host}${templatePath(u.pathname)}`;
}

/** The path template of a URL (see above); a string that is not a URL keeps its text up to `?` or `#`, user part masked. */
export function urlTemplate(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    const cut = url.search(/[?#]/);
    return withoutCredentials(cut === -1 ? url : url.slice(0, cut));
  }
  return templateOfUrl(u);
}

/** Templates by URL, bounded: a script that only ever requests new URLs does not grow it without end. */
const cache = new Map<string, string>();
const CACHE_LIMIT = 10_000;

/** urlTemplate, cached per URL (WebSocket and SSE names: the HTTP client keeps it with its per-URL target). */
export function cachedUrlTemplate(url: string): string {
  let t = cache.get(url);
  if (t === undefined) {
    t = urlTemplate(url);
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(url, t);
  }
  return t;
}
