/**
 * The variants of the forgetting measurement (./forgetting.ts): the `continual` section each sets on every
 * later stage. `none` (earlier tasks evaluated only), `rehearsal` (a replay buffer of `examples` per earlier
 * task), `per-class` (`examplesPerClass` of each class of each earlier classification task), `ewc`
 * (Kirkpatrick et al. 2017, PNAS, eq. 3: λ and the Fisher on 200 examples per earlier task), and the two
 * rehearsals with EWC: `both` (per task) and `per-class-ewc` (per class).
 */

/** The sizes and strength the variants take (the command line's --rehearsal, --per-class, --lambda). */
export interface VariantOptions {
  /** Replay buffer of each earlier task in the `rehearsal` and `both` variants (examples). */
  readonly examples: number;
  /** Replay buffer per class of each earlier classification task in `per-class` and `per-class-ewc` (examples). */
  readonly examplesPerClass: number;
  /** EWC's λ (dimensionless; the penalty is λ/2 Σ F_i (θ_i − θ*_i)²). */
  readonly lambda: number;
}

/** The variants' names, in the order of the measurement's tables. */
export const VARIANTS = ['none', 'rehearsal', 'ewc', 'both', 'per-class', 'per-class-ewc'] as const;

/** Training examples of each earlier task on which EWC's Fisher is estimated, in every EWC variant. */
const FISHER_EXAMPLES = 200;

/**
 * The `continual` section (config spelling) of each of `names`.
 * @throws Error naming the unknown variant and the known ones (a misspelt variant would otherwise run as the
 *   stage config's own `continual`, that is as `none`).
 */
export function variantSettings(names: readonly string[], options: VariantOptions): Record<string, Record<string, unknown>> {
  const perTask = { examples: options.examples };
  const perClass = { examples_per_class: options.examplesPerClass };
  const ewc = { lambda: options.lambda, examples: FISHER_EXAMPLES };
  const all: Record<(typeof VARIANTS)[number], Record<string, unknown>> = {
    none: { rehearsal: null, ewc: null },
    rehearsal: { rehearsal: perTask, ewc: null },
    ewc: { rehearsal: null, ewc },
    both: { rehearsal: perTask, ewc },
    'per-class': { rehearsal: perClass, ewc: null },
    'per-class-ewc': { rehearsal: perClass, ewc },
  };
  return Object.fromEntries(
    names.map((name) => {
      const found = (all as Record<string, Record<string, unknown>>)[name];
      if (found === undefined) throw new Error(`--variants: unknown variant '${name}'; known: ${VARIANTS.join(', ')}`);
      return [name, found];
    }),
  );
}
