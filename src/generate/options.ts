/**
 * The decoding options of `generate` (Hugging Face's `GenerationConfig` fields in camelCase), with
 * their defaults and one check at the boundary: a wrong value is a ConfigError naming the field, the
 * rule and the value, so that a command line or a server request can report it as it is.
 */
import { ConfigError } from '../errors.js';

export interface GenerateOptions {
  /** Most tokens generated per row (default 20). */
  readonly maxNewTokens?: number;
  /** Fewest tokens generated per row before EOS may come (EOS's score is −∞ until then; default 0). */
  readonly minNewTokens?: number;
  /** Sample the next token instead of taking the most likely (default false). */
  readonly doSample?: boolean;
  /** Divides the logits before sampling (> 0; default 1). */
  readonly temperature?: number;
  /** Sample among the k most likely tokens only (0 = all; default 0). */
  readonly topK?: number;
  /** Sample among the most likely tokens whose probabilities sum to p (nucleus sampling, Holtzman et al., ICLR 2020; (0, 1], default 1). */
  readonly topP?: number;
  /** Seed of the sampler's random numbers: the same seed, prompts and options give the same tokens (default 0). */
  readonly seed?: number;
  /**
   * Sampling: one seed per prompt (row i draws from `seeds[i]` instead of `seed` and its position), so
   * a prompt samples the same tokens whatever batch it is in; as many seeds as prompts.
   */
  readonly seeds?: readonly number[];
  /** Beams of beam search (1 = greedy or sampling; default 1). */
  readonly numBeams?: number;
  /** Beam hypotheses are scored by Σ log p / (generated length)^lengthPenalty (default 1). */
  readonly lengthPenalty?: number;
  /**
   * When beam search stops: true as soon as numBeams hypotheses are finished; false when no running
   * beam can beat the worst finished one any more (Hugging Face's heuristic); 'never' only at maxNewTokens.
   */
  readonly earlyStopping?: boolean | 'never';
  /** No n-gram of this size occurs twice in a row's tokens (0 = off; Paulus et al., ICLR 2018). */
  readonly noRepeatNgramSize?: number;
  /** Scores of tokens already in the row are divided (positive) or multiplied (negative) by it (Keskar et al., 2019, CTRL; ≥ 1 penalises; default 1). */
  readonly repetitionPenalty?: number;
  /** Token id(s) that end a row; none when omitted. */
  readonly eosTokenId?: number | readonly number[];
  /** Id put after a finished row's end, and before a left-padded prompt (default: the first EOS id, else 0). */
  readonly padTokenId?: number;
  /** A row ends when its generated text contains one of these (needs `decode`); the text is cut before it. */
  readonly stopStrings?: readonly string[];
  /** Reuse the keys and values of earlier tokens (default true); false runs the whole sequence at every step. */
  readonly useCache?: boolean;
}

/**
 * Tokens a command generates per prompt or reply (`mtl generate`, `mtl serve`, `TextGenerator`, the
 * generation_config.json `mtl export` writes) when neither its options nor the model folder say;
 * `generate` itself defaults to 20 (Transformers' `max_length`).
 */
export const DEFAULT_NEW_TOKENS = 64;

/** `GenerateOptions` with every default filled in and `eosTokenId` as a list. */
export interface ResolvedGenerateOptions {
  readonly maxNewTokens: number;
  readonly minNewTokens: number;
  readonly doSample: boolean;
  readonly temperature: number;
  readonly topK: number;
  readonly topP: number;
  readonly seed: number;
  readonly seeds: readonly number[] | undefined;
  readonly numBeams: number;
  readonly lengthPenalty: number;
  readonly earlyStopping: boolean | 'never';
  readonly noRepeatNgramSize: number;
  readonly repetitionPenalty: number;
  readonly eosTokenIds: readonly number[];
  readonly padTokenId: number;
  readonly stopStrings: readonly string[];
  readonly useCache: boolean;
}

const KEYS = [
  'maxNewTokens',
  'minNewTokens',
  'doSample',
  'temperature',
  'topK',
  'topP',
  'seed',
  'seeds',
  'numBeams',
  'lengthPenalty',
  'earlyStopping',
  'noRepeatNgramSize',
  'repetitionPenalty',
  'eosTokenId',
  'padTokenId',
  'stopStrings',
  'useCache',
] as const satisfies readonly (keyof GenerateOptions)[];

/** The option names `resolveGenerateOptions` accepts. */
export const GENERATE_OPTION_KEYS: readonly string[] = KEYS;

const shown = (v: unknown): string => JSON.stringify(v) ?? String(v);
const bad = (name: string, rule: string, v: unknown): ConfigError => new ConfigError(`generate: ${name} must be ${rule}, got ${shown(v)}`);

function int(o: Record<string, unknown>, name: string, min: number, fallback: number): number {
  const v = o[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw bad(name, `an integer >= ${min}`, v);
  return v;
}

function num(o: Record<string, unknown>, name: string, ok: (v: number) => boolean, rule: string, fallback: number): number {
  const v = o[name] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) throw bad(name, rule, v);
  return v;
}

function bool(o: Record<string, unknown>, name: string, fallback: boolean): boolean {
  const v = o[name] ?? fallback;
  if (typeof v !== 'boolean') throw bad(name, 'true or false', v);
  return v;
}

/**
 * Checks `options` and fills in the defaults.
 * @throws ConfigError naming the first unknown option (with the known ones) or wrong value.
 */
export function resolveGenerateOptions(options: GenerateOptions = {}): ResolvedGenerateOptions {
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (o[key] !== undefined && !(KEYS as readonly string[]).includes(key))
      throw new ConfigError(`generate: unknown option '${key}'; the options are ${KEYS.join(', ')}`);
  }
  const eos = o.eosTokenId;
  const eosTokenIds = eos === undefined ? [] : Array.isArray(eos) ? eos : [eos];
  for (const id of eosTokenIds)
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0)
      throw bad('eosTokenId', 'a token id (integer >= 0) or a list of them', eos);
  const stopStrings = o.stopStrings ?? [];
  if (!Array.isArray(stopStrings) || stopStrings.some((s) => typeof s !== 'string' || s === ''))
    throw bad('stopStrings', 'a list of non-empty strings', stopStrings);
  const seeds = o.seeds;
  if (seeds !== undefined && (!Array.isArray(seeds) || seeds.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v < 0)))
    throw bad('seeds', 'a list of integers >= 0 (one per prompt)', seeds);
  const earlyStopping = o.earlyStopping ?? false;
  if (typeof earlyStopping !== 'boolean' && earlyStopping !== 'never') throw bad('earlyStopping', "true, false or 'never'", earlyStopping);
  const resolved: ResolvedGenerateOptions = {
    maxNewTokens: int(o, 'maxNewTokens', 0, 20),
    minNewTokens: int(o, 'minNewTokens', 0, 0),
    doSample: bool(o, 'doSample', false),
    temperature: num(o, 'temperature', (v) => v > 0, 'a number > 0', 1),
    topK: int(o, 'topK', 0, 0),
    topP: num(o, 'topP', (v) => v > 0 && v <= 1, 'a number in (0, 1]', 1),
    seed: int(o, 'seed', 0, 0),
    seeds: seeds as number[] | undefined,
    numBeams: int(o, 'numBeams', 1, 1),
    lengthPenalty: num(o, 'lengthPenalty', () => true, 'a finite number', 1),
    earlyStopping,
    noRepeatNgramSize: int(o, 'noRepeatNgramSize', 0, 0),
    repetitionPenalty: num(o, 'repetitionPenalty', (v) => v > 0, 'a number > 0', 1),
    eosTokenIds: eosTokenIds as number[],
    padTokenId: int(o, 'padTokenId', 0, (eosTokenIds[0] as number | undefined) ?? 0),
    stopStrings: stopStrings as string[],
    useCache: bool(o, 'useCache', true),
  };
  if (resolved.minNewTokens > resolved.maxNewTokens)
    throw new ConfigError(`generate: minNewTokens (${resolved.minNewTokens}) is more than maxNewTokens (${resolved.maxNewTokens})`);
  if (resolved.numBeams > 1 && resolved.doSample)
    throw new ConfigError('generate: beam search (numBeams > 1) with doSample is not implemented; set doSample false or numBeams 1');
  if (resolved.numBeams > 1 && resolved.stopStrings.length > 0)
    throw new ConfigError('generate: stopStrings apply to greedy decoding and sampling; with beam search use eosTokenId');
  return resolved;
}
