/** XLM-R (Conneau et al., ACL 2020): RoBERTa's architecture (src/models/roberta/) under its own model type. */
export { XLM_ROBERTA_FAMILY } from './family.js';
