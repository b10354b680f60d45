/**
 * ctx.sql through the built engine and CLI against PostgreSQL (npm run test:services): exact query counts
 * per name in summary.json, a pool bounded at one connection, an SQLSTATE error code, the table dropped.
 * DATABASE_URL overrides the default server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { fixture, readSummary, runCli } from '../test/helpers/cli.ts';
import { TestScope } from '../test/protocols/ws-test-scope.ts';
import { SqlClient } from '../src/protocols/sql/client.ts';
import { closeDataPlane } from '../src/protocols/sql/close-data-plane.ts';

const URL = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

test('24 queries counted by name, pool in use exactly 1, PG_42P01 tagged, table dropped', async () => {
  const table = `agentload_dp_${randomBytes(5).toString('hex')}`;
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    const r = await runCli(['run', fixture('data-plane-sql.ts'), '--quiet', '-e', `DP_TABLE=${table}`, '-e', `DATABASE_URL=${URL}`]);
    assert.equal(r.code, 0, r.stderr);
    const m = readSummary(r.resultsDir).metrics;
    assert.equal(m.iteration_errors, undefined, r.stderr);
    assert.equal(m.iterations?.values.count, 10);
    assert.equal(m.db_query_duration?.values.count, 24);
    assert.equal(m['db_query_duration{name:insert_item}']?.values.count, 10);
    assert.equal(m['db_query_duration{name:read_items}']?.values.count, 10);
    assert.equal(m['db_query_duration{error_code:PG_42P01}']?.values.count, 1);
    // one pooled connection: every query that got it saw exactly one in use (the failed one included)
    assert.deepEqual([m.db_pool_in_use?.values.min, m.db_pool_in_use?.values.max, m.db_pool_in_use?.values.value], [1, 1, 1]);
    assert.deepEqual([m.checks?.values.passes, m.checks?.values.fails], [22, 0]);
    const left = await client.query('SELECT to_regclass($1) AS t', [table]);
    assert.equal(left.rows[0].t, null, 'teardown dropped the table');
  } finally {
    await client.query(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    await client.end();
  }
});

test('the worker pool is bounded and closeDataPlane() ends its connections', async () => {
  const app = `agentload_dp_${randomBytes(4).toString('hex')}`;
  const scope = new TestScope();
  const db = new SqlClient(scope).connect(`${URL}?application_name=${app}`, { max: 2 });
  const results = await Promise.all(Array.from({ length: 5 }, (_, i) => db.query<{ i: number }>('SELECT $1::int AS i, pg_sleep(0.05)', [i], { name: 'sleepy' })));
  assert.deepEqual(results.map((r) => r.rows[0]?.i), [0, 1, 2, 3, 4]);
  assert.equal(scope.count('db_query_duration', { name: 'sleepy' }), 5);
  assert.equal(Math.max(...scope.values('db_pool_in_use')), 2, 'never more than max connections in use');
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    const open = async (): Promise<number> => Number((await client.query('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [app])).rows[0].n);
    assert.equal(await open(), 2);
    await closeDataPlane();
    for (let i = 0; i < 100 && (await open()) > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await open(), 0, 'the pool was ended');
  } finally {
    await client.end();
  }
});
