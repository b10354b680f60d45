// Build dist/ from src/ with tsc (one output file per source file, so that
// worker threads and scripts share the same module instances).
import { spawnSync } from 'node:child_process';
import { rmSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
let tsc;
try {
  tsc = require.resolve('typescript/bin/tsc');
} catch {
  if (existsSync(join(root, 'dist', 'cli', 'main.js'))) process.exit(0);
  console.error('agentload build: typescript is not installed (run npm ci)');
  process.exit(1);
}
rmSync(join(root, 'dist'), { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
