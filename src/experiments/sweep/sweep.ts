/**
 * `mtl sweep CONFIG SPACE.yaml`: a hyper-parameter search. Points of the space (./space.ts) come from
 * the grid, seeded random draws or TPE (./tpe.ts); each trial is `mtl train` on the base config with
 * its point set (./sweep-config.ts), run as a child process, up to `parallel` at a time. With `asha`,
 * trials stop at rung budgets and only the best 1/η of each rung go on (./asha.ts); every trial's
 * learning-rate schedule is that of the full budget, so a promoted trial continues exactly as if it
 * had not stopped. The sweep folder holds `sweep_state.json` (./state.ts), `trials/NNN/` (config.yaml,
 * run/, train.log), and at the end `results.md`, `results.json` and `best_config.yaml`. Run again
 * after an interruption or a kill, the sweep continues where its state says: finished rungs are not
 * trained again.
 */
import { type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { trainingConfigToYaml, validateTrainingConfig } from '../../io/config/index.js';
import { mulberry32 } from '../../random.js';
import { taskTypes } from '../../tasks/index.js';
import { silentLogger, type Logger } from '../../logger.js';
import { sharedTokenizer } from '../shared-tokenizer.js';
import { ashaPromotion } from './asha.js';
import { rankTrials, showValue, sweepMarkdown, type SweepTable } from './results.js';
import { gridPoints, randomPoint, setPath, type Point } from './space.js';
import { loadState, saveState, sweepSettings, type SweepState, type TrialRecord } from './state.js';
import { loadSweepConfig, trialConfig, type SweepConfig } from './sweep-config.js';
import { tpePoint, type Observation } from './tpe.js';
import { logOffset, startTrial, trialOutcome, trialPaths, type TrialOutcome } from './trial-process.js';

export interface SweepOptions {
  /** Trials trained at the same time (child processes); default 1. */
  readonly parallel?: number;
  readonly logger?: Logger;
  /** Stops the sweep: running trials get SIGINT (they save `last/`), and it returns; run it again to continue. */
  readonly signal?: AbortSignal;
  /** Added to each trial process's environment (e.g. thread counts). */
  readonly env?: Readonly<Record<string, string>>;
}

export interface SweepResult {
  readonly table: SweepTable;
  /** Undefined when no trial has a metric yet. */
  readonly best: TrialRecord | undefined;
  /** Whether every trial has finished (false after an interruption). */
  readonly finished: boolean;
  readonly markdownFile: string;
  readonly jsonFile: string;
  readonly bestConfigFile: string | undefined;
}

/** A per-trial generator: the same point for trial `id` whatever order trials finish in. */
const trialRandom = (seed: number, id: number) => mulberry32((Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + id * 0x85ebca6b) >>> 0);

const describe = (point: Point) =>
  Object.entries(point)
    .map(([k, v]) => `${k}=${showValue(v)}`)
    .join(', ');

/**
 * The point of a new trial: the grid's next, a seeded draw, or TPE. TPE sees every trial with a result,
 * its loss the trial's place in the results' ranking (`rankTrials`: the furthest rung first, then the
 * metric there), so a trial that ASHA stopped early counts as worse than those it let go on. (Modelling
 * only the furthest rung's trials, as BOHB does, leaves the region of the stopped ones unknown to g(x):
 * a first measurement drew five trials in a row at the low end of the learning-rate range that way.)
 */
function nextPoint(s: SweepConfig, trials: readonly TrialRecord[], id: number): Point {
  if (s.sampler === 'grid') return gridPoints(s.space)[id] as Point;
  const u = trialRandom(s.seed, id);
  if (s.sampler === 'random') return randomPoint(s.space, u);
  const ranked = rankTrials(
    trials.filter((t) => t.values.length > 0),
    s.mode,
  );
  const observations: Observation[] = ranked.map((t, rank) => ({ point: t.point, loss: rank }));
  return tpePoint(s.space, observations, s.tpe, u);
}

/** Stops a process an earlier, killed sweep left training `configFile` (checked by its command line), and waits for it. */
async function stopOrphan(pid: number | undefined, configFile: string): Promise<void> {
  if (pid === undefined) return;
  const cmdline = `/proc/${pid}/cmdline`;
  const ours = () => existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes(configFile);
  if (!ours()) return;
  process.kill(pid, 'SIGTERM'); // it saves last/ and exits
  while (ours()) await new Promise((r) => setTimeout(r, 100));
}

class Sweep {
  readonly #s: SweepConfig;
  readonly #state: SweepState;
  readonly #logger: Logger;
  readonly #running = new Map<number, { child: ChildProcess; done: Promise<TrialOutcome> }>();

  constructor(s: SweepConfig, state: SweepState, logger: Logger) {
    this.#s = s;
    this.#state = state;
    this.#logger = logger;
  }

  #save(): void {
    saveState(this.#s.outputDir, this.#state);
  }

  /** The next trial to train: one queued (resumed), else an ASHA promotion, else a new trial; undefined: none now. */
  #nextJob(): TrialRecord | undefined {
    const trials = this.#state.trials;
    const queued = trials.find((t) => t.status === 'queued' && !this.#running.has(t.id));
    if (queued !== undefined) return queued;
    if (this.#s.budgets.length > 1) {
      const records = trials.map((t) => ({ id: t.id, values: t.values, rung: t.rung, open: t.status === 'paused' }));
      const promoted = ashaPromotion(records, this.#s.budgets.length, this.#s.reductionFactor, this.#s.mode);
      if (promoted !== undefined) {
        const t = trials.find((r) => r.id === promoted.id) as TrialRecord;
        this.#logger.info(`sweep: trial ${t.id} promoted to rung ${promoted.rung} (${this.#s.budgets[promoted.rung]} steps)`);
        t.rung = promoted.rung;
        t.status = 'queued';
        return t;
      }
    }
    if (trials.length >= this.#s.trials) return undefined;
    const id = trials.length;
    const t: TrialRecord = { id, point: nextPoint(this.#s, trials, id), rung: 0, values: [], status: 'queued', steps: 0, seconds: 0 };
    trials.push(t);
    const p = trialPaths(this.#s.outputDir, id);
    mkdirSync(p.dir, { recursive: true });
    try {
      writeFileSync(p.config, trainingConfigToYaml(trialConfig(this.#s, t.point, p.run, `trial ${id}`)));
    } catch (e) {
      t.status = 'failed';
      t.error = (e as Error).message;
      this.#logger.info(`sweep: trial ${id} (${describe(t.point)}) is not a valid config: ${t.error}`);
      return this.#nextJob();
    }
    this.#logger.info(`sweep: trial ${id}: ${describe(t.point)}`);
    return t;
  }

  #launch(t: TrialRecord): void {
    const p = trialPaths(this.#s.outputDir, t.id);
    const budget = this.#s.budgets[t.rung] as number;
    const from = logOffset(p);
    const child = startTrial(p, budget, this.#env);
    t.status = 'running';
    if (child.pid !== undefined) t.pid = child.pid;
    this.#save();
    this.#logger.info(`sweep: trial ${t.id} training to step ${budget} (rung ${t.rung}; log ${p.log})`);
    this.#running.set(t.id, { child, done: trialOutcome(child, p, budget, performance.now(), from) });
  }

  #env: Readonly<Record<string, string>> = {};

  #record(t: TrialRecord, o: TrialOutcome): void {
    this.#running.delete(t.id);
    delete t.pid;
    t.seconds += o.seconds;
    if (o.status === 'failed' || (o.value === undefined && o.status !== 'interrupted')) {
      t.status = 'failed';
      t.error = o.error ?? `no dev evaluation of ${this.#s.metric} up to step ${this.#s.budgets[t.rung]}: a sweep needs dev data`;
      this.#logger.info(`sweep: trial ${t.id} failed: ${t.error}`);
    } else if (o.status === 'interrupted') {
      t.status = 'queued';
      t.steps = o.step;
    } else {
      t.steps = o.step;
      t.values[t.rung] = o.value as number;
      t.status = o.status === 'paused' ? 'paused' : o.status;
      this.#logger.info(`sweep: trial ${t.id} ${t.status} at step ${o.step}: ${this.#s.metric} ${(o.value as number).toFixed(4)}`);
    }
    this.#save();
  }

  /** Trains until no trial is left to start or `signal` stops it; returns whether every trial finished. */
  async run(parallel: number, env: Readonly<Record<string, string>>, signal: AbortSignal | undefined): Promise<boolean> {
    this.#env = env;
    for (const t of this.#state.trials.filter((r) => r.status === 'running')) {
      await stopOrphan(t.pid, trialPaths(this.#s.outputDir, t.id).config);
      delete t.pid;
      t.status = 'queued';
    }
    this.#save();
    const onAbort = () => {
      for (const { child } of this.#running.values()) child.kill('SIGINT');
    };
    signal?.addEventListener('abort', onAbort);
    try {
      for (;;) {
        while (signal?.aborted !== true && this.#running.size < parallel) {
          const job = this.#nextJob();
          if (job === undefined) break;
          this.#launch(job);
        }
        if (this.#running.size === 0) break;
        const [id, outcome] = await Promise.race([...this.#running].map(([k, r]) => r.done.then((o) => [k, o] as const)));
        this.#record(this.#state.trials[id] as TrialRecord, outcome);
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
    return signal?.aborted !== true && this.#state.trials.every((t) => t.status !== 'queued');
  }
}

/** The base config with `point` set, as a file to train (the base's output_dir, paths absolute). */
function bestConfigYaml(s: SweepConfig, point: Point): string {
  let raw: unknown = s.base;
  for (const [k, v] of Object.entries(point)) raw = setPath(raw, k, v);
  const outputDir = path.resolve(s.baseDir, String(s.base.output_dir));
  return trainingConfigToYaml(
    validateTrainingConfig({ ...(raw as object), output_dir: outputDir }, { source: s.configFile, baseDir: s.baseDir, taskTypes }),
  );
}

/**
 * Runs (or continues) the sweep of `configFile` over the space `spaceFile` (see the file comment).
 * @throws ConfigError for an invalid space or config, or a folder holding a sweep of other settings.
 */
export async function sweep(configFile: string, spaceFile: string, options: SweepOptions = {}): Promise<SweepResult> {
  const logger = options.logger ?? silentLogger;
  const loaded = await loadSweepConfig(configFile, spaceFile);
  mkdirSync(loaded.outputDir, { recursive: true });
  const state = loadState(loaded.outputDir, sweepSettings(loaded));
  if (state.trials.length > 0) logger.info(`sweep: continuing ${loaded.outputDir} (${state.trials.length} trials so far)`);
  let s = loaded;
  if (!s.space.some(([k]) => k.startsWith('tokenizer.'))) {
    const base = validateTrainingConfig(s.base, { source: s.configFile, baseDir: s.baseDir, taskTypes });
    const file = await sharedTokenizer(base, s.outputDir, logger, 'every trial');
    if (file !== undefined) s = { ...s, base: { ...s.base, tokenizer: { path: file } } };
  }
  const finished = await new Sweep(s, state, logger).run(options.parallel ?? 1, options.env ?? {}, options.signal);
  const table: SweepTable = {
    metric: s.metric,
    mode: s.mode,
    budgets: s.budgets,
    parameters: s.space.map(([k]) => k),
    trials: rankTrials(state.trials, s.mode),
  };
  const best = table.trials[0]?.values.length ? table.trials[0] : undefined;
  const markdownFile = path.join(s.outputDir, 'results.md');
  const jsonFile = path.join(s.outputDir, 'results.json');
  writeFileSync(markdownFile, sweepMarkdown(table));
  writeFileSync(jsonFile, `${JSON.stringify({ ...table, finished, best: best?.id ?? null }, null, 2)}\n`);
  let bestConfigFile: string | undefined;
  if (best !== undefined) {
    bestConfigFile = path.join(s.outputDir, 'best_config.yaml');
    writeFileSync(bestConfigFile, bestConfigYaml(s, best.point));
    logger.info(`sweep: best trial ${best.id} (${describe(best.point)}): ${s.metric} ${best.values.at(-1)!.toFixed(4)}; ${bestConfigFile}`);
  }
  return { table, best, finished, markdownFile, jsonFile, bestConfigFile };
}
