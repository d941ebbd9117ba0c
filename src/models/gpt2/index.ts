export { Gpt2Attention, Gpt2Block, Gpt2Mlp } from './block.js';
export { gpt2Config, gpt2ConfigFromHf, gpt2ConfigToHf, type Gpt2Config } from './config.js';
export { GPT2_FAMILY } from './family.js';
export { Gpt2Model } from './model.js';
