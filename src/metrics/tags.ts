/**
 * Interned, immutable tag sets. Deriving a tag set from another (`with`) is two
 * map look-ups once warm, so the hot path builds no strings and allocates
 * nothing per sample. Each tag set carries the series recorded under it,
 * indexed by metric id, so recording a sample is an array access.
 */
export type TagEntries = readonly (readonly [string, string])[];

const interned = new Map<string, TagSet>();
let nextId = 0;

function keyOf(entries: TagEntries): string {
  let k = '';
  for (const [name, value] of entries) k += `${name}\u0001${value}\u0002`;
  return k;
}

export class TagSet {
  readonly id: number;
  readonly entries: TagEntries;
  readonly key: string;
  /** Series recorded under this tag set, by metric id (owned by the thread's sample store). */
  readonly series: unknown[] = [];
  #children: Map<string, Map<string, TagSet>> | undefined;
  #object: Readonly<Record<string, string>> | undefined;

  private constructor(entries: TagEntries, key: string) {
    this.id = nextId++;
    this.entries = entries;
    this.key = key;
  }

  static readonly EMPTY: TagSet = TagSet.intern([]);

  /** The tag set with exactly these entries (sorted by name, last value of a name wins). */
  static of(tags: Readonly<Record<string, string | number | boolean>> | TagEntries): TagSet {
    const pairs: [string, string][] = Array.isArray(tags)
      ? (tags as TagEntries).map(([k, v]) => [k, v])
      : Object.entries(tags as Record<string, string | number | boolean>).map(([k, v]) => [k, String(v)]);
    const byName = new Map<string, string>();
    for (const [k, v] of pairs) byName.set(k, v);
    const sorted = [...byName.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    return TagSet.intern(sorted);
  }

  private static intern(sorted: TagEntries): TagSet {
    const key = keyOf(sorted);
    let t = interned.get(key);
    if (t === undefined) {
      t = new TagSet(Object.freeze(sorted.map((e) => Object.freeze([e[0], e[1]] as const))), key);
      interned.set(key, t);
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
      next.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      child = TagSet.intern(next);
      byValue.set(value, child);
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
