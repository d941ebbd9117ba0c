/** Data augmentation of training examples (`data.augment`): EDA over WordNet synonyms, and back-translation. */
export { augmentExamples, edaExamples, type Augmented, type AugmentSettings } from './augment.js';
export {
  backTranslateExamples,
  textSeed,
  type BackTranslated,
  type BackTranslationSettings,
  type RoundTrip,
  type RoundTrips,
} from './back-translation.js';
export {
  eda,
  fromUnits,
  randomDeletion,
  randomInsertion,
  randomSwap,
  synonymReplacement,
  toUnits,
  type EdaSettings,
  type Unit,
} from './eda.js';
export { synonymTable, wordnetSynonyms, type SynonymTable } from './synonyms.js';
export { EDA_STOP_WORDS } from './stop-words.js';
