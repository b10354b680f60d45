import type { Summary, SummaryGroup } from './summary-json.ts';
import { formatPercent } from './format.ts';
import { thresholdMeasured } from './threshold-value.ts';
import { withoutCredentials } from '../util/url-credentials.ts';

export interface JunitOptions {
  /** Name of the <testsuites> element and prefix of each suite; default "agentload". */
  readonly name?: string;
}

/** Escape text for XML attribute values and character data; drops characters XML 1.0 cannot hold. */
export function escapeXml(s: string): string {
  let kept = '';
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000) kept += ch;
  }
  return kept
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; text: string };
  error?: { message: string; type: string; text: string };
}

interface Suite {
  name: string;
  cases: Case[];
}

function checkCases(g: SummaryGroup, classname: string, out: Case[]): void {
  for (const c of g.checks) {
    if (c.fails === 0) continue;
    const total = c.passes + c.fails;
    const message = `check "${c.name}" failed ${c.fails} of ${total} times (${formatPercent(c.fails / total)})`;
    out.push({ classname, name: c.name, failure: { message, type: 'check', text: `${message}; passed ${c.passes}` } });
  }
  for (const sub of g.groups) checkCases(sub, `${classname}.${sub.name}`, out);
}

const RUN_ERRORS: Record<string, string> = {
  interrupted: 'the run was interrupted before its end',
  'aborted-by-script': 'the script aborted the run',
  'aborted-by-threshold': 'a threshold with abortOnFail stopped the run',
  'script-error': 'the script failed',
};

function caseXml(c: Case, seconds: string): string {
  const head = `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}" time="${seconds}"`;
  const problem = c.failure !== undefined ? ['failure', c.failure] as const : c.error !== undefined ? ['error', c.error] as const : null;
  if (problem === null) return `${head}/>`;
  const [tag, p] = problem;
  return `${head}>\n      <${tag} message="${escapeXml(p.message)}" type="${escapeXml(p.type)}">${escapeXml(p.text)}</${tag}>\n    </testcase>`;
}

/**
 * JUnit XML for CI: one test case per threshold (a <failure> with the
 * expression and the measured value when it failed), one per check that
 * failed at least once, and one for the run itself (an <error> when the run
 * was interrupted, aborted or the script failed). Follows the JUnit schema
 * CI systems read (testsuites › testsuite › testcase › failure|error).
 */
export function renderJunit(summary: Summary, options: JunitOptions = {}): string {
  const meta = summary.agentload.meta;
  const root = options.name ?? 'agentload';
  const base = `${root}.${meta.name}`;
  const seconds = (meta.durationMs / 1000).toFixed(3);
  const timestamp = meta.startedAt.replace(/\.\d+Z$/, '').replace(/Z$/, '');

  const thresholds: Case[] = summary.agentload.thresholds.map((t) => {
    const measured = thresholdMeasured(t, summary);
    const c: Case = { classname: `${base}.thresholds.${t.metric}`, name: t.expression };
    if (!t.ok) {
      const message = `${t.metric}: ${t.expression} failed, measured ${measured}`;
      c.failure = { message, type: 'threshold', text: `threshold ${t.expression} on ${t.metric}\nmeasured: ${measured}${t.abortOnFail ? '\nabortOnFail: true' : ''}` };
    }
    return c;
  });
  const checks: Case[] = [];
  checkCases(summary.root_group, `${base}.checks`, checks);
  const runCase: Case = { classname: `${base}.run`, name: 'run completed' };
  const runError = RUN_ERRORS[meta.status];
  if (runError !== undefined) runCase.error = { message: `${runError}${meta.stopReason === null ? '' : `: ${meta.stopReason}`}`, type: meta.status, text: `status ${meta.status}, exit code ${meta.exitCode}` };

  const suites: Suite[] = [{ name: `${base}.run`, cases: [runCase] }, { name: `${base}.thresholds`, cases: thresholds }];
  if (checks.length > 0) suites.push({ name: `${base}.checks`, cases: checks });

  const count = (s: Suite, k: 'failure' | 'error'): number => s.cases.filter((c) => c[k] !== undefined).length;
  const total = suites.reduce((n, s) => n + s.cases.length, 0);
  const failures = suites.reduce((n, s) => n + count(s, 'failure'), 0);
  const errors = suites.reduce((n, s) => n + count(s, 'error'), 0);
  const props: [string, string | null][] = [
    ['script', meta.script],
    ['suite', meta.suite],
    ['profile', meta.profile],
    ['environment', meta.environment],
    ['target', meta.target === null ? null : withoutCredentials(meta.target)],
    ['version', meta.version],
    ['gitCommit', meta.gitCommit],
    ['status', meta.status],
    ['exitCode', String(meta.exitCode)],
  ];
  const propsXml = props
    .filter((p): p is [string, string] => p[1] !== null)
    .map(([k, v]) => `      <property name="${escapeXml(k)}" value="${escapeXml(v)}"/>`)
    .join('\n');

  const out = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="${escapeXml(root)}" tests="${total}" failures="${failures}" errors="${errors}" time="${seconds}">`];
  suites.forEach((s, id) => {
    out.push(
      `  <testsuite name="${escapeXml(s.name)}" tests="${s.cases.length}" failures="${count(s, 'failure')}" errors="${count(s, 'error')}" skipped="0" time="${seconds}" timestamp="${escapeXml(timestamp)}" id="${id}">`,
    );
    out.push('    <properties>', propsXml, '    </properties>');
    for (const c of s.cases) out.push(caseXml(c, s.name.endsWith('.run') ? seconds : '0'));
    out.push('  </testsuite>');
  });
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
}
