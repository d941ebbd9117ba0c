/**
 * The comparison of bench/distributed/scaling.ts between the gradients' all-reduce during the backward
 * pass (DataParallel's overlap, DDP's Reducer) and after it: arms run in rounds, every arm once a round,
 * the order rotated each round (so no arm always runs first or last on a machine whose load drifts);
 * per arm the medians over rounds, and the median over rounds of its step time over its baseline's (the
 * arm its `versus` names, else the first) in the same round.
 */

/**
 * One way of reducing the gradients: `reduction`, DDP's bucket cap in MiB, and with overlap whether the
 * buckets are rebuilt after the first step and the flags ride in the last bucket, and whether the rebuilt
 * buckets' small cap goes on the last bucket (`smallLastBucket`, PyTorch 2.x's DDP_SET_LAST_BUCKET_CAP=1)
 * (the worker's arguments). `versus`: the position of the arm its ratios are taken against (default 0).
 */
export interface OverlapArm {
  readonly name: string;
  readonly reduction: 'overlap' | 'after';
  readonly bucketMiB: number;
  readonly rebuild: boolean;
  readonly smallLastBucket?: boolean;
  readonly versus?: number;
}

/** The worker's bucket argument of an arm: `initial`, `rebuild` or `rebuild-last` (the small cap on the last bucket). */
export const bucketMode = (arm: OverlapArm): string =>
  !arm.rebuild ? 'initial' : arm.smallLastBucket === true ? 'rebuild-last' : 'rebuild';

/** What a 2-rank training run of an arm measured. */
export interface ArmRun {
  readonly secondsPerStep: number;
  readonly tokensPerSecond: number;
  /** Seconds a step waited for gradient all-reduces after its backward pass (mean of the ranks). */
  readonly waitPerStep: number;
  /** Whether the ranks reduced during the backward pass (the addon had the hooks). */
  readonly overlapped: boolean;
  /** Of the buckets reduced, the share whose all-reduce started before the backward call returned (the last one starts at its very end; 0 after it). */
  readonly launchedEarly: number;
  /** h: of the gradients' elements, the share whose bucket started before the step's last gradient came (steps after the first, mean of the ranks; 0 after the backward). */
  readonly hiddenShare: number;
  /** k: collectives started after the step's last gradient, per step (steps after the first, mean of the ranks; NaN after the backward). */
  readonly exposedPerStep: number;
  /** Seconds per step over the steps after the first (the rebuilt buckets' steps; the slower rank). */
  readonly laterSecondsPerStep: number;
  /** CPU seconds (user + system, both ranks summed, Gloo's threads included) per step over the steps after the first. */
  readonly laterCpuPerStep: number;
  /** Rank 0's buckets at the end (rebuilt, where the arm rebuilds), MiB each, in launch order; none after the backward. */
  readonly bucketMiB?: readonly number[];
}

export const OVERLAP_ARMS: readonly OverlapArm[] = [
  { name: 'after the backward pass, 25 MiB buckets', reduction: 'after', bucketMiB: 25, rebuild: false },
  { name: 'during, 25 MiB, initial buckets, flags apart', reduction: 'overlap', bucketMiB: 25, rebuild: false },
  { name: 'during, 25 MiB, rebuilt, flags folded (DDP default)', reduction: 'overlap', bucketMiB: 25, rebuild: true },
  { name: 'during, 4 MiB, initial buckets, flags apart', reduction: 'overlap', bucketMiB: 4, rebuild: false },
  { name: 'during, 4 MiB, rebuilt, flags folded', reduction: 'overlap', bucketMiB: 4, rebuild: true },
];

/**
 * The rebuilt buckets' small cap on the first bucket (libtorch 1.13's rebuild_buckets) against on the last
 * (PyTorch 2.x's DDP_SET_LAST_BUCKET_CAP=1), at DDP's 25 MiB cap and at 4 MiB, every arm overlapped with
 * the flags folded; each small-last arm is compared with the first-cap arm of its bucket size.
 */
export const LAST_BUCKET_ARMS: readonly OverlapArm[] = [
  { name: 'during, 25 MiB, rebuilt, small first bucket (DDP 1.13)', reduction: 'overlap', bucketMiB: 25, rebuild: true },
  {
    name: 'during, 25 MiB, rebuilt, small last bucket',
    reduction: 'overlap',
    bucketMiB: 25,
    rebuild: true,
    smallLastBucket: true,
    versus: 0,
  },
  { name: 'during, 4 MiB, rebuilt, small first bucket', reduction: 'overlap', bucketMiB: 4, rebuild: true, versus: 2 },
  {
    name: 'during, 4 MiB, rebuilt, small last bucket',
    reduction: 'overlap',
    bucketMiB: 4,
    rebuild: true,
    smallLastBucket: true,
    versus: 2,
  },
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Runs every arm `rounds` times, rotated; `runs[a][r]` is arm a's run in round r. */
export async function runRounds(
  arms: readonly OverlapArm[],
  rounds: number,
  run: (arm: OverlapArm) => Promise<ArmRun>,
): Promise<ArmRun[][]> {
  const runs: ArmRun[][] = arms.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < arms.length; k++) {
      const a = (k + round) % arms.length;
      runs[a]!.push(await run(arms[a]!));
      console.log(JSON.stringify({ round, arm: arms[a]!.name, ...runs[a]!.at(-1) }));
    }
  }
  return runs;
}

/** The table's rows: medians (min–max of the step time) and the ratio to the arm's baseline (`versus`, else arm 0) in the same round. */
export function overlapRows(arms: readonly OverlapArm[], runs: readonly (readonly ArmRun[])[]): string[] {
  return arms.map((arm, a) => {
    const r = runs[a]!;
    const base = runs[arm.versus ?? 0]!;
    const steps = r.map((x) => x.secondsPerStep);
    const ratio = (key: 'secondsPerStep' | 'laterSecondsPerStep' | 'laterCpuPerStep'): string => {
      const ratios = r.map((x, i) => x[key] / base[i]![key]);
      return `${median(ratios).toFixed(3)} (${Math.min(...ratios).toFixed(3)}–${Math.max(...ratios).toFixed(3)})`;
    };
    const wait = median(r.map((x) => x.waitPerStep));
    const hidden = 1 - wait / median(base.map((x) => x.waitPerStep));
    return (
      `| ${arm.name}${r.every((x) => x.overlapped === (arm.reduction === 'overlap')) ? '' : ' (overlap not available)'} ` +
      `| ${median(steps).toFixed(3)} (${Math.min(...steps).toFixed(3)}–${Math.max(...steps).toFixed(3)}) ` +
      `| ${median(r.map((x) => x.tokensPerSecond)).toFixed(0)} | ${(1000 * wait).toFixed(0)} ms ` +
      `| ${a === (arm.versus ?? 0) ? '–' : `${(100 * hidden).toFixed(0)} %`} | ${arm.reduction === 'after' ? '–' : `${(100 * median(r.map((x) => x.hiddenShare))).toFixed(0)} %`} ` +
      `| ${arm.reduction === 'after' ? '–' : median(r.map((x) => x.exposedPerStep)).toFixed(2)} | ${ratio('secondsPerStep')} ` +
      `| ${median(r.map((x) => x.laterCpuPerStep)).toFixed(3)} | ${ratio('laterSecondsPerStep')} | ${ratio('laterCpuPerStep')} |`
    );
  });
}

/** The table's header; `versus` names the baseline of the ratio columns ("after": the after-backward arm). */
export const overlapHeader = (versus: string): string[] => [
  `| reduction | s/step, median (min–max) | tokens/s | wait for all-reduces after backward, per step | wait hidden vs ${versus} | h: gradient elements started before the last gradient | k: collectives after the last gradient, per step | s/step ÷ ${versus}, same round (median, min–max) ` +
    `| CPU s/step after step 1, ranks summed | s/step after step 1 ÷ ${versus} | CPU/step after step 1 ÷ ${versus} |`,
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
