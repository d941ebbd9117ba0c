/**
 * What the config's `mmoe` and `peft` sections do to a built model. `mmoe`: a Multi-gate
 * Mixture-of-Experts layer between the encoder and the heads (Ma et al., KDD 2018; src/mtl/mmoe.ts).
 * `peft`: LoRA (Hu et al., ICLR 2022) or bottleneck
 * adapters (Houlsby et al., ICML 2019; Pfeiffer placement) added to the encoder — one per task,
 * chosen per task at run time, or one shared — then the base frozen (unless `freeze_base: false`,
 * which gives per-task adapters on a trained shared encoder) except `trainable`, and `freeze`
 * applied. Training, evaluation of a checkpoint and prediction all build the model through this, so
 * the adapters' tensors saved in model.safetensors (beside the unmerged base weights) load back.
 */
import type { TrainingConfig } from '../io/config/index.js';
import { backboneFamily } from '../models/registry.js';
import type { MultiTaskModel } from './multitask-model.js';
import { MMoE } from './mmoe.js';
import { addBottleneckAdapters, addLora, freeze, freezeBase, setActiveAdapter } from './peft/index.js';

/** The adapter name of a run without per-task adapters. */
export const SHARED_ADAPTER = 'shared';

/**
 * Applies `config.mmoe` and then `config.peft` (each nothing when null) to `model` in place.
 * @returns log lines saying what was added.
 * @throws ConfigError when a target or layer pattern matches nothing.
 */
export function applyArchitecture(model: MultiTaskModel, config: Pick<TrainingConfig, 'peft' | 'mmoe'>): string[] {
  return [...applyMmoe(model, config), ...applyPeft(model, config)];
}

/** An MMoE layer over the encoder's width, one gate per task (`config.mmoe`). */
function applyMmoe(model: MultiTaskModel, config: Pick<TrainingConfig, 'mmoe'>): string[] {
  const m = config.mmoe;
  if (m === null) return [];
  const hidden = model.backbone.config.hiddenSize;
  const { weight } = model.backbone.inputEmbeddings();
  const mmoe = new MMoE(
    {
      inputSize: hidden,
      tasks: model.taskNames,
      numExperts: m.numExperts,
      expertHiddenSize: m.expertHiddenSize ?? hidden,
      activation: m.activation,
      dropout: m.dropout,
    },
    { dtype: weight.dtype, device: weight.device },
  );
  model.useMmoe(mmoe);
  return [`MMoE: ${m.numExperts} experts, one gate per task: ${mmoe.numParameters().toLocaleString('en-US')} parameters`];
}

function applyPeft(model: MultiTaskModel, config: Pick<TrainingConfig, 'peft'>): string[] {
  const p = config.peft;
  if (p === null) return [];
  const names = p.perTask ? model.taskNames : [SHARED_ADAPTER];
  const lines: string[] = [];
  for (const adapter of names) {
    if (p.lora !== undefined) {
      const { r, alpha, dropout } = p.lora;
      const targets = p.lora.targets ?? backboneFamily(model.backbone.config.modelType).loraTargets; // the family's default
      const added = addLora(model.backbone, { targets, adapter, r, alpha, dropout, freezeBase: false });
      lines.push(
        `LoRA '${adapter}' (r ${r}, α ${alpha}) on ${added.layers.length} layers: ${added.parameters.toLocaleString('en-US')} parameters`,
      );
    } else if (p.adapters !== undefined) {
      const a = p.adapters;
      const added = addBottleneckAdapters(model.backbone, {
        adapter,
        placement: a.placement,
        reductionFactor: a.reductionFactor,
        activation: a.activation,
        freezeBase: false,
        ...(a.bottleneckSize === undefined ? {} : { bottleneckSize: a.bottleneckSize }),
        ...(a.layers === undefined ? {} : { layers: a.layers }),
      });
      lines.push(
        `${a.placement} adapter '${adapter}' (bottleneck ${added.bottleneckSize}) at ${added.sites.length} sites: ${added.parameters.toLocaleString('en-US')} parameters`,
      );
    }
  }
  const hasAdapters = p.lora !== undefined || p.adapters !== undefined;
  if (hasAdapters) {
    model.taskAdapters = p.perTask;
    if (!p.perTask) setActiveAdapter(model.backbone, SHARED_ADAPTER);
  }
  if (p.freezeBase) freezeBase(model, p.trainable);
  if (p.freeze !== undefined) freeze(model, p.freeze);
  return lines;
}
