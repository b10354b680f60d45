import { readFileSync } from 'node:fs';

/** agentload's version, from package.json (src/ and dist/ are both one level below it). */
export const VERSION: string = (() => {
  try {
    return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
})();
