import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bundleScript, ScriptError } from '../engine/script-loader.ts';
import type { AgentloadConfig } from './environments.ts';

export const CONFIG_NAMES = ['agentload.config.ts', 'agentload.config.mts', 'agentload.config.js', 'agentload.config.mjs'] as const;

/** A config file that cannot be used as such (missing): callers report it as invalid configuration. */
export class ConfigFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigFileError';
  }
}

/** Find agentload.config.* in `dir` (or use `explicit`), bundle and load it; {} when there is none. */
export async function loadConfig(dir: string, explicit?: string): Promise<{ config: AgentloadConfig; path: string | null }> {
  const path = explicit !== undefined ? resolve(explicit) : CONFIG_NAMES.map((n) => join(dir, n)).find((p) => existsSync(p));
  if (path === undefined) return { config: {}, path: null };
  // a --config that does not exist is a configuration error (exit 104), not a script error
  if (!existsSync(path)) throw new ConfigFileError(`--config "${explicit ?? path}": no such file (${path})`);
  const bundle = await bundleScript(path);
  try {
    const mod = (await import(pathToFileURL(bundle.bundlePath).href)) as { default?: unknown };
    if (typeof mod.default !== 'object' || mod.default === null) throw new ScriptError('the config must `export default defineConfig({ … })`', path);
    return { config: mod.default as AgentloadConfig, path };
  } catch (e) {
    if (e instanceof ScriptError) throw e;
    throw new ScriptError(`error while loading the config: ${(e as Error).message}`, path);
  } finally {
    bundle.dispose();
  }
}
