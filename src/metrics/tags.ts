/**
 * Interned, immutable tag sets. Deriving a tag set from another (`with`) is two
 * map look-ups once warm, so the hot path builds no strings and allocates
 * nothing per sample. Each tag set carries the series recorded under it,
 * indexed by metric id, so recording a sample is an array access.
 *
 * Interning is bounded (setTagSetLimit): past the limit a new tag set is
 * built for the caller but not kept (`pooled` false), so a script that tags
 * samples with ever new values does not grow memory without end; the sample
 * store folds such samples into overflow series (series-cap.ts).
 */
export type TagEntries = readonly (readonly [string, string])[];

const interned = new Map<string, TagSet>();
let nextId = 0;
let internLimit = Infinity;

/** The most tag sets this thread keeps (workers: twice their series limit). */
export function setTagSetLimit(max: number): void {
  internLimit = max;
}

function keyOf(entries: TagEntries): string {
  let k = '';
  for (const [name, value] of entries) k += `${name}\u0001${value}\u0002`;
  return k;
}

const byName = (a: readonly [string, string], b: readonly [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** Entries sorted by name, the last value of a name winning. */
function normalized(pairs: Iterable<readonly [string, string]>): [string, string][] {
  const last = new Map<string, string>();
  for (const [k, v] of pairs) last.set(k, v);
  return [...last.entries()].sort(byName);
}

/** The key of the tag set with these entries (as TagSet.of would build it), without interning one. */
export function tagKey(entries: TagEntries): string {
  for (let i = 1; i < entries.length; i++) {
    if (byName(entries[i - 1] as readonly [string, string], entries[i] as readonly [string, string]) >= 0) return keyOf(normalized(entries));
  }
  return keyOf(entries);
}

export class TagSet {
  readonly id: number;
  readonly entries: TagEntries;
  readonly key: string;
  /** Series recorded under this tag set, by metric id (owned by the thread's sample store). */
  readonly series: unknown[] = [];
  /** Kept (interned): false for a tag set built past the thread's limit, used once and dropped. */
  readonly pooled: boolean;
  #children: Map<string, Map<string, TagSet>> | undefined;
  #object: Readonly<Record<string, string>> | undefined;

  private constructor(entries: TagEntries, key: string, pooled: boolean) {
    this.id = nextId++;
    this.entries = entries;
    this.key = key;
    this.pooled = pooled;
  }

  static readonly EMPTY: TagSet = TagSet.intern([]);

  /** The tag set with exactly these entries (sorted by name, last value of a name wins). */
  static of(tags: Readonly<Record<string, string | number | boolean>> | TagEntries): TagSet {
    const pairs: [string, string][] = Array.isArray(tags)
      ? (tags as TagEntries).map(([k, v]) => [k, v])
      : Object.entries(tags as Record<string, string | number | boolean>).map(([k, v]) => [k, String(v)]);
    return TagSet.intern(normalized(pairs));
  }

  /** The tag set with exactly these entries, kept whatever the limit (overflow series: few by construction). */
  static pinned(tags: TagEntries): TagSet {
    return TagSet.intern(normalized(tags), true);
  }

  private static intern(sorted: TagEntries, pin = false): TagSet {
    const key = keyOf(sorted);
    let t = interned.get(key);
    if (t === undefined) {
      const pooled = pin || interned.size < internLimit;
      t = new TagSet(Object.freeze(sorted.map((e) => Object.freeze([e[0], e[1]] as const))), key, pooled);
      if (pooled) interned.set(key, t);
    }
    return t;
  }

  /** This tag set with `name` set to `value` (cached). */
  with(name: string, value: string): TagSet {
    let byValue = this.#children?.get(name);
    if (byValue === undefined) {
      this.#children ??= new Map();
      byValue = new Map();
      this.#children.set(name, byValue);
    }
    let child = byValue.get(value);
    if (child === undefined) {
      const next = this.entries.filter((e) => e[0] !== name);
      next.push([name, value]);
      next.sort(byName);
      child = TagSet.intern(next);
      if (child.pooled) byValue.set(value, child);
    }
    return child;
  }

  /** This tag set with every entry of `tags` set (not cached; for set-up paths). */
  merge(tags: Readonly<Record<string, string>> | undefined): TagSet {
    if (tags === undefined) return this;
    return Object.entries(tags).reduce<TagSet>((t, [k, v]) => t.with(k, String(v)), this);
  }

  /** This tag set without `name`. */
  without(name: string): TagSet {
    if (this.get(name) === undefined) return this;
    return TagSet.intern(this.entries.filter((e) => e[0] !== name));
  }

  get(name: string): string | undefined {
    for (const e of this.entries) if (e[0] === name) return e[1];
    return undefined;
  }

  toObject(): Readonly<Record<string, string>> {
    if (this.#object === undefined) this.#object = Object.freeze(Object.fromEntries(this.entries));
    return this.#object;
  }

  /** True if every entry of `selector` is present with the same value. */
  matches(selector: TagEntries): boolean {
    for (const [k, v] of selector) if (this.get(k) !== v) return false;
    return true;
  }
}
