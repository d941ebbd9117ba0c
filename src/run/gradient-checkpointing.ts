/** `training.gradient_checkpointing`: turned on in the backbone, or refused where it cannot work. */
import { ConfigError } from '../errors.js';
import type { TrainingConfig } from '../io/config/index.js';
import type { MultiTaskModel } from '../mtl/multitask-model.js';

/**
 * Turns gradient checkpointing of the backbone's layers on when the config asks for it.
 * @throws ConfigError for a family without it, and for per-task PEFT adapters: the layer is re-run in
 *   backward, after other tasks' forward passes have made their own adapters the active ones.
 */
export function applyGradientCheckpointing(model: MultiTaskModel, config: TrainingConfig): void {
  if (!config.training.gradientCheckpointing) return;
  const backbone = model.backbone;
  if (backbone.setGradientCheckpointing === undefined) {
    throw new ConfigError(
      `training.gradient_checkpointing is not available for model_type '${backbone.config.modelType}'; it is for bert, roberta, ` +
        'xlm-roberta, electra and distilbert encoders: turn it off for this model',
    );
  }
  const peft = config.peft;
  if (peft !== null && peft.perTask && (peft.lora !== undefined || peft.adapters !== undefined)) {
    throw new ConfigError(
      'training.gradient_checkpointing does not work with per-task adapters (peft.per_task: true): a layer re-run in backward ' +
        "would use whichever task's adapter is active then; set peft.per_task: false, or turn gradient checkpointing off",
    );
  }
  backbone.setGradientCheckpointing(true);
}
