/**
 * User names and passwords in URLs (`http://admin:pw@host/`), masked as k6
 * masks them in its `url` and `name` tags: `http://****:****@host/` (a user
 * alone gives `http://****@host/`). The authority ends at the first `/`, `?`
 * or `#`; the last `@` before it ends the user part, as URL parsers read it.
 */
const CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/?#\s]+)@/gi;

function mask(_m: string, scheme: string, user: string): string {
  return `${scheme}${user.includes(':') ? '****:****' : '****'}@`;
}

/**
 * A URL as tags, files and reports show it, or a text (an error message, a log line) with every URL in it:
 * user parts masked. The same string when there is none.
 */
export function withoutCredentials(text: string): string {
  return text.includes('@') ? text.replace(CREDENTIALS, mask) : text;
}
