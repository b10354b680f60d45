/** The four k6 metric types. */
export type MetricType = 'counter' | 'gauge' | 'rate' | 'trend';

/** What a metric's numbers are: plain numbers, milliseconds or bytes. */
export type ValueKind = 'default' | 'time' | 'data';

export interface MetricInfo {
  readonly name: string;
  readonly type: MetricType;
  readonly contains: ValueKind;
}

/** A metric as it is known inside one thread: the id indexes per-tag-set series arrays. */
export interface MetricHandle extends MetricInfo {
  readonly id: number;
}

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

export function isValidMetricName(name: string): boolean {
  return NAME_RE.test(name);
}

/**
 * The thread's metric registry. Built-in metrics are defined first in a fixed
 * order; custom metrics are added by name, idempotently.
 */
export class MetricRegistry {
  readonly #byName = new Map<string, MetricHandle>();
  readonly #all: MetricHandle[] = [];

  define(name: string, type: MetricType, contains: ValueKind = 'default'): MetricHandle {
    const existing = this.#byName.get(name);
    if (existing !== undefined) {
      if (existing.type !== type || existing.contains !== contains) {
        throw new Error(
          `metric "${name}" is already defined as a ${existing.type} (${existing.contains}); cannot redefine it as a ${type} (${contains})`,
        );
      }
      return existing;
    }
    if (!isValidMetricName(name)) {
      throw new Error(`invalid metric name "${name}": use letters, digits and underscores, starting with a letter or underscore`);
    }
    const handle: MetricHandle = Object.freeze({ id: this.#all.length, name, type, contains });
    this.#byName.set(name, handle);
    this.#all.push(handle);
    return handle;
  }

  get(name: string): MetricHandle | undefined {
    return this.#byName.get(name);
  }

  all(): readonly MetricHandle[] {
    return this.#all;
  }
}
