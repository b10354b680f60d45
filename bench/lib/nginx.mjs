// nginx as the target: a generated config in bench/.work/, loopback only,
// a small JSON at /json and the request counter (stub_status) at /nginx_status.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WORK_DIR } from './args.mjs';
import { spawnPinned, stop } from './proc.mjs';

export const JSON_BODY = '{"ok":true,"message":"hello","n":42}';

/** A loopback port that was free a moment ago. */
export async function freePort() {
  const s = net.createServer();
  await new Promise((r) => s.listen(0, '127.0.0.1', () => r(undefined)));
  const port = /** @type {net.AddressInfo} */ (s.address()).port;
  await new Promise((r) => s.close(() => r(undefined)));
  return port;
}

/** GET a loopback URL on a fresh connection; resolves with status and body. */
export function get(url, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
  });
}

function config(dir, port, workers) {
  // one worker per core of the taskset mask
  const affinity = workers === 1 ? '' : 'worker_cpu_affinity auto;';
  return `worker_processes ${workers};
${affinity}
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
worker_rlimit_nofile 20000;
events { worker_connections 19000; }
http {
  access_log off;
  client_body_temp_path ${dir}/tmp;
  proxy_temp_path ${dir}/tmp;
  fastcgi_temp_path ${dir}/tmp;
  uwsgi_temp_path ${dir}/tmp;
  scgi_temp_path ${dir}/tmp;
  keepalive_requests 10000000;
  keepalive_timeout 120s;
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    location = /json { default_type application/json; return 200 '${JSON_BODY}'; }
    location = /nginx_status { stub_status; }
  }
}
`;
}

/**
 * Start nginx pinned to `cpus` with `workers` worker processes.
 * @param {string} nginxPath
 * @param {{ cpus: string, workers: number }} opts
 */
export async function startNginx(nginxPath, opts) {
  const port = await freePort();
  const dir = join(WORK_DIR, `nginx-${port}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'tmp'), { recursive: true });
  const conf = join(dir, 'nginx.conf');
  writeFileSync(conf, config(dir, port, opts.workers));
  const proc = spawnPinned(opts.cpus, nginxPath, ['-p', dir, '-c', conf]);
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    try {
      const r = await get(`${base}/json`, 500);
      if (r.status === 200) break;
    } catch {
      // not up yet
    }
    if (proc.child.exitCode !== null) break;
    await sleep(50);
  }
  if (proc.child.exitCode !== null) throw new Error(`nginx did not start: ${proc.out.stderr.trim()}`);
  return {
    url: `${base}/json`,
    port,
    pid: proc.pid,
    /** stub_status: open connections now, connections accepted and requests served so far (status requests count). */
    async status() {
      const r = await get(`${base}/nginx_status`);
      const active = Number(r.body.match(/Active connections:\s*(\d+)/)?.[1]);
      const m = r.body.split('\n')[2]?.trim().split(/\s+/);
      if (m === undefined || m.length < 3 || !Number.isFinite(active)) throw new Error(`unexpected stub_status: ${r.body}`);
      return { active, accepts: Number(m[0]), requests: Number(m[2]) };
    },
    /** Requests nginx has served so far. */
    async requests() {
      return (await this.status()).requests;
    },
    async close() {
      await stop(proc, 'SIGQUIT', 3000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
