// Every benchmark, one after the other, each in its own process with a time
// limit; results go to bench/RESULTS.md. `npm run bench` runs this.
//   node bench/run-all.mjs [--quick] [--only http,co] [--runs N] [--no-build] [--agentload DIR] [--no-install]
// agentload is rebuilt first when dist/ is older than src/ (--no-build: never).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, parseArgs } from './lib/args.mjs';
import { peer } from './lib/peers.mjs';

/** name → script, and its time limit in seconds (full, quick). */
const BENCHMARKS = [
  ['http', 'http-throughput.mjs', 330, 120],
  ['scaling', 'scaling.mjs', 240, 100],
  ['vu-cost', 'vu-cost.mjs', 330, 120],
  ['accuracy', 'accuracy.mjs', 120, 60],
  ['co', 'coordinated-omission.mjs', 330, 150],
  ['startup', 'startup.mjs', 180, 120],
];

function passThrough(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--only') i++;
    else if (argv[i] !== '--no-build') out.push(argv[i]);
  }
  return out;
}

function run(script, args, limitS) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(BENCH_DIR, script), ...args], { stdio: 'inherit' });
    const timer = setTimeout(() => {
      console.error(`bench: ${script} exceeded ${limitS} s, stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    }, limitS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal === null ? 1 : 128));
    });
  });
}

/** Newest modification time of the files under a folder (0 if none). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) t = Math.max(t, statSync(join(e.parentPath ?? e.path, e.name)).mtimeMs);
  }
  return t;
}

/** dist/ is missing or older than src/: the numbers would not be those of the code. */
function stale(dir) {
  const main = join(dir, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) return true;
  return existsSync(join(dir, 'src')) && newest(join(dir, 'src')) > statSync(main).mtimeMs;
}

async function runAll() {
  const argv = process.argv.slice(2);
  const o = parseArgs(argv);
  const names = BENCHMARKS.map((b) => b[0]);
  for (const n of o.only ?? []) if (!names.includes(n)) throw new Error(`--only: unknown benchmark "${n}" (one of: ${names.join(', ')})`);
  const chosen = BENCHMARKS.filter((b) => o.only === null || o.only.includes(b[0]));
  const t0 = Date.now();

  if (o.build && existsSync(join(o.agentload, 'scripts', 'build.mjs')) && stale(o.agentload)) {
    console.error(`bench: dist/ is older than src/: building agentload (${o.agentload}: npm run build)`);
    const r = spawnSync('npm', ['run', 'build'], { cwd: o.agentload, stdio: 'inherit' });
    if (r.status !== 0) throw new Error('npm run build failed: fix the build, or benchmark the existing dist/ with --no-build');
  }
  // install or detect every peer once, before any clock runs
  for (const name of ['nginx', 'wrk', 'hey', 'locust', 'autocannon', 'artillery']) {
    const p = peer(name, o);
    console.error(`bench: ${name}: ${p.ok ? `${p.path} ${p.version}` : `missing, skipped: ${p.note}`}`);
  }

  const status = [];
  for (const [name, script, full, quick] of chosen) {
    const s0 = Date.now();
    console.error(`\nbench: === ${name} (${script}) ===`);
    const code = await run(script, passThrough(argv), o.quick ? quick : full);
    status.push(`${name}: ${code === 0 ? 'ok' : `failed (exit ${code})`} in ${Math.round((Date.now() - s0) / 1000)} s`);
  }
  console.error(`\nbench: done in ${Math.round((Date.now() - t0) / 1000)} s\n  ${status.join('\n  ')}`);
  if (status.some((s) => s.includes('failed'))) process.exitCode = 1;
}

runAll().catch((e) => {
  console.error(`bench: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
