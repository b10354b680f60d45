import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalKey, canonicalStat, DEFAULT_RULES, parseChange, resolveRules, RuleError } from '../../src/baseline/rules.ts';

test('parseChange: the change grammar', () => {
  const cases: [string, 'up' | 'down', string, number][] = [
    ['+20%', 'up', 'relative', 0.2],
    ['-10%', 'down', 'relative', 0.1],
    ['+0.1pp', 'up', 'points', 0.001],
    ['+50ms', 'up', 'absolute', 50],
    ['+ 3', 'up', 'absolute', 3],
    ['+.5%', 'up', 'relative', 0.005],
  ];
  for (const [src, worse, kind, amount] of cases) {
    const c = parseChange(src);
    assert.equal(c.worse, worse, src);
    assert.equal(c.kind, kind, src);
    assert.ok(Math.abs(c.amount - amount) < 1e-12, src);
  }
  // fuzz (test/fuzz/rules.fuzz.test.ts): a 300-digit change was read as Infinity, a limit nothing could pass
  for (const bad of ['20%', '+x%', '+20 percent', '', '+-1%', `+${'9'.repeat(310)}%`]) assert.throws(() => parseChange(bad), (e: Error) => e instanceof RuleError && e.message.includes(`"${bad}"`), bad);
});

test('canonical keys and statistics', () => {
  assert.equal(canonicalKey('http_req_duration{ name : create_run , method:POST}'), 'http_req_duration{method:POST,name:create_run}');
  assert.equal(canonicalKey('http_reqs'), 'http_reqs');
  assert.equal(canonicalStat('p95'), 'p(95)');
  assert.equal(canonicalStat('p(99.9)'), 'p(99.9)');
  assert.equal(canonicalStat('median'), 'med');
  assert.equal(canonicalStat('p101'), undefined);
  assert.equal(canonicalStat('nope'), undefined);
  // fuzz: one spelling per percentile (p(095) found no p(95) in a summary), and no unbalanced parentheses
  assert.equal(canonicalStat('p(095)'), 'p(95)');
  assert.equal(canonicalStat('p95.0'), 'p(95)');
  assert.equal(canonicalStat('p( 99.90 )'), 'p(99.9)');
  assert.equal(canonicalStat('p(0.0)'), 'p(0)');
  assert.equal(canonicalStat('p01)'), undefined);
  assert.equal(canonicalStat('p(95'), undefined);
  // fuzz: "toString" and "constructor" returned Object.prototype's functions as statistics
  assert.equal(canonicalStat('toString'), undefined);
  assert.equal(canonicalStat('constructor'), undefined);
});

test('resolveRules: the seed defaults', () => {
  const rules = resolveRules();
  const find = (key: string, stat: string) => rules.find((r) => r.key === key && r.stat === stat)?.limit.source;
  assert.equal(find('http_req_duration', 'p(95)'), '+20%');
  assert.equal(find('http_req_duration', 'p(99)'), '+25%');
  assert.equal(find('ws_msg_rtt', 'p(95)'), '+15%');
  assert.equal(find('ws_connecting', 'p(99)'), '+20%');
  assert.equal(find('http_req_failed', 'rate'), '+0.1pp');
  assert.equal(find('http_reqs', 'rate'), '-10%');
  assert.equal(rules.length, Object.values(DEFAULT_RULES).reduce((n, s) => n + Object.keys(s).length, 0));
  assert.ok(rules.every((r) => r.origin === 'default' && r.minDelta === 0));
});

test('resolveRules: config overrides per statistic, adds per tag, turns off, or replaces the defaults', () => {
  const rules = resolveRules({
    rules: {
      http_req_duration: { p95: '+10%', 'p(99)': false },
      'http_req_duration{name:create_run}': { 'p(95)': { change: '+5%', minDelta: 3 } },
      ws_msg_rtt: false,
    },
  });
  const main = rules.filter((r) => r.key === 'http_req_duration');
  assert.deepEqual(main.map((r) => [r.stat, r.limit.source, r.origin]), [['p(95)', '+10%', 'config']]);
  const tagged = rules.find((r) => r.key === 'http_req_duration{name:create_run}');
  assert.equal(tagged?.minDelta, 3);
  assert.equal(tagged?.limit.amount, 0.05);
  assert.equal(rules.some((r) => r.key === 'ws_msg_rtt'), false);
  const only = resolveRules({ defaults: false, rules: { llm_ttft: { p99: '+30%' } } });
  assert.deepEqual(only.map((r) => `${r.key} ${r.stat} ${r.limit.source}`), ['llm_ttft p(99) +30%']);
});

test('resolveRules: every problem at once, each quoting its input', () => {
  try {
    resolveRules({
      alpha: 2,
      rules: { 'bad key{': { p95: '+1%' }, http_reqs: { rate: 'ten percent' }, http_req_duration: { p42x: '+1%', p95: { change: '+1%', minDelta: -1 } } },
    });
    assert.fail('expected a RuleError');
  } catch (e) {
    assert.ok(e instanceof RuleError);
    assert.equal(e.problems.length, 5, e.message);
    assert.match(e.message, /regression\.alpha/);
    assert.match(e.message, /"bad key\{"/);
    assert.match(e.message, /"ten percent"/);
    assert.match(e.message, /"p42x"/);
    assert.match(e.message, /minDelta/);
  }
});

test('gateSettings: config, then flags; --no-history turns recording off', async () => {
  const { gateSettings } = await import('../../src/baseline/settings.ts');
  const cwd = '/project';
  assert.equal(gateSettings({}, {}, cwd).historyPath, '/project/.agentload/history.db');
  assert.equal(gateSettings({}, {}, cwd).baselinesDir, '/project/baselines');
  assert.equal(gateSettings({ history: { path: 'perf/h.db' }, baselines: { dir: 'perf/baselines' } }, {}, cwd).historyPath, '/project/perf/h.db');
  assert.equal(gateSettings({ history: { path: 'perf/h.db' } }, { history: '/tmp/x.db' }, cwd).historyPath, '/tmp/x.db');
  assert.equal(gateSettings({}, { history: false }, cwd).historyPath, null);
  assert.equal(gateSettings({ history: { enabled: false } }, {}, cwd).historyPath, null);
  assert.equal(gateSettings({ history: { enabled: false } }, { history: 'h.db' }, cwd).historyPath, '/project/h.db');
  assert.equal(gateSettings({ regression: { alpha: 0.01 } }, {}, cwd).alpha, 0.01);
  assert.throws(() => gateSettings({ regression: { rules: { http_reqs: { rate: '10%' } } } }), RuleError);
});

test('resolveRules: a regression config of the wrong shape is a RuleError, not a TypeError (fuzz: regression: null)', () => {
  for (const bad of [null, 'strict', 5, [], { rules: 'x' }, { rules: [] }, { rules: null }]) {
    assert.throws(() => resolveRules(bad as never), (e: Error) => e instanceof RuleError && /^regression(\.rules)?: expected/.test(e.message), JSON.stringify(bad));
  }
  assert.throws(() => resolveRules({ rules: { http_reqs: { rate: { change: '-10%', minDelta: Infinity } } } }), /minDelta must be a finite number >= 0, got Infinity/);
});
