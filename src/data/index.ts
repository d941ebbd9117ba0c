/** Data: plain typed examples and one reader per file format. */
export * from './example.js';
export * from './bio.js';
export * from './readers/source.js';
export * from './readers/joint-folder.js';
export * from './readers/conll.js';
export * from './readers/delimited.js';
export * from './readers/jsonl.js';
export * from './readers/cluener.js';
export * from './readers/plain-text.js';
export * from './readers/wordnet.js';
export * from './batcher.js';
export * from './readers/triples.js';
export * from './entity-markers.js';
export * from './readers/semeval2010.js';
export * from './readers/relation-jsonl.js';
export * from './readers/squad.js';
export * from './span-corruption.js';
