/**
 * The set of known true triples (train ∪ valid ∪ test, or any subset), indexed by (head, relation)
 * and (tail, relation): used to filter ranks (Bordes et al. 2013, "filtered" setting) and to keep
 * true triples out of negative samples.
 */
import type { Triple } from '../../data/readers/triples.js';
import type { CorruptSide } from './scoring.js';

const EMPTY: ReadonlySet<number> = new Set();

export class KnownTriples {
  /** (head·R + relation) → true tails */
  readonly #tails = new Map<number, Set<number>>();
  /** (tail·R + relation) → true heads */
  readonly #heads = new Map<number, Set<number>>();

  /** @param numRelations R, to key (entity, relation) pairs as one number. */
  constructor(
    readonly numRelations: number,
    ...splits: readonly (readonly Triple[])[]
  ) {
    for (const split of splits) for (const t of split) this.add(t);
  }

  add({ head, relation, tail }: Triple): void {
    const R = this.numRelations;
    getOrCreate(this.#tails, head * R + relation).add(tail);
    getOrCreate(this.#heads, tail * R + relation).add(head);
  }

  /**
   * The entities e that make a known true triple when they fill `side` of `t`: the true tails of
   * (head, relation) for side 'tail', the true heads of (relation, tail) for side 'head'. Includes
   * `t`'s own entity on that side when `t` is known.
   */
  trueFillers(t: Triple, side: CorruptSide): ReadonlySet<number> {
    const R = this.numRelations;
    const found = side === 'tail' ? this.#tails.get(t.head * R + t.relation) : this.#heads.get(t.tail * R + t.relation);
    return found ?? EMPTY;
  }
}

function getOrCreate(m: Map<number, Set<number>>, key: number): Set<number> {
  let s = m.get(key);
  if (s === undefined) m.set(key, (s = new Set()));
  return s;
}
