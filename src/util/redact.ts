/** Secrets shorter than this are not redacted (replacing "a" or "ok" everywhere would garble the output). */
export const MIN_SECRET_LENGTH = 4;

/**
 * The forms a secret takes in what agentload writes: as written, JSON-escaped
 * (inside JSON files and lines) and URL-encoded (inside a URL); longest first,
 * so that a form containing another is replaced whole.
 */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) {
    if (s.length < MIN_SECRET_LENGTH) continue;
    forms.add(s);
    forms.add(JSON.stringify(s).slice(1, -1));
    forms.add(encodeURIComponent(s));
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replace every form of every secret value in a text with "***". */
export function redact(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0) return text;
  return replaceForms(text, secretForms(secrets));
}

/** Replace each of `forms` (longest first) with "***". */
export function replaceForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const f of forms) if (out.includes(f)) out = out.split(f).join('***');
  return out;
}
