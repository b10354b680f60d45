// Seeded pseudo-random numbers for the mock LLM: small, fast and repeatable.
// mulberry32 (public domain) gives uniform 32-bit values; the distributions
// below are built on it so that one seed reproduces a whole run.

/** FNV-1a over a string, folded into an existing 32-bit hash. */
export function hashString(text: string, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Mixes two 32-bit values into a well-spread 32-bit seed (murmur3 finaliser). */
export function mixSeeds(a: number, b: number): number {
  let h = (Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) ^ b) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A seeded generator of uniform, normal and lognormal values. */
export class Prng {
  private state: number;
  private spareNormal = Number.NaN;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal (Box-Muller, the second value of each pair is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const v = this.spareNormal;
      this.spareNormal = Number.NaN;
      return v;
    }
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /**
   * A non-negative value with the given mean and standard deviation, drawn from
   * a lognormal distribution (right-skewed like real latencies, never negative,
   * and its mean is exactly `mean`). A spread of 0 returns `mean` itself.
   */
  positive(mean: number, spread: number): number {
    if (mean <= 0) return 0;
    if (spread <= 0) return mean;
    const sigma2 = Math.log(1 + (spread * spread) / (mean * mean));
    const mu = Math.log(mean) - sigma2 / 2;
    return Math.exp(mu + Math.sqrt(sigma2) * this.normal());
  }
}
