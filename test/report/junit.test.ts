/**
 * JUnit XML: well-formed, and valid against the rules of the JUnit schema CI
 * systems read (Jenkins' junit-10.xsd / the Ant format): element nesting and
 * order, required attributes, numeric and timestamp formats, counts that add
 * up. The checker is a strict little XML parser written for this test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeXml, renderJunit } from '../../src/report/junit.ts';
import { EVIL, sampleRun } from './sample-run.ts';

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(s: string, where: string): string {
  if (/[<]/.test(s)) throw new Error(`raw "<" in ${where}`);
  return s.replace(/&([^;]*);|&/g, (m, name: string | undefined) => {
    if (name === undefined) throw new Error(`bare "&" in ${where}`);
    const num = /^#(x[0-9a-f]+|\d+)$/i.exec(name);
    if (num !== null) return String.fromCodePoint(parseInt(num[1]?.startsWith('x') === true ? num[1].slice(1) : (num[1] as string), num[1]?.startsWith('x') === true ? 16 : 10));
    const e = ENTITIES[name];
    if (e === undefined) throw new Error(`unknown entity ${m} in ${where}`);
    return e;
  });
}

/** Parse a document: one XML declaration, one root element, nothing else. Throws on anything not well-formed. */
function parseXml(xml: string): XmlElement {
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/.exec(xml);
  if (decl === null) throw new Error('missing or wrong XML declaration');
  i = decl[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const nameRe = /[A-Za-z_][\w.-]*/y;
  while (i < xml.length) {
    if (xml.startsWith('</', i)) {
      const end = xml.indexOf('>', i);
      const name = xml.slice(i + 2, end);
      const open = stack.pop();
      if (open === undefined || open.name !== name) throw new Error(`</${name}> does not close <${open?.name ?? ''}>`);
      i = end + 1;
    } else if (xml[i] === '<') {
      nameRe.lastIndex = i + 1;
      const nm = nameRe.exec(xml);
      if (nm === null) throw new Error(`bad tag at ${i}`);
      const el: XmlElement = { name: nm[0], attrs: {}, children: [], text: '' };
      i = nameRe.lastIndex;
      for (;;) {
        const ws = /\s*/y;
        ws.lastIndex = i;
        ws.exec(xml);
        i = ws.lastIndex;
        if (xml.startsWith('/>', i) || xml[i] === '>') break;
        const attr = /([A-Za-z_][\w.-]*)="([^"]*)"/y;
        attr.lastIndex = i;
        const a = attr.exec(xml);
        if (a === null) throw new Error(`bad attribute in <${el.name}> at ${i}`);
        if ((a[1] as string) in el.attrs) throw new Error(`duplicate attribute ${a[1]} in <${el.name}>`);
        el.attrs[a[1] as string] = decode(a[2] as string, `${el.name}@${a[1]}`);
        i = attr.lastIndex;
      }
      const parent = stack[stack.length - 1];
      if (parent !== undefined) parent.children.push(el);
      else if (root === undefined) root = el;
      else throw new Error('more than one root element');
      if (xml.startsWith('/>', i)) i += 2;
      else {
        i += 1;
        stack.push(el);
      }
    } else {
      const next = xml.indexOf('<', i);
      const raw = xml.slice(i, next === -1 ? xml.length : next);
      const top = stack[stack.length - 1];
      if (top === undefined) {
        if (raw.trim() !== '') throw new Error('text outside the root element');
      } else top.text += decode(raw, `<${top.name}> text`);
      i = next === -1 ? xml.length : next;
    }
  }
  if (stack.length > 0) throw new Error(`<${stack[stack.length - 1]?.name}> not closed`);
  if (root === undefined) throw new Error('no root element');
  return root;
}

const INT = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

function checkAttrs(el: XmlElement, required: string[], allowed: string[]): void {
  for (const r of required) assert.ok(r in el.attrs, `<${el.name}> needs @${r}`);
  for (const k of Object.keys(el.attrs)) assert.ok(allowed.includes(k) || required.includes(k), `<${el.name}> has unknown @${k}`);
}

/** The junit-10.xsd rules, as assertions. Returns the failures/errors counted per testcase. */
function validateJunit(root: XmlElement): void {
  assert.equal(root.name, 'testsuites');
  checkAttrs(root, [], ['name', 'time', 'tests', 'failures', 'errors', 'disabled']);
  let tests = 0;
  let failures = 0;
  let errors = 0;
  for (const suite of root.children) {
    assert.equal(suite.name, 'testsuite');
    checkAttrs(suite, ['name', 'tests'], ['failures', 'errors', 'time', 'disabled', 'skipped', 'timestamp', 'hostname', 'id', 'package', 'file', 'log', 'url', 'version']);
    for (const k of ['tests', 'failures', 'errors', 'skipped', 'disabled']) if (k in suite.attrs) assert.match(suite.attrs[k] as string, INT, `${suite.attrs.name}@${k}`);
    if ('time' in suite.attrs) assert.match(suite.attrs.time as string, DECIMAL);
    if ('timestamp' in suite.attrs) assert.match(suite.attrs.timestamp as string, TIMESTAMP);
    // order: properties?, testcase*, system-out?, system-err?
    const order = suite.children.map((c) => c.name);
    const rank = { properties: 0, testcase: 1, 'system-out': 2, 'system-err': 3 } as Record<string, number>;
    for (let k = 0; k < order.length; k++) {
      assert.ok((order[k] as string) in rank, `<testsuite> cannot hold <${order[k]}>`);
      if (k > 0) assert.ok((rank[order[k] as string] as number) >= (rank[order[k - 1] as string] as number), `order in ${suite.attrs.name}: ${order.join(',')}`);
    }
    assert.ok(order.filter((n) => n === 'properties').length <= 1);
    for (const props of suite.children.filter((c) => c.name === 'properties')) {
      assert.ok(props.children.length >= 1, '<properties> holds at least one <property>');
      for (const p of props.children) {
        assert.equal(p.name, 'property');
        checkAttrs(p, ['name', 'value'], []);
      }
    }
    const cases = suite.children.filter((c) => c.name === 'testcase');
    let f = 0;
    let e = 0;
    for (const c of cases) {
      checkAttrs(c, ['name'], ['classname', 'time', 'assertions', 'status', 'file', 'line']);
      if ('time' in c.attrs) assert.match(c.attrs.time as string, DECIMAL);
      for (const child of c.children) {
        assert.ok(['skipped', 'error', 'failure', 'system-out', 'system-err'].includes(child.name), `<testcase> cannot hold <${child.name}>`);
        if (child.name === 'failure' || child.name === 'error') {
          checkAttrs(child, ['message', 'type'], []);
          assert.equal(child.children.length, 0);
        }
      }
      if (c.children.some((x) => x.name === 'failure')) f++;
      if (c.children.some((x) => x.name === 'error')) e++;
    }
    assert.equal(Number(suite.attrs.tests), cases.length, `${suite.attrs.name}@tests`);
    assert.equal(Number(suite.attrs.failures ?? 0), f, `${suite.attrs.name}@failures`);
    assert.equal(Number(suite.attrs.errors ?? 0), e, `${suite.attrs.name}@errors`);
    tests += cases.length;
    failures += f;
    errors += e;
  }
  if ('tests' in root.attrs) assert.equal(Number(root.attrs.tests), tests);
  if ('failures' in root.attrs) assert.equal(Number(root.attrs.failures), failures);
  if ('errors' in root.attrs) assert.equal(Number(root.attrs.errors), errors);
}

const cases = (root: XmlElement): XmlElement[] => root.children.flatMap((s) => s.children.filter((c) => c.name === 'testcase'));

test('one test case per threshold; a failed one carries the expression and the measured value', () => {
  const run = sampleRun();
  const root = parseXml(renderJunit(run.summary));
  validateJunit(root);
  const thresholds = cases(root).filter((c) => c.attrs.classname?.startsWith('agentload.api.thresholds.'));
  assert.deepEqual(
    thresholds.map((c) => [c.attrs.classname, c.attrs.name, c.children.map((x) => x.name).join()]),
    [
      ['agentload.api.thresholds.http_req_duration', 'p(95)<500', ''],
      ['agentload.api.thresholds.http_req_failed', 'rate<0.01', 'failure'],
      ['agentload.api.thresholds.http_req_duration{name:create_run}', 'p(95)<60', 'failure'],
    ],
  );
  const failure = thresholds[1]?.children[0] as XmlElement;
  const rate = run.summary.agentload.thresholds[1]?.value as number;
  assert.equal(failure.attrs.type, 'threshold');
  assert.equal(failure.attrs.message, `http_req_failed: rate<0.01 failed, measured rate=${(rate * 100).toFixed(2)}%`);
  assert.match(failure.text, /^threshold rate<0\.01 on http_req_failed\nmeasured: rate=\d+\.\d\d%$/);
  assert.match((thresholds[2]?.children[0] as XmlElement).text, /measured: p\(95\)=[\d.]+ms\nabortOnFail: true$/);
  assert.equal(root.attrs.failures, '3', 'two thresholds and one check');
});

test('one test case per failed check, named by group path; the run itself is a test case', () => {
  const root = parseXml(renderJunit(sampleRun().summary));
  const checks = cases(root).filter((c) => c.attrs.classname?.includes('.checks'));
  assert.deepEqual(
    checks.map((c) => [c.attrs.classname, c.attrs.name]),
    [['agentload.api.checks.runs', 'status is 201']],
  );
  assert.equal(checks[0]?.children[0]?.attrs.message, 'check "status is 201" failed 5 of 60 times (8.33%)');
  const runCase = cases(root).find((c) => c.attrs.classname === 'agentload.api.run');
  assert.deepEqual(runCase?.children, []);
  const props = Object.fromEntries((root.children[0]?.children[0]?.children ?? []).map((p) => [p.attrs.name, p.attrs.value]));
  assert.deepEqual(props, {
    script: 'suites/api.ts',
    suite: 'api',
    profile: 'load',
    environment: 'staging',
    target: 'http://127.0.0.1:8088',
    version: '0.1.0',
    gitCommit: '0123456789abcdef0123456789abcdef01234567',
    status: 'thresholds-failed',
    exitCode: '99',
  });
});

test('an interrupted run is an <error> on the run test case; a passing run has no failures', () => {
  const interrupted = parseXml(renderJunit(sampleRun({ status: 'interrupted' }).summary));
  validateJunit(interrupted);
  const err = cases(interrupted).find((c) => c.attrs.classname === 'agentload.api.run')?.children[0];
  assert.equal(err?.name, 'error');
  assert.equal(err?.attrs.type, 'interrupted');
  assert.equal(err?.attrs.message, 'the run was interrupted before its end: stopped by SIGINT');
  assert.equal(interrupted.attrs.errors, '1');

  const run = sampleRun({ status: 'passed' });
  const passing = { ...run.summary, root_group: { ...run.summary.root_group, groups: [] }, agentload: { ...run.summary.agentload, thresholds: run.summary.agentload.thresholds.map((t) => ({ ...t, ok: true })) } };
  const root = parseXml(renderJunit(passing, { name: 'ci' }));
  validateJunit(root);
  assert.equal(root.attrs.name, 'ci');
  assert.deepEqual([root.attrs.tests, root.attrs.failures, root.attrs.errors], ['4', '0', '0']);
  assert.deepEqual(root.children.map((s) => s.attrs.name), ['ci.api.run', 'ci.api.thresholds'], 'no checks suite when no check failed');
});

test('hostile names stay text: escaped, well-formed, and read back unchanged', () => {
  const run = sampleRun({ evil: true });
  const xml = renderJunit(run.summary);
  const root = parseXml(xml);
  validateJunit(root);
  assert.ok(!xml.includes('<script>'));
  const check = cases(root).find((c) => c.attrs.name === `body ${EVIL}`);
  assert.equal(check, undefined, 'that check never failed');
  assert.equal(root.children[0]?.children[0]?.children.find((p) => p.attrs.name === 'script')?.attrs.value, `suites/${EVIL}.ts`);
  assert.equal(root.children[0]?.attrs.name, `agentload.api-${EVIL}.run`);
  assert.equal(escapeXml('a\u0000b\u001Fc"\'&<>'), 'abc&quot;&apos;&amp;&lt;&gt;');
});

test('the validator itself rejects what CI would reject', () => {
  assert.throws(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a><b></a></b>'), /does not close/);
  assert.throws(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a x="1 & 2"/>'), /bare "&"/);
  assert.throws(() => parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<a>1 < 2</a>'), /bad tag|raw "<"/);
  assert.throws(() => validateJunit(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="x" tests="2"><testcase name="a"/></testsuite></testsuites>')), /@tests/);
  assert.throws(() => validateJunit(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="x" tests="1"><testcase name="a"><failure>no message</failure></testcase></testsuite></testsuites>')), /needs @message/);
  assert.throws(() => validateJunit(parseXml('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites><testsuite name="x" tests="1"><testcase name="a"/><properties><property name="p" value="v"/></properties></testsuite></testsuites>')), /order/);
});
