import { readdirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';

/** True if a path has glob characters (`*`, `?`, `[…]`). */
export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern);
}

function isClass(cls: string): boolean {
  try {
    new RegExp(cls);
    return true;
  } catch {
    return false;
  }
}

function segmentRegExp(segment: string): RegExp {
  let re = '';
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i] as string;
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = segment.indexOf(']', i + 1);
      const body = end === -1 ? '' : segment.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
      // a class a RegExp cannot hold (a reversed range, "[z-a]") matches its characters literally, as in a shell
      if (end === -1 || !isClass(`[${body}]`)) re += '\\[';
      else {
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Expand a glob (`*`, `?` and `[…]` in any path segment; no `**`) against the
 * file system, as a shell would: matches sorted, hidden entries only when the
 * segment starts with a dot.
 */
export function expandGlob(pattern: string, cwd = process.cwd()): string[] {
  const abs = isAbsolute(pattern);
  const parts = pattern.split(/[\\/]+/).filter((p, i) => p !== '' || i === 0);
  let bases = [abs ? sep : resolve(cwd)];
  const start = abs ? 1 : 0;
  for (let i = start; i < parts.length; i++) {
    const part = parts[i] as string;
    const next: string[] = [];
    if (!isGlob(part)) {
      for (const b of bases) next.push(join(b, part));
    } else {
      const re = segmentRegExp(part);
      for (const b of bases) {
        let names: string[];
        try {
          if (!statSync(b).isDirectory()) continue;
          names = readdirSync(b);
        } catch {
          continue;
        }
        for (const n of names.sort()) if ((part.startsWith('.') || !n.startsWith('.')) && re.test(n)) next.push(join(b, n));
      }
    }
    bases = next;
  }
  return bases.filter((p) => {
    try {
      statSync(p);
      return true;
    } catch {
      return false;
    }
  });
}
