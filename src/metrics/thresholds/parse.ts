/**
 * Threshold grammar (k6's, see metrics/thresholds_parser.go upstream):
 *
 *   threshold   := aggregation ws* operator ws* number
 *   aggregation := "avg" | "min" | "max" | "med" | "count" | "rate" | "value"
 *                | "p(" number ")"                       number in [0, 100]
 *   operator    := ">" | ">=" | "<" | "<=" | "==" | "===" | "!="
 *   key         := metric_name [ "{" selector ( "," selector )* "}" ]
 *   selector    := tag ws* ":" value                        value may contain ":"; each tag once
 *
 * The number is finite (1e400 is refused, not read as Infinity).
 * Every error quotes the input.
 */
import type { MetricType } from '../metric.ts';
import { isValidMetricName } from '../metric.ts';
import type { TagEntries } from '../tags.ts';
import { percentileOf } from '../values.ts';

export type ThresholdOperator = '>' | '>=' | '<' | '<=' | '==' | '===' | '!=';

export interface ParsedExpression {
  readonly source: string;
  readonly aggregation: string;
  readonly operator: ThresholdOperator;
  readonly value: number;
}

export interface ParsedKey {
  readonly source: string;
  readonly metric: string;
  readonly selector: TagEntries;
}

export class ThresholdSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdSyntaxError';
  }
}

const OPERATORS: readonly ThresholdOperator[] = ['===', '==', '!=', '>=', '<=', '>', '<'];
const AGG_RE = /^(avg|min|max|med|count|rate|value|p\(\s*\d+(?:\.\d+)?\s*\))/;

export function parseExpression(source: string): ParsedExpression {
  const s = source.trim();
  const m = AGG_RE.exec(s);
  if (m === null) {
    throw new ThresholdSyntaxError(
      `threshold "${source}": expected an aggregation (avg, min, max, med, count, rate, value or p(N)) at the start`,
    );
  }
  const aggregation = (m[1] as string).replace(/\s+/g, '');
  if (aggregation.startsWith('p(') && percentileOf(aggregation) === undefined) {
    throw new ThresholdSyntaxError(`threshold "${source}": percentile in ${aggregation} must be between 0 and 100`);
  }
  let rest = s.slice(m[0].length).trimStart();
  const operator = OPERATORS.find((op) => rest.startsWith(op));
  if (operator === undefined) {
    throw new ThresholdSyntaxError(`threshold "${source}": expected an operator (>, >=, <, <=, ==, ===, !=) after "${aggregation}"`);
  }
  rest = rest.slice(operator.length).trim();
  if (rest === '' || !/^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(rest)) {
    throw new ThresholdSyntaxError(`threshold "${source}": expected a number after "${operator}", found "${rest}"`);
  }
  const value = Number(rest);
  if (!Number.isFinite(value)) throw new ThresholdSyntaxError(`threshold "${source}": ${rest} is out of range (a finite number is needed)`);
  return { source, aggregation, operator, value };
}

export function parseKey(source: string): ParsedKey {
  const s = source.trim();
  const brace = s.indexOf('{');
  const metric = (brace === -1 ? s : s.slice(0, brace)).trim();
  if (!isValidMetricName(metric)) throw new ThresholdSyntaxError(`threshold key "${source}": invalid metric name "${metric}"`);
  if (brace === -1) return { source, metric, selector: [] };
  if (!s.endsWith('}')) throw new ThresholdSyntaxError(`threshold key "${source}": missing closing "}"`);
  const body = s.slice(brace + 1, -1).trim();
  if (body === '') throw new ThresholdSyntaxError(`threshold key "${source}": empty tag selector`);
  const selector: [string, string][] = [];
  for (const part of body.split(',')) {
    const colon = part.indexOf(':');
    if (colon === -1) throw new ThresholdSyntaxError(`threshold key "${source}": selector "${part.trim()}" must be tag:value`);
    const tag = part.slice(0, colon).trim();
    const value = part.slice(colon + 1).trim();
    if (tag === '') throw new ThresholdSyntaxError(`threshold key "${source}": empty tag name in "${part.trim()}"`);
    // no sample has two values of one tag: such a threshold would watch nothing and pass
    if (selector.some(([t]) => t === tag)) throw new ThresholdSyntaxError(`threshold key "${source}": tag "${tag}" given twice`);
    selector.push([tag, value]);
  }
  return { source, metric, selector };
}

const ALLOWED: Record<MetricType, (agg: string) => boolean> = {
  counter: (a) => a === 'count' || a === 'rate',
  gauge: (a) => a === 'value',
  rate: (a) => a === 'rate',
  trend: (a) => a === 'avg' || a === 'min' || a === 'max' || a === 'med' || a.startsWith('p('),
};

/** Check that an aggregation applies to a metric type; returns an error message or undefined. */
export function checkAggregation(expr: ParsedExpression, key: ParsedKey, type: MetricType): string | undefined {
  if (ALLOWED[type](expr.aggregation)) return undefined;
  const valid = { counter: 'count, rate', gauge: 'value', rate: 'rate', trend: 'avg, min, max, med, p(N)' }[type];
  return `threshold "${expr.source}" on ${key.source}: "${expr.aggregation}" does not apply to a ${type} metric (use ${valid})`;
}

export function compare(actual: number, op: ThresholdOperator, expected: number): boolean {
  switch (op) {
    case '>':
      return actual > expected;
    case '>=':
      return actual >= expected;
    case '<':
      return actual < expected;
    case '<=':
      return actual <= expected;
    case '==':
    case '===':
      return actual === expected;
    case '!=':
      return actual !== expected;
  }
}
