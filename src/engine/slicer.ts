/**
 * Deterministic split of a scenario's VUs, iterations and arrivals across
 * processes (`--segment i/n`) and, inside a process, across worker threads.
 *
 * Index k (a VU slot, or an arrival) belongs to process i when k mod p1 = i,
 * where p1 = min(n, parallelism); among that process' indices (l = ⌊k/p1⌋) it
 * belongs to worker w when l mod p2 = w, with p2 = min(workers, the process'
 * share). The process level does not depend on how many workers each process
 * has, so the same `--segment` split works across machines, and slices add up
 * exactly to the whole.
 */
export class Slicer {
  readonly p1: number;
  readonly p2: number;
  readonly active: boolean;

  constructor(
    readonly processIndex: number,
    readonly processCount: number,
    readonly workerIndex: number,
    readonly workerCount: number,
    /** The scenario's parallelism: VU slots (maxVUs for arrival-rate executors). */
    readonly parallelism: number,
  ) {
    this.p1 = Math.max(1, Math.min(processCount, parallelism));
    const inProcess = processIndex < this.p1 ? ceilDiv(parallelism - processIndex, this.p1) : 0;
    this.p2 = Math.max(1, Math.min(workerCount, inProcess));
    this.active = processIndex < this.p1 && workerIndex < this.p2 && parallelism > 0;
  }

  owns(k: number): boolean {
    if (!this.active) return false;
    return k % this.p1 === this.processIndex && Math.floor(k / this.p1) % this.p2 === this.workerIndex;
  }

  /** How many of the indices [0, n) this slice owns. */
  count(n: number): number {
    if (!this.active || n <= 0) return 0;
    const inProcess = Math.max(0, ceilDiv(n - this.processIndex, this.p1));
    return Math.max(0, ceilDiv(inProcess - this.workerIndex, this.p2));
  }

  /** The first owned index and the step between owned indices. */
  get first(): number {
    return this.processIndex + this.p1 * this.workerIndex;
  }
  get step(): number {
    return this.p1 * this.p2;
  }

  /** The owned indices below n, ascending. */
  *indices(n: number): Generator<number> {
    if (!this.active) return;
    for (let k = this.first; k < n; k += this.step) yield k;
  }
}

function ceilDiv(a: number, b: number): number {
  return a <= 0 ? 0 : Math.ceil(a / b);
}
