/**
 * Seeded subsets of a task's examples: the `dev_fraction` hold-out (whole SQuAD articles at a time),
 * `train_subset` and `train_per_class`. Pure functions of (the examples' count or classes, size, seed).
 */
import { Rng } from '../tensor/rng.js';

/**
 * Train and dev parts of `examples`: a seeded random `fraction` of them (at least one) is the dev
 * set; both parts keep file order. A pure function of (count, fraction, seed). With `groupOf`, whole
 * groups are held out instead (a seeded random `fraction` of the groups, at least one, not all):
 * SQuAD's questions by article, since questions about one paragraph in both parts would let dev
 * measure paragraphs seen in training.
 */
export function holdOut<E>(examples: readonly E[], fraction: number, seed: number, groupOf?: (e: E) => string): { train: E[]; dev: E[] } {
  const groups = groupOf === undefined ? examples.map((_, i) => i) : examples.map(groupOf);
  const distinct = [...new Set<string | number>(groups)];
  const n = distinct.length;
  const devCount = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const order = distinct.map((_, i) => i);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.nextUint32() % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const isDev = new Set(order.slice(0, devCount).map((i) => distinct[i]));
  return { train: examples.filter((_, i) => !isDev.has(groups[i]!)), dev: examples.filter((_, i) => isDev.has(groups[i]!)) };
}

/** The article of a SQuAD question (`QuestionAnswerExample.title`), for holding out whole articles; undefined for other examples. */
export const articleOf = (examples: readonly unknown[]): ((e: unknown) => string) | undefined =>
  examples.length > 0 && examples.every((e) => typeof (e as { title?: unknown }).title === 'string')
    ? (e) => (e as { title: string }).title
    : undefined;

/**
 * A seeded random `n` of `examples` (all of them when there are no more), in their original order. A
 * pure function of (count, n, seed).
 */
export function subset<E>(examples: readonly E[], n: number, seed: number): E[] {
  if (n >= examples.length) return [...examples];
  return holdOut(examples, n / examples.length, seed).dev;
}

/**
 * A seeded random `n` of each class's examples (all of a class that has fewer; `classOf` undefined: no
 * class, left out), in their original order: `subset` of each class with the same seed. A pure function
 * of (the classes in order, n, seed).
 */
export function subsetPerClass<E>(examples: readonly E[], n: number, seed: number, classOf: (e: E) => string | undefined): E[] {
  const byClass = new Map<string, number[]>();
  examples.forEach((e, i) => {
    const c = classOf(e);
    if (c === undefined) return;
    const members = byClass.get(c);
    if (members === undefined) byClass.set(c, [i]);
    else members.push(i);
  });
  const kept = new Set<number>();
  for (const members of byClass.values()) for (const i of subset(members, n, seed)) kept.add(i);
  return examples.filter((_, i) => kept.has(i));
}
