/**
 * The data formats, as the readers name them (`tasks[i].data.format`): a module of its own, so that
 * the command line can check a `--format` flag without loading the config schema.
 */
export const DATA_FORMATS = [
  'joint-folder',
  'csv',
  'tsv',
  'jsonl',
  'conll',
  'text',
  'wordnet',
  'triples',
  'semeval2010',
  'squad',
  'cluener',
  'parallel',
  'dailydialog',
  'messages',
] as const;
