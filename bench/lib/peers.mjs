// Detect (and, when allowed, install) what the benchmarks need: nginx, wrk,
// hey and Locust from Debian's packages, autocannon and artillery from npm
// into bench/node_modules. A peer that cannot be had is skipped with a note.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './args.mjs';

/** Debian packages: binary → package. */
const APT = {
  nginx: { bin: 'nginx', pkg: 'nginx', paths: ['/usr/sbin/nginx'] },
  wrk: { bin: 'wrk', pkg: 'wrk', paths: ['/usr/bin/wrk'] },
  hey: { bin: 'hey', pkg: 'hey', paths: ['/usr/bin/hey'] },
  locust: { bin: 'locust', pkg: 'python3-locust', paths: ['/usr/bin/locust'] },
};

/** npm packages in bench/package.json: tool → entry script. */
const NPM = {
  autocannon: { pkg: 'autocannon', entry: 'autocannon/autocannon.js' },
  artillery: { pkg: 'artillery', entry: 'artillery/bin/run' },
};

let aptUpdated = false;
let npmTried = false;
const cache = new Map();

function which(bin) {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function aptVersion(pkg) {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : '';
}

function findApt(spec) {
  for (const p of spec.paths) if (existsSync(p)) return p;
  return which(spec.bin);
}

function installApt(pkg) {
  if (process.getuid?.() !== 0) return 'not root, cannot apt-get install';
  if (which('apt-get') === null) return 'apt-get not available';
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    console.error('bench: apt-get update');
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env, timeout: 300_000 });
    aptUpdated = true;
  }
  console.error(`bench: apt-get install ${pkg}`);
  const r = spawnSync('apt-get', ['install', '-y', '-qq', pkg], { encoding: 'utf8', env, timeout: 600_000 });
  return r.status === 0 ? null : `apt-get install ${pkg} failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
}

function installNpm() {
  if (npmTried) return 'npm install already failed in this invocation';
  npmTried = true;
  const lock = existsSync(join(BENCH_DIR, 'package-lock.json'));
  console.error(`bench: npm ${lock ? 'ci' : 'install'} in bench/ (autocannon, artillery)`);
  const r = spawnSync('npm', [lock ? 'ci' : 'install', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: BENCH_DIR, encoding: 'utf8', timeout: 600_000 });
  return r.status === 0 ? null : `npm install in bench/ failed: ${(r.stderr || r.stdout).trim().split('\n').pop()}`;
}

/**
 * @typedef {{ ok: true, name: string, path: string, version: string } | { ok: false, name: string, note: string }} Peer
 */

/**
 * Find a peer (installing it when allowed). Never throws: a peer that cannot
 * be had comes back with `ok: false` and a note saying why.
 * @param {string} name nginx, wrk, hey, locust, autocannon, artillery
 * @param {{ install: boolean }} o
 * @returns {Peer}
 */
export function peer(name, o) {
  if (cache.has(name)) return cache.get(name);
  const r = resolvePeer(name, o);
  cache.set(name, r);
  return r;
}

function resolvePeer(name, o) {
  const apt = APT[name];
  if (apt !== undefined) {
    let path = findApt(apt);
    if (path === null) {
      if (!o.install) return { ok: false, name, note: `${apt.bin} not found (--no-install; \`apt-get install ${apt.pkg}\`)` };
      const err = installApt(apt.pkg);
      path = findApt(apt);
      if (path === null) return { ok: false, name, note: err ?? `${apt.bin} not found after installing ${apt.pkg}` };
    }
    if (name === 'locust') {
      const py = spawnSync('/usr/bin/python3', ['-c', 'from locust.contrib.fasthttp import FastHttpUser'], { encoding: 'utf8' });
      if (py.status !== 0) return { ok: false, name, note: `Locust's FastHttpUser cannot be imported: ${py.stderr.trim().split('\n').pop()}` };
    }
    return { ok: true, name, path, version: aptVersion(apt.pkg) };
  }
  const npm = NPM[name];
  if (npm !== undefined) {
    const entry = join(BENCH_DIR, 'node_modules', npm.entry);
    if (!existsSync(entry)) {
      if (!o.install) return { ok: false, name, note: `${npm.pkg} not installed in bench/ (--no-install; \`npm ci --prefix bench\`)` };
      const err = installNpm();
      if (!existsSync(entry)) return { ok: false, name, note: err ?? `${npm.pkg} missing after npm install in bench/` };
    }
    const version = JSON.parse(readFileSync(join(BENCH_DIR, 'node_modules', npm.pkg, 'package.json'), 'utf8')).version;
    return { ok: true, name, path: entry, version };
  }
  throw new Error(`unknown peer "${name}"`);
}

/** taskset is needed to pin target and generator; without it nothing is fair. */
export function requireTaskset() {
  if (which('taskset') === null) throw new Error('taskset not found (util-linux): cannot pin the target and the generator to separate cores');
}

/** The agentload CLI of a checkout, and its version (package.json + git commit). */
export function agentloadOf(dir) {
  const bin = join(dir, 'bin', 'agentload.js');
  if (!existsSync(bin)) throw new Error(`--agentload ${dir}: no bin/agentload.js there`);
  const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
  const git = spawnSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const dirty = spawnSync('git', ['-C', dir, 'status', '--porcelain', '--', 'src'], { encoding: 'utf8' });
  const rev = git.status === 0 ? `${git.stdout.trim()}${dirty.stdout.trim() === '' ? '' : '+changes'}` : `copy at ${dir}`;
  return { bin, version: `${version} (${rev})` };
}
