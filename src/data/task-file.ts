/**
 * One file of a task, read by its `data.format`'s reader with the task's columns or fields and
 * `skip_bad_lines`; WordNet (parsed once per process) as the task's input kind reads it.
 */
import { ConfigError } from '../errors.js';
import {
  mapJsonl,
  readWordNet,
  wordnetDir,
  wordnetGlosses,
  wordnetDomainExamples,
  wordnetSupersenseExamples,
  wordnetTriples,
  WORDNET_POINTERS,
  type WordNet,
  readCluener,
  readDailyDialog,
  readDailyDialogChats,
  readChatJsonl,
  readConll,
  readDelimitedText,
  readDelimitedTextPairs,
  readJointFolder,
  readJsonlText,
  readParallel,
  readRelationJsonl,
  readSemeval2010,
  readSquad,
  type ReadResult,
  type TextPairExample,
} from './index.js';
import type { TaskConfig } from '../io/config/index.js';
import type { Split } from './example.js';
import type { InputKind } from './task-reading.js';

const wordnets = new Map<string, WordNet>();

/** WordNet from `dir`, parsed once per process (several tasks read it). */
function wordnetAt(dir: string): WordNet {
  let wn = wordnets.get(dir);
  if (wn === undefined) {
    wn = readWordNet(dir);
    wordnets.set(dir, wn);
  }
  return wn;
}

/**
 * A task's examples from WordNet, as its input kind reads it: glosses (a text to mask), gloss →
 * supersense or topic domain (a labelled text, `data.labels`), or described triples.
 */
function readWordNetTask(task: TaskConfig, input: InputKind): ReadResult<unknown> {
  const wn = wordnetAt(task.data.path ?? wordnetDir());
  if (input === 'masked-text') return { examples: wordnetGlosses(wn), skipped: [] };
  if (input !== 'triple')
    return { examples: task.data.labels === 'domain' ? wordnetDomainExamples(wn) : wordnetSupersenseExamples(wn), skipped: [] };
  const relations = task.data.relations;
  const known = Object.values(WORDNET_POINTERS);
  const unknown = (relations ?? []).filter((r) => !known.includes(r));
  if (unknown.length > 0) {
    throw new ConfigError(
      `task '${task.name}': data.relations: ${unknown.join(', ')} ${unknown.length === 1 ? 'is not a' : 'are not'} WordNet pointer name(s); known: ${known.join(', ')}`,
    );
  }
  const { triples, descriptions } = wordnetTriples(wn, relations === undefined ? {} : { relations });
  const graph: unknown[] = []; // every triple: the filter of ranks among all entities
  const examples = triples.map((t, i) => ({
    id: String(i),
    ...t,
    headText: descriptions.get(t.head) as string,
    tailText: descriptions.get(t.tail) as string,
    source: wn.byId.get(t.head)!.source,
    graph,
  }));
  for (const e of examples) graph.push(e); // not push(...examples): too many arguments for a large graph
  if (examples.length === 0) throw new ConfigError(`task '${task.name}': WordNet has no triples of the relations ${String(relations)}`);
  return { examples, skipped: [] };
}

/**
 * The examples and skipped lines of one file of a task (`references`: a jsonl label field may list several).
 * @throws DataError from the reader (file:line of the first bad record, unless skip_bad_lines); ConfigError for an unknown format.
 */
export async function readTaskFile(
  task: TaskConfig,
  input: InputKind,
  references: boolean,
  file: string,
  split: Split,
): Promise<ReadResult<unknown>> {
  const d = task.data;
  const onBadLine = d.skipBadLines ? 'skip' : 'error';
  const label = task.label.field;
  switch (d.format) {
    case 'wordnet':
      return readWordNetTask(task, input);
    case 'joint-folder':
      return readJointFolder(file, { onBadLine });
    case 'conll':
      return readConll(file, { onBadLine, tokenColumn: d.tokenColumn, tagColumn: d.tagColumn });
    case 'csv':
    case 'tsv': {
      const header = (split === 'test' ? d.testColumns : undefined) ?? d.columns ?? true;
      const options = {
        onBadLine,
        delimiter: d.delimiter ?? (d.format === 'tsv' ? '\t' : ','),
        header,
        extraFields: d.extraFields,
      } as const;
      const input = task.input as NonNullable<TaskConfig['input']>;
      return input.textPair === undefined
        ? readDelimitedText(file, { text: input.text, label }, options)
        : readDelimitedTextPairs(file, { textA: input.text, textB: input.textPair, label }, options);
    }
    case 'squad':
      return readSquad(file, { onBadLine });
    case 'cluener':
      return readCluener(file, { onBadLine }); // a span nested in a longer one is dropped (BIO cannot hold both)
    case 'parallel':
      return readParallel(file, (task.input as NonNullable<TaskConfig['input']>).text, label as string, { onBadLine });
    case 'semeval2010':
      return readSemeval2010(file, { onBadLine });
    case 'messages':
      return readChatJsonl(file, { onBadLine });
    case 'dailydialog':
      if (input === 'messages') return readDailyDialogChats(file, { onBadLine }); // whole dialogues, alternating user / assistant
      return readDailyDialog(file, {
        onBadLine,
        contextTurns: d.contextTurns,
        turnSeparator: d.turnSeparator,
        detokenize: d.detokenize === true,
      });
    case 'jsonl': {
      const input = task.input as NonNullable<TaskConfig['input']>;
      if (input.e1Span !== undefined && input.e2Span !== undefined)
        return readRelationJsonl(file, { text: input.text, e1Span: input.e1Span, e2Span: input.e2Span, label }, { onBadLine });
      return input.textPair === undefined
        ? readJsonlText(file, { text: input.text, label, references }, { onBadLine })
        : readJsonlPairs(file, input.text, input.textPair, label, onBadLine);
    }
    default:
      throw new ConfigError(`task '${task.name}': unknown data format '${String(d.format)}'`);
  }
}

/** TextPairExamples from JSON Lines (the data layer reads single texts only). */
function readJsonlPairs(
  file: string,
  textA: string,
  textB: string,
  label: string | undefined,
  onBadLine: 'error' | 'skip',
): ReadResult<TextPairExample> {
  return mapJsonl(file, { onBadLine }, ({ value, source, index }) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `expected a JSON object, got ${JSON.stringify(value)}`;
    const o = value as Record<string, unknown>;
    for (const field of [textA, textB])
      if (typeof o[field] !== 'string') return `field "${field}" must be a string, got ${JSON.stringify(o[field])}`;
    const example = { id: String(index), textA: o[textA] as string, textB: o[textB] as string, source };
    if (label === undefined) return example;
    const v = o[label];
    if (typeof v !== 'string' && typeof v !== 'number')
      return `field "${label}" (label) must be a string or a number, got ${JSON.stringify(v)}`;
    return { ...example, label: String(v) };
  });
}
