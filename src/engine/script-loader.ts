import { mkdtempSync, readdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Message } from 'esbuild';
import type { TestDefinition } from '../config/definition.ts';

/** A script that could not be bundled or loaded: exits 107 with file:line:column. */
export class ScriptError extends Error {
  constructor(
    message: string,
    readonly location: string,
  ) {
    super(location === '' ? message : `${location}: ${message}`);
    this.name = 'ScriptError';
  }
}

export interface BundledScript {
  /** The script as the user named it (absolute). */
  readonly sourcePath: string;
  /** The bundle to import (ESM, inline source map). */
  readonly bundlePath: string;
  dispose(): void;
}

/** The module scripts get for `import … from 'agentload'`: this very build, so that workers share its registries. */
function agentloadEntry(): string {
  const self = import.meta.url;
  const ext = self.endsWith('.ts') ? 'ts' : 'js';
  return fileURLToPath(new URL(`../index.${ext}`, self));
}

function locate(m: Message): string {
  const l = m.location;
  return l === null ? '' : `${l.file}:${l.line}:${l.column + 1}`;
}

/** Bundles in progress: esbuild's service process is stopped when the last one ends (it would live for the whole run). */
let bundling = 0;

/**
 * Bundle folders are `agentload-bundle-<pid>-XXXXXX` in the OS temp folder: removed by dispose(), by the
 * process's 'exit' (process.exit after a forced stop, an uncaught exception), and, for a process that was
 * killed (kill -9), by the next bundleScript of any process, which sees that the pid is gone.
 */
const BUNDLE_PREFIX = 'agentload-bundle-';
const liveBundles = new Set<string>();
let exitHooked = false;
let swept = false;

function removeLiveBundles(): void {
  for (const dir of liveBundles) rmSync(dir, { recursive: true, force: true });
  liveBundles.clear();
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Remove the bundle folders of processes that are gone (killed before they could clean up); returns how many. */
export function sweepStaleBundles(dir = tmpdir()): number {
  let removed = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  for (const name of names) {
    const m = /^agentload-bundle-(\d+)-/.exec(name);
    if (m === null) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processAlive(pid)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

function newBundleDir(): string {
  if (!swept) {
    swept = true;
    sweepStaleBundles();
  }
  const dir = mkdtempSync(join(tmpdir(), `${BUNDLE_PREFIX}${process.pid}-`));
  liveBundles.add(dir);
  if (!exitHooked) {
    exitHooked = true;
    process.on('exit', removeLiveBundles);
  }
  return dir;
}

function removeBundleDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
  liveBundles.delete(dir);
}

/**
 * Bundle a test script with esbuild: TypeScript and npm imports work on Node
 * 20; `agentload` itself stays external and resolves to this build. esbuild is
 * loaded here, not at import, so that worker threads (which only import the
 * bundle) never load it.
 */
export async function bundleScript(path: string): Promise<BundledScript> {
  const sourcePath = resolve(path);
  if (!existsSync(sourcePath)) throw new ScriptError(`script not found`, path);
  const dir = newBundleDir();
  const bundlePath = join(dir, `${basename(sourcePath).replace(/\.[cm]?[jt]s$/, '')}.bundle.mjs`);
  const entry = agentloadEntry();
  bundling++;
  try {
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [sourcePath],
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      sourcesContent: false,
      outfile: bundlePath,
      logLevel: 'silent',
      absWorkingDir: process.cwd(),
      banner: { js: "import { createRequire as __agentloadRequire } from 'node:module'; const require = __agentloadRequire(import.meta.url);" },
      plugins: [
        {
          name: 'agentload-self',
          setup(b) {
            b.onResolve({ filter: /^agentload$/ }, () => ({ path: pathToFileURL(entry).href, external: true }));
          },
        },
      ],
    });
    void result;
  } catch (e) {
    removeBundleDir(dir);
    const errors = (e as { errors?: Message[] }).errors;
    if (errors !== undefined && errors.length > 0) {
      const first = errors[0] as Message;
      const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
      throw new ScriptError(`${first.text}${more}`, locate(first));
    }
    throw new ScriptError((e as Error).message, path);
  } finally {
    if (--bundling === 0) await stopEsbuild();
  }
  return { sourcePath, bundlePath, dispose: () => removeBundleDir(dir) };
}

async function stopEsbuild(): Promise<void> {
  const { stop } = await import('esbuild');
  if (bundling === 0) await stop();
}

/** file:line:column of the first stack frame inside the script, when source maps point there. */
export function scriptLocation(err: unknown, sourcePath: string): string {
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  const file = sourcePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`(?:file://)?(${file}):(\\d+):(\\d+)`).exec(stack);
  return m === null ? sourcePath : `${m[1]}:${m[2]}:${m[3]}`;
}

/** Import a bundled script and return its default export. */
export async function importScript(script: BundledScript): Promise<TestDefinition> {
  process.setSourceMapsEnabled(true);
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(script.bundlePath).href)) as { default?: unknown };
  } catch (e) {
    throw new ScriptError(`error while loading the script: ${(e as Error).message ?? String(e)}`, scriptLocation(e, script.sourcePath));
  }
  const def = mod.default;
  if (typeof def !== 'object' || def === null) {
    throw new ScriptError('the script must `export default defineTest({ … })`', script.sourcePath);
  }
  return def as TestDefinition;
}
