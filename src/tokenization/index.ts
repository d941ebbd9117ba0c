/**
 * Tokenization: load, train and save `tokenizer.json` (Hugging Face's format, run by the `tokenizers`
 * package), and word ↔ sub-word alignment for token labels.
 */
export { Tokenizer, type TokenizerOptions } from './tokenizer.js';
export { countTruncated, type Encoding } from './encoding.js';
export type { NativeEncoding, NativeTokenizer } from './native.js';
export { buildBertTokenizer, type BertTokenizerOptions } from './bert.js';
export { trainWordPiece, countWords, type OverlongWords, type TrainWordPieceOptions } from './train.js';
export { WORDPIECE_MAX_INPUT_CHARS, isOverlongWord, learnWordPieceVocab, type WordPieceLearnOptions } from './wordpiece-trainer.js';
export { IGNORE_INDEX, alignLabels, firstTokenOfWords, predictionsPerWord, type WordPredictions } from './align.js';
export {
  BERT_SPECIAL_TOKENS,
  BERT_SPECIAL_TOKEN_LIST,
  ROBERTA_SPECIAL_TOKENS,
  SPECIAL_TOKEN_ROLES,
  defaultSpecialNames,
  type SpecialTokenRole,
} from './special-tokens.js';
export { HF_TOKENIZER_FILES, folderSpecialTokens, tokenizerFromFolder } from './hf-folder.js';
export {
  CHATML,
  CHATML_SPECIAL_TOKENS,
  CHATML_TEMPLATE,
  CHAT_ROLES,
  ChatTemplate,
  folderChatTemplate,
  type ChatMessage,
  type ChatRole,
  type ChatTemplateSource,
  type RenderedDialogue,
} from './chat-template.js';
