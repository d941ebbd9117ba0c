/** The options of an explanation (`mtl predict --explain`, `mtl serve`'s `parameters.explain`), validated once. */
import { ConfigError } from '../errors.js';
import { IG_BASELINES, INTEGRATION_RULES, type IgBaseline, type IntegrationRule } from './choices.js';
import type { ExplainSettings } from './explain-row.js';

export interface ExplainOptions extends ExplainSettings {
  /** task name → the label whose logit to explain instead of the predicted one; tasks not named explain their prediction. */
  readonly labels: Readonly<Record<string, string>>;
}

/** m = 50 steps (Captum's default; the paper suggests 20 to 300), the trapezoidal rule, the [PAD] baseline. */
export const EXPLAIN_DEFAULTS: ExplainOptions = { steps: 50, rule: 'trapezoid', baseline: 'pad', labels: {} };

/** The most steps an explanation takes (each step is a row of the model's batch). */
export const MAX_EXPLAIN_STEPS = 1024;

/** What a caller may give: any of the options, the rest defaulted. */
export type ExplainRequest = Partial<{ steps: number; rule: string; baseline: string; labels: Readonly<Record<string, string>> }>;

/**
 * Complete, checked options from `request` over the defaults.
 * @param maxSteps the most steps allowed (a server's bound on the cost of an explanation).
 * @throws ConfigError for steps that are not an integer from 1 to `maxSteps`, an unknown rule or baseline, or labels that are not strings.
 */
export function resolveExplainOptions(request: ExplainRequest = {}, maxSteps = MAX_EXPLAIN_STEPS): ExplainOptions {
  const steps = request.steps ?? EXPLAIN_DEFAULTS.steps;
  if (!Number.isInteger(steps) || steps < 1 || steps > maxSteps)
    throw new ConfigError(`explanation steps must be an integer from 1 to ${maxSteps}, got ${JSON.stringify(steps)}`);
  const rule = request.rule ?? EXPLAIN_DEFAULTS.rule;
  if (!INTEGRATION_RULES.includes(rule as IntegrationRule))
    throw new ConfigError(`explanation rule must be one of ${INTEGRATION_RULES.join(', ')}, got ${JSON.stringify(rule)}`);
  const baseline = request.baseline ?? EXPLAIN_DEFAULTS.baseline;
  if (!IG_BASELINES.includes(baseline as IgBaseline))
    throw new ConfigError(`explanation baseline must be one of ${IG_BASELINES.join(', ')}, got ${JSON.stringify(baseline)}`);
  const labels = request.labels ?? {};
  if (typeof labels !== 'object' || labels === null || Object.values(labels).some((l) => typeof l !== 'string'))
    throw new ConfigError('explanation labels must map task names to label strings, e.g. {"intent": "PlayMusic"}');
  return { steps, rule: rule as IntegrationRule, baseline: baseline as IgBaseline, labels: { ...labels } };
}
