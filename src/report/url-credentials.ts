/** A URL as reports show it: user and password (`https://user:pass@host`) replaced by `***`. */
export function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@\s]+@/i, '$1***@');
}
