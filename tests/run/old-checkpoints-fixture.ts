/** What scripts/fixtures/old-checkpoints.ts trains and predicts, shared with tests/run/old-checkpoints.test.ts. */

/** The variants: extra YAML appended to the tiny run's config. */
export const VARIANTS: Readonly<Record<string, string>> = {
  plain: '',
  lora: 'peft: { lora: { targets: "query|value", r: 4, alpha: 8 }, per_task: true }\n',
  'adapters-mmoe': 'peft: { adapters: { placement: houlsby, reduction_factor: 8 }, per_task: false }\nmmoe: { num_experts: 2 }\n',
};

/** Texts predicted on (SNIPS-like utterances and an SST-2-like sentence). */
export const TEXTS = [
  'play some jazz music by miles davis',
  'what is the weather in paris tomorrow',
  'book a table for two at an italian restaurant',
  'a gorgeous , witty , seductive movie .',
];
