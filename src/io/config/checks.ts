/**
 * Rules of the training config that relate several keys (the schema checks each key alone): one of
 * two alternatives given, options that only some formats or kinds take, names that must match.
 * Each rule adds ConfigIssues at the key the user must change.
 */
import { AUGMENTABLE_FORMATS, ENCODER_ARCHITECTURE_KEYS, ENCODER_DEFAULTS, ENCODER_KEYS, type SnakeTrainingConfig } from './schema.js';
import { nearest, suggestion } from './issues.js';
import { checkStrategy } from './strategy-checks.js';
import { checkOptimizer } from './optimizer-checks.js';
import { checkStatesOf } from './states-of-checks.js';
import type { ConfigPath } from './yaml-source.js';
import { unknownKind, type ConfigTaskKind, type TaskKinds } from './task-kinds.js';
import { checkFamilyKeys, type ModelFamilies } from './encoder-keys.js';

type Task = SnakeTrainingConfig['tasks'][number];
type Report = (path: ConfigPath, message: string) => void;

/** Formats whose text and label are named columns or fields (`input`, `label.field`). */
export const NAMED_FIELD_FORMATS: readonly string[] = ['csv', 'tsv', 'jsonl', 'parallel'];

/**
 * Every cross-key problem of a config that passed the schema, with the path to blame (lines are added
 * later). Task sections are checked against `kinds`, the registered task types.
 * @param unset top-level keys the file does not set (their values are the schema's defaults, which messages say).
 */
export function crossCheck(
  config: SnakeTrainingConfig,
  kinds: TaskKinds,
  families: ModelFamilies = {},
  unset: readonly string[] = [],
): { path: ConfigPath; message: string }[] {
  const issues: { path: ConfigPath; message: string }[] = [];
  const report: Report = (path, message) => issues.push({ path, message });
  const known = checkModelType(config, families.modelTypes, report);
  checkEncoder(config, known ? families.familyKeys : undefined, report, unset.includes('max_length'));
  checkTokenizer(config, report);
  const seen = new Map<string, number>();
  config.tasks.forEach((task, i) => {
    const first = seen.get(task.name);
    if (first !== undefined)
      report(['tasks', i, 'name'], `task name '${task.name}' is already used by tasks[${first}]; task names must be unique`);
    else seen.set(task.name, i);
    const kind = kinds.configKind(task.type);
    if (kind === undefined) issues.push(unknownKind(task.type, ['tasks', i], kinds));
    else checkTask(task, kind, kinds, ['tasks', i], report);
  });
  checkStatesOf(config, report);
  checkTraining(config, report);
  checkStrategy(config, report);
  checkOptimizer(config, report);
  const rehearsal = config.continual?.rehearsal;
  if (rehearsal && rehearsal.examples === undefined && rehearsal.examples_per_class === undefined)
    report(['continual', 'rehearsal'], "give 'examples' (per task), 'examples_per_class' (per class of a classification task), or both");
  return issues;
}

/**
 * A new encoder's `model_type` is one of `modelTypes` (src/models' registry, passed in by the caller;
 * undefined: not checked here). Returns whether it is known to be one (false when not checked).
 */
function checkModelType(config: SnakeTrainingConfig, modelTypes: readonly string[] | undefined, report: Report): boolean {
  const type = config.encoder.model_type;
  if (modelTypes === undefined || type === undefined) return false;
  if (modelTypes.includes(type)) return true;
  const near = nearest(type, modelTypes);
  report(
    ['encoder', 'model_type'],
    `model_type '${type}' is not supported${near === undefined ? '' : `; did you mean '${near}'?`} (the supported model types: ${modelTypes.join(', ')})`,
  );
  return false;
}

function checkEncoder(config: SnakeTrainingConfig, keysOf: ModelFamilies['familyKeys'], report: Report, defaultLength: boolean): void {
  const e = config.encoder;
  const familyKeys = Object.keys(e).filter((k) => !ENCODER_KEYS.includes(k)); // a family's own keys (T5's d_kv, …)
  if (e.from !== undefined) {
    for (const key of [...ENCODER_ARCHITECTURE_KEYS, ...familyKeys]) {
      if (e[key] !== undefined) {
        report(
          ['encoder', key],
          `'${key}' cannot be set beside 'from': the checkpoint's config.json fixes the architecture (only dropout and initialisation may change)`,
        );
      }
    }
    return;
  }
  for (const key of ['reinit_pooler', 'reinit_layers'] as const)
    if (e[key] !== undefined) report(['encoder', key], `'${key}' applies only beside 'from' (a new encoder's weights are fresh anyway)`);
  // BERT has no keys beyond the schema's; another family's are checked here when the caller passes them, else when the run starts (src/run/build.ts)
  if (e.model_type !== undefined && e.model_type !== 'bert' && keysOf !== undefined)
    for (const i of checkFamilyKeys(e, keysOf)) report(i.path, i.message);
  else if (e.model_type === undefined || e.model_type === 'bert')
    for (const key of familyKeys)
      report(
        ['encoder', key],
        `unknown key '${key}'${suggestion(key, ENCODER_KEYS)} (keys of another family's config need its model_type)`,
      );
  const hidden = e.hidden_size ?? ENCODER_DEFAULTS.hidden_size;
  const heads = e.num_attention_heads ?? ENCODER_DEFAULTS.num_attention_heads;
  if (hidden % heads !== 0 && e.d_kv === undefined) {
    const where = e.num_attention_heads !== undefined ? 'num_attention_heads' : 'hidden_size';
    report(['encoder', where], `hidden size (${hidden}) is not a multiple of the number of attention heads (${heads})`);
  }
  const positions = e.max_position_embeddings ?? ENCODER_DEFAULTS.max_position_embeddings;
  if (config.max_length > positions) {
    const length = defaultLength
      ? `max_length (${config.max_length}, the default: the config does not set it)`
      : `max_length (${config.max_length})`;
    const lower = defaultLength ? `set max_length to at most ${positions}` : 'lower it';
    report(
      ['max_length'],
      `${length} exceeds the encoder's max_position_embeddings (${positions}); ${lower} or raise max_position_embeddings`,
    );
  }
  const pad = e.pad_token_id;
  if (pad !== undefined && pad !== null && e.vocab_size !== undefined && pad >= e.vocab_size) {
    report(['encoder', 'pad_token_id'], `pad_token_id (${pad}) must be below vocab_size (${e.vocab_size})`);
  }
}

function checkTokenizer(config: SnakeTrainingConfig, report: Report): void {
  const t = config.tokenizer;
  if (t === undefined) {
    if (config.encoder.from === undefined) {
      report(
        ['tokenizer'],
        "missing required key 'tokenizer': give 'path: <tokenizer.json>' or 'train: { vocab_size: … }' (it may be left out only with encoder.from, or when continuing a checkpoint: mtl train CONFIG --from CKPT, given again with --resume)",
      );
    }
    return;
  }
  if (t.path !== undefined && t.train !== undefined) report(['tokenizer'], "give either 'path' or 'train', not both");
  if (t.path === undefined && t.train === undefined) report(['tokenizer'], "give 'path: <tokenizer.json>' or 'train: { vocab_size: … }'");
}

/** The kinds that take `key` ("token-classification", "a, b"), for "applies only to … tasks". */
function takers(kinds: TaskKinds, key: string): string {
  return kinds.kinds.filter((k) => kinds.configKind(k)?.configKeys.includes(key)).join(', ');
}

function checkTask(task: Task, kind: ConfigTaskKind, kinds: TaskKinds, at: ConfigPath, report: Report): void {
  const { data, type } = task;
  const formats = kind.formats;
  if (!formats.includes(data.format)) {
    report(
      [...at, 'data', 'format'],
      `a ${type} task cannot read format '${data.format}'; use one of ${formats.map((f) => `'${f}'`).join(', ')}`,
    );
  }
  if (data.path !== undefined && data.train !== undefined)
    report([...at, 'data', 'path'], "give 'path' or 'train', not both ('path' is the training data of a single-split data set)");
  if (data.path === undefined && data.train === undefined && data.format !== 'wordnet')
    report([...at, 'data'], "missing the training data: give 'train: <path>' (with 'dev', 'test') or 'path: <path>'");
  if (data.format === 'wordnet') {
    for (const key of ['train', 'dev', 'test'] as const)
      if (data[key] !== undefined)
        report([...at, 'data', key], `wordnet data have no split files; give 'path' (the dict folder, optional) and 'dev_fraction'`);
  }
  if (data.format === 'triples') checkTriplesData(data, at, report);
  if (data.format === 'text') checkTextData(data, at, report);
  if (data.augment !== undefined) checkAugment(task, kind, at, report);
  for (const key of ['max_lines', 'window_lines', 'dev_lines'] as const)
    if (data[key] !== undefined && data.format !== 'text')
      report([...at, 'data', key], `'${key}' applies only to text data, not to '${data.format}'`);
  if (data.relations !== undefined && (data.format !== 'wordnet' || !kind.configKeys.includes('data.relations')))
    report([...at, 'data', 'relations'], `'relations' applies only to ${takers(kinds, 'data.relations')} tasks on wordnet data`);
  if (data.labels !== undefined && (data.format !== 'wordnet' || !kind.readsLabel))
    report([...at, 'data', 'labels'], `'labels' applies only to labelled tasks (sequence classification) on wordnet data`);
  if (data.train_per_class !== undefined && !kind.configKeys.includes('data.train_per_class'))
    report(
      [...at, 'data', 'train_per_class'],
      `train_per_class applies only to tasks with one class per example (${takers(kinds, 'data.train_per_class')}), not to ${type}`,
    );
  if (data.train_per_class !== undefined && data.train_subset !== undefined)
    report(
      [...at, 'data', 'train_per_class'],
      "give 'train_subset' (examples in all) or 'train_per_class' (examples of each class), not both",
    );
  if (data.dev_fraction !== undefined && data.dev !== undefined)
    report(
      [...at, 'data', 'dev_fraction'],
      "'dev_fraction' holds out part of the training data as dev; it cannot be used beside a 'dev' file",
    );
  const delimited = data.format === 'csv' || data.format === 'tsv';
  for (const key of ['delimiter', 'columns', 'test_columns', 'extra_fields'] as const) {
    if (data[key] !== undefined && !delimited)
      report([...at, 'data', key], `'${key}' applies only to csv and tsv data, not to '${data.format}'`);
  }
  for (const key of ['context_turns', 'turn_separator', 'detokenize'] as const) {
    if (data[key] !== undefined && data.format !== 'dailydialog')
      report([...at, 'data', key], `'${key}' applies only to dailydialog data, not to '${data.format}'`);
  }
  for (const key of ['token_column', 'tag_column'] as const) {
    if (data[key] !== undefined && data.format !== 'conll')
      report([...at, 'data', key], `'${key}' applies only to conll data, not to '${data.format}'`);
  }
  const named = NAMED_FIELD_FORMATS.includes(data.format);
  if (named && task.input === undefined)
    report(
      [...at, 'input'],
      `missing required key 'input': name the text ${data.format === 'jsonl' ? 'field' : 'column'} of the ${data.format} data (input: { text: … })`,
    );
  if (!named && task.input !== undefined)
    report([...at, 'input'], `'input' applies to csv, tsv and jsonl data; '${data.format}' data are tokens already`);
  const spans = task.input === undefined ? [] : (['e1_span', 'e2_span'] as const).filter((k) => task.input![k] !== undefined);
  if (spans.length === 1)
    report([...at, 'input', spans[0]!], `give both 'e1_span' and 'e2_span' (the two entities' [start, end) span fields), or neither`);
  if (spans.length > 0 && data.format !== 'jsonl')
    report([...at, 'input', spans[0]!], `entity span fields apply to jsonl data; ${data.format} data mark the entities in the text`);
  if (spans.length > 0 && task.input?.text_pair !== undefined)
    report([...at, 'input', 'text_pair'], 'a relation example is one text with two entity spans; remove text_pair');
  const labelled = kind.readsLabel;
  if (named && labelled && task.label.field === undefined)
    report(
      [...at, 'label'],
      `missing required key 'label.field': name the label ${data.format === 'jsonl' ? 'field' : 'column'} of the ${data.format} data`,
    );
  if (!labelled && task.label.field !== undefined) report([...at, 'label', 'field'], `a ${type} task reads no label; remove 'label.field'`);
  else if (!named && task.label.field !== undefined) {
    report(
      [...at, 'label', 'field'],
      `'label.field' applies to csv, tsv and jsonl data; a ${type} task on '${data.format}' data reads the label the format holds`,
    );
  }
  if (task.label.multi_label && !kind.configKeys.includes('label.multi_label'))
    report([...at, 'label', 'multi_label'], `multi_label applies only to ${takers(kinds, 'label.multi_label')} tasks, not to ${type}`);
  const given = {
    crf: task.crf,
    char_cnn: task.char_cnn !== undefined,
    bilstm: task.bilstm !== undefined,
    states_of: task.states_of !== undefined,
  };
  for (const [key, set] of Object.entries(given)) {
    if (set && !kind.configKeys.includes(key)) report([...at, key], `${key} applies only to ${takers(kinds, key)} tasks, not to ${type}`);
  }
}

/** A triples folder: `path` only (its train.txt, valid.txt, test.txt are the splits). */
function checkTriplesData(data: Task['data'], at: ConfigPath, report: Report): void {
  if (data.path === undefined) report([...at, 'data'], "missing required key 'path': the triples folder (train.txt, valid.txt, test.txt)");
  for (const key of ['train', 'dev', 'test', 'dev_fraction'] as const)
    if (data[key] !== undefined)
      report([...at, 'data', key], `a triples folder holds its splits (train.txt, valid.txt as dev, test.txt); give only 'path'`);
}

/**
 * EDA keeps the labels of classes, scores and tags, of texts, pairs and tagged words only;
 * back-translation rewrites whole sentences, so it keeps only whole-text labels (texts and pairs of
 * classification and regression tasks): tags and spans would lose their words.
 */
function checkAugment(task: Task, kind: ConfigTaskKind, at: ConfigPath, report: Report): void {
  const where = [...at, 'data', 'augment'];
  const method = task.data.augment?.method;
  const spans = task.input?.e1_span !== undefined;
  const keepsLabel = kind.labelSpace === 'classes' || kind.labelSpace === 'scalar';
  if (method === 'back-translation') {
    const format = task.data.format;
    const tagged = format === 'joint-folder' || format === 'conll';
    const spanned = spans || SPAN_FORMATS.includes(format);
    if (tagged || spanned)
      report(
        where,
        `task '${task.name}' (${task.type}, ${format} data): back-translation rewrites whole sentences, so ${tagged ? 'word-level tags' : 'entity or answer spans'} cannot be kept aligned with the translated words; use method: eda (which keeps slot values whole) or no augmentation`,
      );
    else if (!BACK_TRANSLATABLE_FORMATS.includes(format) || !keepsLabel)
      report(
        where,
        `task '${task.name}' (${task.type}, ${format} data): back-translation keeps the labels of whole texts and text pairs (classification, regression; formats ${BACK_TRANSLATABLE_FORMATS.join(', ')}); this task's targets (${keepsLabel ? `'${format}' data` : kind.labelSpace === 'vocabulary' ? 'tokens' : 'texts, spans or none'}) would not be kept`,
      );
    const bt = task.data.augment as { do_sample: boolean; num_beams: number };
    if (bt.do_sample && bt.num_beams > 1)
      report(
        [...where, 'num_beams'],
        `beam search (num_beams ${bt.num_beams}) does not sample; set do_sample: false, or num_beams: 1 to sample`,
      );
    return;
  }
  if (!(AUGMENTABLE_FORMATS as readonly string[]).includes(task.data.format) || spans)
    report(
      where,
      `EDA augments texts, text pairs and tagged words (formats ${AUGMENTABLE_FORMATS.join(', ')}; no entity spans), not '${task.data.format}'${spans ? ' with entity spans' : ''} data`,
    );
  if (!keepsLabel)
    report(
      where,
      `EDA keeps class, score and tag labels; a ${task.type} task's targets (${kind.labelSpace === 'vocabulary' ? 'tokens' : 'texts, spans or none'}) would not be kept`,
    );
}

/** Data formats whose examples back-translation can rewrite: whole texts and text pairs. */
const BACK_TRANSLATABLE_FORMATS: readonly string[] = ['csv', 'tsv', 'jsonl'];
/** Data formats whose labels are spans of the text (answers, marked or listed entities). */
const SPAN_FORMATS: readonly string[] = ['squad', 'semeval2010', 'cluener'];

/** Text data are streamed, never held whole: no hold-out or subset that needs every line in memory. */
function checkTextData(data: Task['data'], at: ConfigPath, report: Report): void {
  if (data.dev_fraction !== undefined)
    report(
      [...at, 'data', 'dev_fraction'],
      "text data are streamed, so 'dev_fraction' (a random hold-out of the whole file) does not apply; hold out the first N lines with 'dev_lines: N' or give a 'dev' file",
    );
  if (data.train_subset !== undefined)
    report([...at, 'data', 'train_subset'], "text data are streamed in file order; cap them with 'max_lines' instead of 'train_subset'");
  if (data.dev_lines !== undefined && data.dev !== undefined)
    report([...at, 'data', 'dev_lines'], "give 'dev_lines' (the first lines of the training file) or a 'dev' file, not both");
  if (data.dev_lines !== undefined && data.max_lines !== undefined && data.dev_lines >= data.max_lines)
    report(
      [...at, 'data', 'dev_lines'],
      `dev_lines (${data.dev_lines}) must be below max_lines (${data.max_lines}), which counts them: no line would be left for training`,
    );
}

function checkTraining(config: SnakeTrainingConfig, report: Report): void {
  const t = config.training;
  if (t.max_steps !== undefined && t.epochs !== undefined) report(['training', 'epochs'], "give 'max_steps' or 'epochs', not both");
  if (t.max_examples_per_task !== undefined && (t.max_steps !== undefined || t.epochs !== undefined))
    report(['training', 'max_examples_per_task'], "give 'max_examples_per_task' or 'max_steps' / 'epochs', not both");
  if (t.max_steps === undefined && t.epochs === undefined && t.max_examples_per_task === undefined)
    report(
      ['training'],
      "missing the training length: give 'max_steps: <steps>', 'epochs: <passes>' or 'max_examples_per_task: <examples>'",
    );
  if (t.max_examples_per_task !== undefined && t.sampler.kind === 'annealed')
    report(
      ['training', 'max_examples_per_task'],
      "a budget in examples per task needs each stream's share of the draws before the run, which the annealed sampler's depends on the run's length: give 'max_steps' or another sampler",
    );
  if (t.max_examples_per_task !== undefined && t.meta !== undefined && t.meta !== null)
    report(
      ['training', 'max_examples_per_task'],
      "a budget in examples per task is not planned for training.meta's episodes: give 'max_steps'",
    );
  if (t.warmup_ratio !== undefined && t.warmup_steps !== undefined)
    report(['training', 'warmup_steps'], "give 'warmup_ratio' or 'warmup_steps', not both");
  if (t.max_tokens !== undefined && t.max_tokens < config.max_length) {
    report(
      ['training', 'max_tokens'],
      `max_tokens (${t.max_tokens}) is below max_length (${config.max_length}): the longest example would fit in no batch`,
    );
  }
  const s = t.sampler;
  if (s.kind === 'temperature' && s.temperature === undefined)
    report(['training', 'sampler'], "missing required key 'temperature' of the 'temperature' sampler (T > 0; T5 used 2 to 8)");
  if (s.kind !== 'temperature' && s.temperature !== undefined)
    report(['training', 'sampler', 'temperature'], `'temperature' applies only to kind 'temperature', not to '${s.kind}'`);
  if (s.kind === 'uniform' && s.cap !== undefined)
    report(['training', 'sampler', 'cap'], "'cap' applies to kinds 'proportional' and 'temperature'; 'uniform' ignores task sizes");
  if (t.early_stopping !== null) checkEarlyStopping(config, t.early_stopping.metric, report);
}

/** Whether a task's data have a dev split (a file, a fraction or lines of the training file). */
const hasDev = (task: Task): boolean =>
  task.data.dev !== undefined || task.data.dev_fraction !== undefined || task.data.dev_lines !== undefined;

/**
 * The early-stopping metric names a task (or 'average', or a stream of tasks joined by '+', as
 * `intent+slots.sentenceAccuracy`), and the tasks it reads have a dev set.
 */
function checkEarlyStopping(config: SnakeTrainingConfig, metric: string, report: Report): void {
  const at = ['training', 'early_stopping', 'metric'];
  const names = config.tasks.map((task) => task.name);
  if (metric === 'average') {
    const without = config.tasks.filter((task) => !hasDev(task)).map((task) => task.name);
    if (without.length > 0)
      report(
        at,
        `'average' needs a dev set for every task; ${without.join(', ')} ha${without.length === 1 ? 's' : 've'} none (give 'dev' or 'dev_fraction')`,
      );
    return;
  }
  const dot = metric.indexOf('.');
  if (dot <= 0 || dot === metric.length - 1) {
    report(at, `expected '<task>.<metric>' (e.g. '${names[0]}.accuracy') or 'average', got '${metric}'`);
    return;
  }
  const name = metric.slice(0, dot);
  if (name.includes('+')) {
    checkStreamMetric(config, metric, name.split('+'), report);
    return;
  }
  const task = config.tasks.find((x) => x.name === name);
  if (task === undefined) {
    const near = nearest(name, names);
    const hint = near !== undefined ? `; did you mean '${near}${metric.slice(dot)}'?` : `; the tasks are ${names.join(', ')}`;
    report(at, `'${metric}' names no task '${name}'${hint}`);
  } else if (!hasDev(task)) {
    report(at, `task '${name}' has no dev set to measure '${metric}' on; give its data a 'dev' file or 'dev_fraction'`);
  }
}

/**
 * A stream metric ('<task>+<task>.<metric>'): every name is a task with a dev set. Whether the stream
 * has that metric (sentence accuracy: one intent and one slot task over the same utterances) is known
 * only once the data are read: `selectionValue` then names the metrics there are.
 */
function checkStreamMetric(config: SnakeTrainingConfig, metric: string, parts: readonly string[], report: Report): void {
  const at = ['training', 'early_stopping', 'metric'];
  const names = config.tasks.map((task) => task.name);
  const unknown = parts.filter((p) => !names.includes(p));
  if (unknown.length > 0) {
    report(at, `'${metric}' names no task '${unknown[0]}'; a stream metric joins task names by '+' (the tasks are ${names.join(', ')})`);
    return;
  }
  const without = parts.filter((p) => !hasDev(config.tasks.find((x) => x.name === p)!));
  if (without.length > 0) report(at, `'${metric}' needs a dev set for ${without.join(', ')}; give its data a 'dev' file or 'dev_fraction'`);
}
