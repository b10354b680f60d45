/**
 * `agentload target` and `agentload demo` as a user runs them (the build):
 * the target prints its URL, serves, and stops cleanly on SIGTERM; bad flags
 * and a busy port exit 104; the demo passes and leaves a results folder.
 * Needs `npm run build` first (npm test does it).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.ts';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'agentload.js');

interface Started {
  child: ChildProcessWithoutNullStreams;
  url: string;
  output: () => { stdout: string; stderr: string };
  exit: Promise<number | null>;
}

function startCli(args: string[], env: Record<string, string> = {}): Promise<Started> {
  const child = spawn(process.execPath, [BIN, 'target', ...args], { env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', AMQP_URL: '', AGENTLOAD_TARGET_TOKEN: '', ...env } });
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`agentload target did not print its URL\n${stderr}`));
    }, 20_000);
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(stdout);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, output: () => ({ stdout, stderr }), exit });
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`agentload target exited with ${code} before listening\n${stderr}`));
    });
  });
}

test('agentload target prints its URL, serves the API, and stops on SIGTERM with exit 0', async () => {
  const s = await startCli(['--port', '0', '--llm-ttft', '5ms', '--llm-itl', '1ms', '--seed', '3']);
  assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const health = await fetch(`${s.url}/health`);
  assert.equal(health.status, 200);
  const chat = await fetch(`${s.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"message":"hi"}' });
  assert.equal(chat.status, 200);
  s.child.kill('SIGTERM');
  assert.equal(await s.exit, 0);
  assert.match(s.output().stderr, /SIGTERM: stopping the target/);
  assert.match(s.output().stderr, /target stopped/);
  assert.match(s.output().stderr, /store: SQLite in memory/);
});

test('agentload target --token: /api needs the bearer token, which is never printed', async () => {
  const token = 'cli-secret-token-123';
  const s = await startCli(['--port', '0', '--token', token]);
  assert.equal((await fetch(`${s.url}/api/runs`)).status, 401);
  assert.equal((await fetch(`${s.url}/api/runs`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
  s.child.kill('SIGINT');
  assert.equal(await s.exit, 0);
  const { stdout, stderr } = s.output();
  assert.doesNotMatch(stdout + stderr, new RegExp(token));
  assert.match(stderr, /auth: bearer token required/);
});

test('agentload target: bad flags and a busy port exit 104 with the problem named', async () => {
  const bad = await runCli(['target', '--llm-error-rate', '2']);
  assert.equal(bad.code, 104);
  assert.match(bad.stderr, /--llm-error-rate "2": expected a number from 0 to 1/);
  const badTtft = await runCli(['target', '--llm-ttft', 'soon']);
  assert.equal(badTtft.code, 104);
  assert.match(badTtft.stderr, /--llm-ttft "soon"/);
  const busy = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  try {
    const port = (busy.address() as AddressInfo).port;
    const r = await runCli(['target', '--port', String(port)]);
    assert.equal(r.code, 104);
    assert.match(r.stderr, new RegExp(`port ${port} is already in use`));
  } finally {
    busy.close();
  }
});

// Latency thresholds depend on the machine and its load; the test checks behaviour: no failed
// request, every check passed, every interface exercised, a results folder.
test('agentload demo: starts the target, runs the suites one after the other, one results folder each plus an index', async () => {
  const r = await runCli(['demo', '--suites', 'demo,smoke', '--time-scale', '5', '--no-history', '--no-thresholds', '--quiet'], { timeoutMs: 90_000 });
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const entries = readdirSync(r.resultsDir).sort();
  const indexFile = entries.find((e) => e.endsWith('-demo.index.json'));
  assert.ok(indexFile !== undefined, `an index in ${entries.join(', ')}`);
  const index = JSON.parse(readFileSync(join(r.resultsDir, indexFile), 'utf8')) as { suites: { suite: string; exitCode: number; resultsDir: string }[]; exitCode: number };
  assert.deepEqual(index.suites.map((s) => [s.suite, s.exitCode]), [['demo', 0], ['smoke', 0]]);
  assert.equal(index.exitCode, 0);
  for (const s of index.suites) {
    assert.ok(existsSync(join(s.resultsDir, 'summary.json')) && existsSync(join(s.resultsDir, 'report.html')), `${s.suite} wrote its folder`);
  }
  const folder = (index.suites[0] as { resultsDir: string }).resultsDir;
  const summary = JSON.parse(readFileSync(join(folder, 'summary.json'), 'utf8')) as { metrics: Record<string, { values: Record<string, number> }> };
  assert.equal(summary.metrics.http_req_failed?.values.rate, 0);
  assert.equal(summary.metrics.checks?.values.rate, 1);
  const endpoints = new Set((summary as unknown as { agentload: { endpoints: { name: string; count: number }[] } }).agentload.endpoints.filter((e) => e.count > 0).map((e) => e.name));
  for (const name of ['health', 'create_run', 'graft_run', 'prune_step', 'chat', 'workflow', 'analytics', 'a2a_submit', 'list_tasks', 'execute_dag', 'vote', 'cached_read', 'llm_completion', 'a2a_message_send']) {
    assert.ok(endpoints.has(name), `the demo exercised ${name}`);
  }
  assert.equal(summary.metrics.vote_tally_consistent?.values.rate, 1);
  assert.match(r.stdout, /demo: 2 suites against the reference target\n\s+demo\s+passed .*report\.html\n\s+smoke\s+passed/);
});

test('agentload demo --suites with an unknown suite: exit 2 naming it', async () => {
  const r = await runCli(['demo', '--suites', 'smoke,nope', '--no-history', '--quiet']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--suites "smoke,nope": unknown suite "nope"/);
});
