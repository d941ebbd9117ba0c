/**
 * The training config's types: as the file spells it once defaults are filled (snake_case), and as the
 * program uses it (camelCase, absolute paths). Read by ./load.ts, which makes them, and by the checks
 * that read one section (./task-kinds.ts).
 */
import type { Camelize } from './case.js';
import type { SnakeTrainingConfig } from './schema.js';

/** The encoder section as written. */
export type SnakeEncoder = SnakeTrainingConfig['encoder'];

/** The encoder section once resolved: from a checkpoint (dropout overrides only), or every field given or defaulted. */
export type ResolvedSnakeEncoder =
  | (Pick<
      SnakeEncoder,
      'hidden_dropout_prob' | 'attention_probs_dropout_prob' | 'initializer_range' | 'layer_norm_eps' | 'reinit_pooler' | 'reinit_layers'
    > & {
      from: string;
    })
  | (Required<Omit<SnakeEncoder, 'from' | 'vocab_size' | 'reinit_pooler' | 'reinit_layers'>> & {
      from?: undefined;
      vocab_size?: number | undefined;
      reinit_pooler?: undefined;
      reinit_layers?: undefined;
    });

/** The resolved config in the file's spelling. */
export type ResolvedSnakeConfig = Omit<SnakeTrainingConfig, 'encoder'> & { encoder: ResolvedSnakeEncoder };

/** The training config as the program uses it: camelCase keys, absolute paths, every default filled. */
export type TrainingConfig = Camelize<ResolvedSnakeConfig>;
export type EncoderSettings = TrainingConfig['encoder'];
export type TokenizerSettings = NonNullable<TrainingConfig['tokenizer']>;
export type TaskConfig = TrainingConfig['tasks'][number];
export type TrainingSettings = TrainingConfig['training'];
