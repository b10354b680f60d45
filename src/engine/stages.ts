/** A stage with its duration already in milliseconds. */
export interface PlannedStage {
  readonly durationMs: number;
  readonly target: number;
}

export interface VuStep {
  /** Offset from the scenario start, ms. */
  readonly atMs: number;
  readonly vus: number;
}

/**
 * The VU count of a ramping-vus scenario as a list of steps (k6's rule: during
 * a stage from a to b over d, the count reaches each integer v between them at
 * d·|v−a|/|b−a|).
 */
export function vuSteps(startVUs: number, stages: readonly PlannedStage[]): VuStep[] {
  const steps: VuStep[] = [{ atMs: 0, vus: startVUs }];
  let from = startVUs;
  let t = 0;
  for (const s of stages) {
    const to = s.target;
    if (s.durationMs === 0) {
      if (to !== from) steps.push({ atMs: t, vus: to });
    } else if (to > from) {
      for (let v = from + 1; v <= to; v++) steps.push({ atMs: t + (s.durationMs * (v - from)) / (to - from), vus: v });
    } else if (to < from) {
      for (let v = from - 1; v >= to; v--) steps.push({ atMs: t + (s.durationMs * (from - v)) / (from - to), vus: v });
    }
    from = to;
    t += s.durationMs;
  }
  return steps;
}

/** The VU count at offset t (ms). */
export function vusAt(startVUs: number, stages: readonly PlannedStage[], t: number): number {
  let from = startVUs;
  let start = 0;
  for (const s of stages) {
    if (t < start + s.durationMs) {
      const frac = (t - start) / s.durationMs;
      return from + Math.trunc((s.target - from) * frac);
    }
    from = s.target;
    start += s.durationMs;
  }
  return from;
}

export function totalMs(stages: readonly PlannedStage[]): number {
  return stages.reduce((a, s) => a + s.durationMs, 0);
}

export function peakTarget(start: number, stages: readonly PlannedStage[]): number {
  return stages.reduce((m, s) => Math.max(m, s.target), start);
}

/**
 * Scheduled start times of arrivals for a piecewise-linear rate (iterations
 * per ms). Arrival k starts when the cumulative count reaches k, so the first
 * starts at 0 and a constant rate r gives k/r.
 */
export class ArrivalSchedule {
  readonly #segments: { start: number; dur: number; r0: number; r1: number; c0: number }[] = [];
  readonly total: number;
  readonly durationMs: number;

  /** rates in iterations per ms; stages in ms */
  constructor(startRatePerMs: number, stages: readonly { durationMs: number; ratePerMs: number }[]) {
    let t = 0;
    let c = 0;
    let r0 = startRatePerMs;
    for (const s of stages) {
      this.#segments.push({ start: t, dur: s.durationMs, r0, r1: s.ratePerMs, c0: c });
      c += ((r0 + s.ratePerMs) / 2) * s.durationMs;
      t += s.durationMs;
      r0 = s.ratePerMs;
    }
    this.total = c;
    this.durationMs = t;
  }

  /** Offset (ms) at which arrival k is due, or undefined if it falls after the end. */
  timeOf(k: number): number | undefined {
    if (k >= this.total - 1e-9) return undefined;
    for (const seg of this.#segments) {
      const cEnd = seg.c0 + ((seg.r0 + seg.r1) / 2) * seg.dur;
      if (k < cEnd) {
        const d = k - seg.c0;
        if (d <= 0) return seg.start;
        const a = (seg.r1 - seg.r0) / (2 * seg.dur);
        const b = seg.r0;
        if (Math.abs(a) < 1e-15) return seg.start + d / b;
        const disc = b * b + 4 * a * d;
        const tau = (2 * d) / (b + Math.sqrt(Math.max(0, disc)));
        return seg.start + Math.min(seg.dur, tau);
      }
    }
    return undefined;
  }
}
