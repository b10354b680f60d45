/**
 * Secrets never leave a run, wherever they come from and wherever they go:
 * the LLM key (process environment), the A2A token (`-e`), an --env
 * environment's secret and a credential header the script declares
 * (`http.headers['x-api-key']`, from a variable agentload knows nothing
 * about). A local server echoes them into its bodies, headers, an error and
 * a URL the script then requests; the script prints them with every console
 * method and raw writes, at its top level (main thread and workers), in
 * setup, in its iterations and in teardown, and leaves a promise rejected at
 * its top level (counted under `init`, not a crash that prints it). No file of the run, no raw
 * sample line, neither stdout nor stderr holds one; `***` stands where it was,
 * and every console line is still there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSummary, runCli, type CliResult } from '../helpers/cli.ts';

const LLM_KEY = 'sk-llm-Zq7x1-LEAKME';
const A2A_TOKEN = 'a2a-tok-Wm3p9-LEAKME';
const ENV_SECRET = 'env-sec-Kd2s8-LEAKME';
const SERVICE_KEY = 'svc-key-Hb5n4-LEAKME';
const SECRETS = [LLM_KEY, A2A_TOKEN, ENV_SECRET, SERVICE_KEY];

/** Every form a secret could be written in. */
const forms = (s: string): string[] => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s), Buffer.from(s).toString('base64')];

let server: Server;
let url = '';
const seen: string[] = [];

/** Echoes every credential it gets: in the body, in headers, in an error and in a URL to request next. */
function echo(req: IncomingMessage, res: ServerResponse): void {
  const auth = req.headers.authorization ?? '';
  const key = String(req.headers['x-api-key'] ?? '');
  const envSecret = String(req.headers['x-env-secret'] ?? '');
  const path = (req.url ?? '').split('?')[0] as string;
  seen.push(`${req.method} ${req.url} ${auth} ${key}`);
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-echo-auth': auth, 'x-echo-key': key, ...headers });
    res.end(JSON.stringify(body));
  };
  req.resume();
  req.on('end', () => {
    if (path === '/echo') json(200, { auth, key, envSecret, next: `/next/${encodeURIComponent(envSecret)}?key=${encodeURIComponent(key)}` });
    else if (path.startsWith('/next/')) json(200, { ok: true });
    else if (path === '/fail') json(500, { error: `bad credentials: ${key} / ${envSecret}` });
    else if (path === '/v1/chat/completions') {
      json(200, {
        id: 'c1',
        object: 'chat.completion',
        created: 1,
        model: 'echo',
        choices: [{ index: 0, message: { role: 'assistant', content: `your key is ${auth}` }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 4, total_tokens: 5 },
      });
    } else if (path === '/api/a2a/tasks' && req.method === 'POST') json(200, { id: auth.replace(/^Bearer /, ''), state: 'submitted' });
    else if (path.startsWith('/api/a2a/tasks/')) json(200, { id: decodeURIComponent(path.split('/')[4] as string), state: 'completed', note: auth });
    else json(404, { error: 'no route' });
  });
}

after(() => new Promise<void>((r) => server.close(() => r())));

const SCRIPT = `
import { defineTest } from 'agentload';

const top = \`llm=\${process.env.LLM_API_KEY} env=\${process.env.ECHO_ENV_SECRET} svc=\${process.env.SERVICE_KEY}\`;
console.log(\`top-level log \${top}\`);
console.info(\`top-level info \${top}\`);
console.warn(\`top-level warn \${top}\`);
console.error(\`top-level error \${top}\`);
console.debug(\`top-level debug \${top}\`);
// one secret split over two raw writes
const k = process.env.LLM_API_KEY ?? '';
process.stdout.write(\`top-level split=\${k.slice(0, 7)}\`);
process.stdout.write(\`\${k.slice(7)} end\\n\`);
process.stderr.write(\`top-level raw stderr \${top}\\n\`);
// a promise the top level leaves rejected: on the main thread and in each worker
void Promise.reject(new Error(\`top-level rejection \${process.env.SERVICE_KEY}\`));

export default defineTest({
  http: { headers: { 'x-api-key': process.env.SERVICE_KEY ?? '' } },
  llm: { model: 'echo' },
  scenarios: {
    main: {
      executor: 'shared-iterations',
      vus: 2,
      iterations: 4,
      exec: async (ctx) => {
        const headers = { 'x-env-secret': ctx.env.ECHO_ENV_SECRET ?? '' };
        const r = await ctx.http.get('/echo', { headers });
        console.log(\`exec body \${r.body}\`);
        console.warn(\`exec header \${r.headers['x-echo-key']} \${r.headers['x-echo-auth']}\`);
        const next = (r.json() as { next: string }).next;
        await ctx.http.get(next, { headers, tags: { token: ctx.env.A2A_TOKEN ?? '' } });
        const chat = await ctx.llm.chat({ messages: [{ role: 'user', content: 'hi' }], stream: false });
        console.error(\`exec llm \${chat.text}\`);
        const task = await ctx.a2a.rest.submit({ input: 'x' });
        const polled = await ctx.a2a.rest.get(task.id ?? '');
        console.info(\`exec a2a \${JSON.stringify(polled.body)}\`);
        ctx.check(r, { [\`token \${ctx.env.A2A_TOKEN}\`]: () => true });
        const fail = await ctx.http.get('/fail', { headers });
        throw new Error(\`server said \${fail.body}\`);
      },
    },
  },
  setup: async (ctx) => {
    console.log(\`setup a2a=\${ctx.env.A2A_TOKEN} env=\${ctx.env.ECHO_ENV_SECRET}\`);
  },
  teardown: async (ctx) => {
    console.log(\`teardown llm=\${process.env.LLM_API_KEY} a2a=\${ctx.env.A2A_TOKEN}\`);
  },
});
`;

/** Every file under a folder, recursively. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function assertNoSecret(text: string, where: string): void {
  for (const s of SECRETS) for (const f of forms(s)) assert.ok(!text.includes(f), `${where} holds ${JSON.stringify(f)}`);
}

const count = (text: string, line: string): number => text.split('\n').filter((l) => l === line).length;

let r: CliResult;
let out: string;
before(async () => {
  server = createServer(echo);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dir = mkdtempSync(join(tmpdir(), 'agentload-secrets-'));
  out = join(dir, 'out');
  mkdirSync(out);
  const script = join(dir, 'echo-secrets.ts');
  writeFileSync(script, SCRIPT);
  const config = join(dir, 'agentload.config.ts');
  writeFileSync(config, `export default { environments: { echo: { baseUrl: '$ECHO_URL', secrets: ['ECHO_ENV_SECRET'] } } };\n`);
  const saved = { ...process.env };
  Object.assign(process.env, { LLM_API_KEY: LLM_KEY, ECHO_ENV_SECRET: ENV_SECRET, SERVICE_KEY: SERVICE_KEY, ECHO_URL: url });
  delete process.env.A2A_TOKEN;
  try {
    r = await runCli([
      'run', script, '--config', config, '--env', 'echo', '-e', `A2A_TOKEN=${A2A_TOKEN}`, '--workers', '2',
      '--out', `json=${join(out, 'samples.jsonl')}`, '--out', `csv=${join(out, 'samples.csv')}`,
      '--summary-export', join(out, 'export.json'), '--junit', join(out, 'junit.xml'), '--markdown', join(out, 'summary.md'),
      '--history', join(out, 'history.db'),
    ]);
  } finally {
    for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
    Object.assign(process.env, saved);
  }
});

test('the run went through: every request reached the echo server with its secret', () => {
  assert.equal(r.code, 0, r.stderr);
  const s = readSummary(r.resultsDir);
  assert.equal(s.metrics.iterations?.values.count, 4);
  // 4 iterations, and the top level's rejection on the main thread and in both workers
  assert.equal(s.metrics.iteration_errors?.values.count, 4 + 3);
  // echo, next, submit, get, fail per iteration (the chat is in llm_*)
  assert.equal(s.metrics.http_reqs?.values.count, 4 * 5);
  assert.equal(s.metrics.llm_e2e?.values.count, 4);
  assert.ok(seen.some((l) => l.includes(`Bearer ${LLM_KEY}`)), 'the LLM key was sent');
  assert.ok(seen.some((l) => l.includes(`Bearer ${A2A_TOKEN}`)), 'the A2A token was sent');
  assert.ok(seen.some((l) => l.includes(SERVICE_KEY)), 'the credential header was sent');
  assert.ok(seen.some((l) => l.includes(encodeURIComponent(ENV_SECRET))), 'the environment secret came back in a URL');
});

test('no file of the run, no --out json / csv line, no export holds a secret', () => {
  const files = [...walk(r.resultsDir), ...walk(out)];
  for (const name of ['summary.json', 'summary.txt', 'timeseries.json', 'series.json', 'report.html', 'samples.jsonl', 'samples.csv', 'export.json', 'junit.xml', 'summary.md', 'history.db']) {
    assert.ok(files.some((f) => f.endsWith(`/${name}`)), `${name} written`);
  }
  for (const f of files) assertNoSecret(readFileSync(f).toString('latin1'), f);
});

test('neither stdout nor stderr holds a secret', () => {
  assertNoSecret(r.stdout, 'stdout');
  assertNoSecret(r.stderr, 'stderr');
});

test('*** stands where each secret was: URLs, tags, check names, errors', () => {
  const samples = readFileSync(join(out, 'samples.jsonl'), 'utf8');
  assert.match(samples, /"url":"[^"]*\/next\/\*\*\*\?key=\*\*\*"/);
  assert.match(samples, /"url":"[^"]*\/api\/a2a\/tasks\/\*\*\*"/);
  assert.match(samples, /"token":"\*\*\*"/);
  const s = readSummary(r.resultsDir);
  assert.deepEqual(s.root_group.checks.map((c) => c.name), ['token ***']);
  assert.deepEqual(
    s.agentload.errors.map((e) => [e.scenario, e.message, e.count]),
    // most frequent first
    [
      ['main', 'server said {"error":"bad credentials: *** / ***"}', 4],
      ['init', 'top-level rejection ***', 3],
    ],
  );
});

test('every console line is still there, redacted: top level (main thread and 2 workers), setup, iterations, teardown', () => {
  const top = 'llm=*** env=*** svc=***';
  // stdout: console.log, console.info, console.debug and raw writes; stderr: console.warn, console.error and raw writes
  for (const m of ['log', 'info', 'debug']) assert.equal(count(r.stdout, `top-level ${m} ${top}`), 3, m);
  for (const m of ['warn', 'error']) assert.equal(count(r.stderr, `top-level ${m} ${top}`), 3, m);
  assert.equal(count(r.stdout, 'top-level split=*** end'), 3, 'a secret split across two writes');
  assert.equal(count(r.stderr, `top-level raw stderr ${top}`), 3);
  assert.equal(count(r.stdout, 'setup a2a=*** env=***'), 1);
  assert.equal(count(r.stdout, 'teardown llm=*** a2a=***'), 1);
  const body = `exec body ${JSON.stringify({ auth: '', key: '***', envSecret: '***', next: '/next/***?key=***' })}`;
  assert.equal(count(r.stdout, body), 4);
  assert.equal(count(r.stderr, 'exec header *** '), 4);
  assert.equal(count(r.stderr, 'exec llm your key is Bearer ***'), 4);
  assert.equal(count(r.stdout, `exec a2a ${JSON.stringify({ id: '***', state: 'completed', note: 'Bearer ***' })}`), 4);
  // the script's output comes before the summary
  assert.ok(r.stdout.lastIndexOf('teardown llm=') < r.stdout.indexOf('RESULT'), 'teardown output before the summary');
});

test('a failing setup() or a script that throws while loading: exit 107, the error and what was printed before it redacted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-secrets-'));
  const setupScript = join(dir, 'setup-fails.ts');
  writeFileSync(
    setupScript,
    `import { defineTest } from 'agentload';
export default defineTest({
  iterations: 1,
  setup: async () => {
    console.log(\`setup sees \${process.env.LLM_API_KEY}\`);
    throw new Error(\`rejected key \${process.env.LLM_API_KEY}\`);
  },
  exec: async () => {},
});
`,
  );
  const loadScript = join(dir, 'load-fails.ts');
  writeFileSync(loadScript, `console.log(\`loading with \${process.env.LLM_API_KEY}\`);\nthrow new Error(\`cannot load with \${process.env.LLM_API_KEY}\`);\n`);
  const saved = process.env.LLM_API_KEY;
  process.env.LLM_API_KEY = LLM_KEY;
  try {
    const setup = await runCli(['run', setupScript, '--quiet', '--no-history']);
    assert.equal(setup.code, 107, setup.stderr);
    assertNoSecret(setup.stdout + setup.stderr, 'output');
    assert.equal(count(setup.stdout, 'setup sees ***'), 1);
    assert.match(setup.stderr, /setup\(\) failed: rejected key \*\*\*/);
    const load = await runCli(['run', loadScript, '--quiet', '--no-history']);
    assert.equal(load.code, 107, load.stderr);
    assertNoSecret(load.stdout + load.stderr, 'output');
    assert.equal(count(load.stdout, 'loading with ***'), 1);
    assert.match(load.stderr, /cannot load with \*\*\*/);
  } finally {
    if (saved === undefined) delete process.env.LLM_API_KEY;
    else process.env.LLM_API_KEY = saved;
  }
});
