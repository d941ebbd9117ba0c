/**
 * XLM-RoBERTa (Conneau et al., ACL 2020, "Unsupervised Cross-lingual Representation Learning at
 * Scale") as a backbone family: RoBERTa's architecture (src/models/roberta/) under `model_type`
 * 'xlm-roberta' and Transformers' `XLMRoberta…` classes, whose base model sits under `roberta.` too.
 */
import type { BackboneFamily } from '../backbone.js';
import { robertaFamily } from '../roberta/family.js';

export const XLM_ROBERTA_FAMILY: BackboneFamily = robertaFamily('xlm-roberta', 'XLMRoberta');
