/**
 * Metrics for joint intent detection and slot filling (ATIS, SNIPS). The headline number is
 * sentence-level semantic frame accuracy (Hakkani-Tür et al., "Multi-Domain Joint Semantic Frame
 * Parsing using Bi-directional RNN-LSTM", Interspeech 2016; as computed by JointBERT's
 * `get_sentence_frame_acc`): an utterance counts as right only when its intent is right and every
 * one of its slot tags equals the gold tag.
 */
import { checkSameLength, type Label } from './classification.js';
import { sequenceLabelingScores, type EntityScores } from './sequence-labeling.js';

/** One utterance's intent (or set of intents, for ATIS multi-intents) and slot tags, one per word. */
export interface JointFrame {
  intent: Label | readonly Label[];
  slots: readonly string[];
}

/** Intents equal; sets of intents (order-free, duplicates ignored) compare as sets. */
function sameIntent(gold: JointFrame['intent'], pred: JointFrame['intent']): boolean {
  if (!Array.isArray(gold) || !Array.isArray(pred)) return gold === pred;
  const g = new Set<Label>(gold);
  const p = new Set<Label>(pred);
  return g.size === p.size && [...g].every((x) => p.has(x));
}

/** Tag-for-tag equality of two slot sequences (no BIO repair: "I-x" ≠ "B-x"). */
function sameSlots(gold: readonly string[], pred: readonly string[], index: number): boolean {
  checkSameLength(gold, pred, `slot tags of utterance ${index}`);
  return gold.every((tag, i) => tag === pred[i]);
}

/**
 * Fraction of utterances whose intent and all slot tags are right. NaN for no utterances.
 * @example semanticFrameAccuracy([{intent: 'a', slots: ['O', 'B-x']}], [{intent: 'a', slots: ['O', 'I-x']}]) // 0
 */
export function semanticFrameAccuracy(gold: readonly JointFrame[], pred: readonly JointFrame[]): number {
  checkSameLength(gold, pred, 'semanticFrameAccuracy');
  let right = 0;
  gold.forEach((g, i) => {
    const p = pred[i]!;
    if (sameIntent(g.intent, p.intent) && sameSlots(g.slots, p.slots, i)) right++;
  });
  return right / gold.length;
}

export interface JointScores {
  /** Fraction of utterances with the right intent (set). */
  intentAccuracy: number;
  /** Entity-level slot scores, conlleval semantics (see sequence-labeling.ts). */
  slots: EntityScores;
  /** Semantic frame accuracy (see {@link semanticFrameAccuracy}). */
  sentenceAccuracy: number;
}

/** The three numbers joint NLU papers report: intent accuracy, slot F1, sentence accuracy. */
export function jointScores(gold: readonly JointFrame[], pred: readonly JointFrame[]): JointScores {
  checkSameLength(gold, pred, 'jointScores');
  const intentRight = gold.filter((g, i) => sameIntent(g.intent, pred[i]!.intent)).length;
  const slots = sequenceLabelingScores(
    gold.map((g) => g.slots),
    pred.map((p) => p.slots),
  ).overall;
  return { intentAccuracy: intentRight / gold.length, slots, sentenceAccuracy: semanticFrameAccuracy(gold, pred) };
}
