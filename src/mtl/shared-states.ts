/**
 * Heads that read another head's sequence-layer states: an intent head (sequence classification with
 * `states_of: slots`) classifies from the slot head's BiLSTM states instead of the encoder's, so that
 * intent and slots share the recurrent layer, as the joint SLU models of Liu & Lane (Interspeech 2016),
 * Goo et al. (NAACL 2018) and Qin et al. (EMNLP 2019) do. The BiLSTM's parameters stay the slot head's
 * (`heads.slots.bilstm.…`); the intent head is built on states of its size (`TaskHead.sequenceStateSize`)
 * and gets them as its `lastHiddenState`. In a pass that runs both, the BiLSTM runs once: the slot head
 * projects the same states (`forwardStates`), so both losses' gradients flow into one graph.
 */
import { ConfigError } from '../errors.js';
import type { BackboneConfig } from '../models/backbone.js';
import type { Tensor } from '../tensor/index.js';
import { taskType, type EncoderOutputs, type TaskHead, type TaskSpec } from '../tasks/index.js';

/** Reader task → the task whose sequence states it reads, from each spec's type (`TaskType.statesOf`). */
export function statesOfSpecs(specs: readonly TaskSpec[]): Map<string, string> {
  const readers = new Map<string, string>();
  for (const spec of specs) {
    const provider = taskType(spec.kind).statesOf?.(spec);
    if (provider !== undefined) readers.set(spec.name, provider);
  }
  return readers;
}

/**
 * The heads of `specs` (task name → head, in spec order), each made by its type; a reader's head on
 * `backbone` with `hiddenSize` its provider's `sequenceStateSize`.
 * @throws ConfigError for a repeated task name, or a reader whose provider is not among `specs`, is a
 *   reader itself, or has no sequence layer (every head made is disposed first).
 */
export function createHeads(backbone: BackboneConfig, specs: readonly TaskSpec[]): Map<string, TaskHead> {
  const twice = specs.find((s, i) => specs.findIndex((t) => t.name === s.name) !== i);
  if (twice !== undefined) throw new ConfigError(`task '${twice.name}' is given twice; task names must be unique`);
  const readers = statesOfSpecs(specs);
  const made = new Map<string, TaskHead>();
  try {
    for (const spec of specs) if (!readers.has(spec.name)) made.set(spec.name, taskType(spec.kind).createHead(backbone, spec));
    for (const [reader, provider] of readers) {
      const size = providerHead(made, readers, reader, provider).sequenceStateSize!;
      const spec = specs.find((s) => s.name === reader)!;
      made.set(reader, taskType(spec.kind).createHead({ ...backbone, hiddenSize: size }, spec));
    }
    return new Map(specs.map((s) => [s.name, made.get(s.name)!]));
  } catch (e) {
    for (const head of made.values()) head.dispose();
    throw e;
  }
}

/**
 * The head of `provider`, checked: present, not a reader itself, with a sequence layer.
 * @throws ConfigError naming the reader, the provider and the fix.
 */
export function providerHead(
  heads: ReadonlyMap<string, TaskHead>,
  readers: ReadonlyMap<string, string>,
  reader: string,
  provider: string,
): TaskHead {
  const head = heads.get(provider);
  const where = `task '${reader}' reads the states of task '${provider}' (states_of)`;
  if (readers.has(provider)) throw new ConfigError(`${where}, which reads another task's states itself; name a task with a bilstm`);
  if (head === undefined)
    throw new ConfigError(`${where}, but the model has no such task (its tasks: ${[...heads.keys(), reader].join(', ')})`);
  if (head.sequenceStateSize === undefined)
    throw new ConfigError(`${where}, but its head has no sequence layer (bilstm) whose states it could read; give it 'bilstm: {}'`);
  return head;
}

/**
 * Runs the heads of one encoder pass, each reader on its provider's states: task → logits. A provider's
 * states are computed once per call (whether the provider's own logits are asked for or not); a provider
 * named here projects those same states.
 * @param heads the tasks of the pass and their heads, in order; `readers` reader → provider over the whole model.
 * @param headOf the head of any task of the model (for a provider that is not in the pass).
 * @param run how the model runs any other head of the pass.
 */
export function forwardSharingStates(
  heads: ReadonlyArray<readonly [string, TaskHead]>,
  encoded: EncoderOutputs,
  readers: ReadonlyMap<string, string>,
  headOf: (task: string) => TaskHead,
  run: (name: string, head: TaskHead) => Tensor,
): Map<string, Tensor> {
  const names = heads.map(([name]) => name);
  const provided = new Set(names.flatMap((n) => (readers.has(n) ? [readers.get(n)!] : [])));
  const states = new Map<string, Tensor>(); // provider → (B, T, S)
  const statesOf = (provider: string): Tensor => {
    let s = states.get(provider);
    if (s === undefined) states.set(provider, (s = headOf(provider).sequenceStates(encoded)));
    return s;
  };
  return new Map(
    heads.map(([name, head]) => {
      const provider = readers.get(name);
      if (provider !== undefined) return [name, head.forward(readerInputs(encoded, statesOf(provider)))];
      if (provided.has(name)) return [name, head.forwardStates(statesOf(name), encoded)];
      return [name, run(name, head)];
    }),
  );
}

/** What a reader's head gets: the provider's states (B, T, S) as its last hidden state, the batch's mask, no pooled output. */
function readerInputs(encoded: EncoderOutputs, states: Tensor): EncoderOutputs {
  const { attentionMask, wordCharIds } = encoded;
  return {
    lastHiddenState: states,
    ...(attentionMask === undefined ? {} : { attentionMask }),
    ...(wordCharIds === undefined ? {} : { wordCharIds }),
  };
}
