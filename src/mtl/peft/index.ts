/**
 * Parameter-efficient fine-tuning on a built model, without changing its classes:
 * - freezing by name pattern and trainable-parameter counts (freeze.ts, patterns.ts);
 * - LoRA on chosen Linear layers, merged into the weights for export (lora.ts; Hu et al., ICLR 2022);
 * - bottleneck adapters, Houlsby or Pfeiffer placement (bottleneck-adapter.ts; Houlsby et al., ICML 2019);
 * - several named (per-task) adapters in one model, one active per forward pass (sites.ts).
 *
 * @example
 *   addLora(model.backbone, { targets: 'attention.self.query|value', adapter: 'intent', r: 8, alpha: 16 });
 *   addLora(model.backbone, { targets: 'attention.self.query|value', adapter: 'slots', r: 8, alpha: 16 });
 *   console.log(parameterSummary(model)); // trainable 0.3M of 110.1M (0.27%)
 *   setActiveAdapter(model.backbone, 'intent'); // before each intent batch
 *   mergeLora(model.backbone, { adapter: 'intent', unload: true }); // a plain model for export
 */
export { nameMatcher, globToRegExp, type NamePattern } from './patterns.js';
export {
  freeze,
  unfreeze,
  freezeBase,
  countParameters,
  formatCount,
  parameterSummary,
  type FreezeResult,
  type ParameterCount,
} from './freeze.js';
export { AdapterDict } from './adapter-dict.js';
export {
  setActiveAdapter,
  withAdapter,
  activeAdapters,
  adapterNames,
  adapterParameters,
  adapterStateDict,
  deleteAdapter,
  adapterSites,
  namedModules,
  modulePath,
  type AdapterSite,
} from './sites.js';
export { addLora, mergeLora, unmergeLora, type LoraOptions, type LoraResult } from './lora.js';
export {
  BottleneckAdapter,
  addBottleneckAdapters,
  ADAPTER_ACTIVATIONS,
  type AdapterActivation,
  type AdapterPlacement,
  type BottleneckOptions,
  type BottleneckResult,
} from './bottleneck-adapter.js';
