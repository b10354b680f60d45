/**
 * `--out csv=FILE`: k6's CSV columns, one row per sample of the raw stream
 * (the same samples as `--out json=`), quoting as Go's encoding/csv.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CSV_COLUMNS, csvField, csvFromJsonLines, csvRow } from '../../src/outputs/csv.ts';
import { pointLine } from '../../src/outputs/json-lines.ts';
import { TagSet } from '../../src/metrics/tags.ts';
import { startTestServer, type TestServer } from '../helpers/servers.ts';
import { fixture, runCli } from '../helpers/cli.ts';

/** Split CSV text into rows of fields (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  assert.equal(field + row.join(''), '', 'the file ends with a newline');
  return rows;
}

test('k6 column order, unix seconds, six decimals, known tags in columns, the rest in extra_tags', () => {
  assert.deepEqual(
    [...CSV_COLUMNS],
    'metric_name,timestamp,metric_value,check,error,error_code,expected_response,group,method,name,proto,scenario,service,status,subproto,tls_version,url,extra_tags,metadata'.split(','),
  );
  const row = csvRow('http_req_duration', 1_795_424_645_956, 12.3456789, { zone: 'eu', name: 'create_run', method: 'POST', status: '201', scenario: 'api', expected_response: 'true', team: 'core' });
  assert.equal(row, 'http_req_duration,1795424645,12.345679,,,,true,,POST,create_run,,api,,201,,,,team=core&zone=eu,\n');
  assert.equal(parseCsv(row)[0]?.length, CSV_COLUMNS.length);
});

test('fields with commas, quotes or line breaks are quoted', () => {
  assert.equal(csvField('plain'), 'plain');
  assert.equal(csvField('a,b'), '"a,b"');
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField('two\nlines'), '"two\nlines"');
  assert.equal(csvField(' lead'), '" lead"');
  const row = csvRow('checks', 0, 1, { check: 'status is "2xx", body ok', group: '::a,b' });
  assert.deepEqual(parseCsv(row)[0]?.slice(0, 8), ['checks', '0', '1.000000', 'status is "2xx", body ok', '', '', '', '::a,b']);
});

test('the raw JSON-lines stream converts row for row', () => {
  const t = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const lines =
    pointLine('http_reqs', TagSet.of({ name: 'x', status: '200' }), 1, t) +
    `${JSON.stringify({ type: 'Metric', data: { name: 'http_reqs' }, metric: 'http_reqs' })}\n` +
    pointLine('checks', TagSet.of({ check: 'ok' }), 0, t + 1000);
  assert.equal(csvFromJsonLines(lines), `http_reqs,${Math.floor(t / 1000)},1.000000,,,,,,,x,,,,200,,,,,\nchecks,${Math.floor(t / 1000) + 1},0.000000,ok,,,,,,,,,,,,,,,\n`);
});

let server: TestServer;
before(async () => {
  server = await startTestServer();
  process.env.AL_URL = server.url;
});
after(() => server.close());

test('agentload run --out csv=FILE writes every sample the JSON output writes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'agentload-csv-'));
  const csvFile = join(dir, 'samples.csv');
  const jsonFile = join(dir, 'samples.jsonl');
  const r = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--out', `csv=${csvFile}`, '--out', `json=${jsonFile}`]);
  assert.equal(r.code, 0, r.stderr);
  const rows = parseCsv(readFileSync(csvFile, 'utf8'));
  assert.deepEqual(rows[0], [...CSV_COLUMNS]);
  const data = rows.slice(1);
  for (const row of data) assert.equal(row.length, CSV_COLUMNS.length, row.join(','));
  const points = readFileSync(jsonFile, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; metric: string; data: { time: string; value: number; tags: Record<string, string> } })
    .filter((p) => p.type === 'Point');
  assert.equal(data.length, points.length);
  const key = (metric: string, value: string, name: string, status: string): string => `${metric}|${value}|${name}|${status}`;
  const fromCsv = data.map((r) => key(r[0] as string, r[2] as string, r[9] as string, r[13] as string)).sort();
  const fromJson = points.map((p) => key(p.metric, p.data.value.toFixed(6), p.data.tags.name ?? '', p.data.tags.status ?? '')).sort();
  assert.deepEqual(fromCsv, fromJson);
  // 20 requests, each with its HTTP metrics, tagged by the script's name tag
  assert.equal(data.filter((r) => r[0] === 'http_reqs').length, 20);
  assert.ok(data.filter((r) => r[0] === 'http_reqs').every((r) => r[9] === 'target' && r[8] === 'GET' && r[13] === '200' && r[11] === 'main'));
  assert.equal(data.filter((r) => r[0] === 'checks' && r[3] === 'status is 200').length, 20);
});

test('an unknown output kind is still refused, naming the flag', async () => {
  const r = await runCli(['run', fixture('http-basic.ts'), '--quiet', '--out', 'xml=x.xml']);
  assert.equal(r.code, 104);
  assert.match(r.stderr, /--out "xml=x.xml": unknown output "xml"/);
});
