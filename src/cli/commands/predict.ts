/** `mtl predict CKPT TEXT...`: its arguments, flags and help; the work is ../predict.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { UsageError, checked, collect, oneOf, positiveInt } from '../args.js';
import { IG_BASELINES, INTEGRATION_RULES } from '../../explain/choices.js';
import type { CliContext } from '../context.js';
import type { PredictFlags } from '../predict.js';

/** --top-k's value: an integer ≥ 1. */
function topK(text: string, flag: string): number {
  const n = Number(text);
  if (!(Number.isInteger(n) && n >= 1)) throw new UsageError(`${flag} must be an integer ≥ 1, got '${text}'`);
  return n;
}

export function definePredict(program: Command, cli: CliContext): void {
  program
    .command('predict')
    .summary("print every task's prediction for each text, one JSON line per text")
    .description(
      "Print one JSON line per text: every task's prediction (label and score, its probability; BIO tags and entities " +
        "as Hugging Face's pipeline gives them, {entity_group, score, word, start, end}, with offsets into the text (UTF-16 " +
        'code units, as JavaScript indexes strings); masked-LM fillers of [MASK]). ' +
        'Link-prediction tasks are not run (a checkpoint with only those is an error: use eval). What max_length cut off is ' +
        'never labelled: the prediction then says how much was not read ("unread").',
    )
    .argument(
      '<checkpoint>',
      'a checkpoint folder, or a Hugging Face …ForSequenceClassification / …ForTokenClassification / …ForQuestionAnswering folder',
    )
    .argument('[texts...]', 'the texts (or --input)')
    .option(
      '--input <file>',
      'read the inputs from a JSON lines file instead: "a text" or {"text": …, "text_pair": …} or {"words": ["already", "split", …]} per line; - reads standard input',
    )
    .option(
      '--split-into-words',
      "each text comes split into words at spaces and tabs (a data set's seq.in line): word tasks read exactly those words, " +
        'as mtl eval does (default: punctuation is split off)',
    )
    .addOption(checked('--top-k <n>', "also list each classification's N most probable labels with their scores (top_k)", topK))
    .option(
      '--explain',
      'each prediction carries "explanation": integrated gradients and attention rollout per token and word, with offsets (docs/explanations.md)',
    )
    .addOption(checked('--explain-steps <m>', 'steps of the integrated-gradients path (default 50)', positiveInt))
    .addOption(checked('--explain-baseline <b>', "the baseline at the text's tokens: pad or zero (default pad)", oneOf(IG_BASELINES)))
    .addOption(
      checked('--explain-rule <r>', 'how the integral is summed: trapezoid or riemann-right (default trapezoid)', oneOf(INTEGRATION_RULES)),
    )
    .option('--explain-label <task=label>', "explain that label's logit instead of the prediction's (repeatable)", collect)
    .option('--html <file>', 'with --explain: also write the explanations as a page of highlighted texts')
    .action(async (checkpoint: string, texts: string[], flags: PredictFlags) => {
      const { runPredict } = await import('../predict.js');
      cli.exitCode = await runPredict(checkpoint, texts, flags);
    });
}
