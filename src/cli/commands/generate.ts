/** `mtl generate MODEL PROMPT...`: its arguments, flags and help; the work is ../generate.ts's, loaded when the command runs. */
import type { Command } from 'commander';
import { checked, collect, finiteNumber, nonNegativeInt, oneOf, positiveInt, positiveNumber } from '../args.js';
import type { CliContext } from '../context.js';
import type { GenerateFlags } from '../generate.js';

export function defineGenerate(program: Command, cli: CliContext): void {
  program
    .command('generate')
    .summary('generate from each prompt (decoder or seq2seq), or reply to conversations')
    .description(
      'Generate from each prompt, streaming the text to stdout, one line per prompt: a decoder continues it (a checkpoint ' +
        'with a causal-lm task, or a Hugging Face folder of a decoder family such as gpt2); a checkpoint with seq2seq tasks ' +
        '(an encoder-decoder such as t5 or bart, or a decoder) reads it as the source of the task whose prefix it starts ' +
        'with (the only task: its prefix put before; several and no prefix: an error naming them; --task names one) and generates the ' +
        'target; a Hugging Face encoder-decoder folder ' +
        'generates the target of the prompt as it is. With --messages, reply to each conversation ' +
        "as a checkpoint's chat task: its messages rendered by the task's chat template, the reply ending at its end-of-turn " +
        "token, one line per conversation (the task's max_new_tokens, num_beams and no_repeat_ngram_size unless given); " +
        "a Hugging Face folder replies with its own chat template (tokenizer_config.json's chat_template or chat_template.jinja), " +
        "stopping at generation_config.json's eos_token_id and the template's end-of-turn token. " +
        "A flag not given takes the model folder's generation_config.json value (do_sample, temperature, top_k, top_p, " +
        'num_beams, length_penalty, early_stopping, repetition_penalty, no_repeat_ngram_size, max_new_tokens or max_length, ' +
        "min_new_tokens or min_length), as Transformers does; a checkpoint's prompt takes its seq2seq task's decoding options " +
        '(num_beams, length_penalty, max_new_tokens, no_repeat_ngram_size), as its export does. Sampling is seeded (reproducible).',
    )
    .argument('<model>', 'a checkpoint folder, or a Hugging Face folder of a decoder or encoder-decoder family')
    .argument('[prompts...]', 'the prompts (or --input)')
    .option(
      '--input <file>',
      'read the prompts from a JSON lines file instead ("a prompt" or {"text": …} per line); - reads standard input',
    )
    .option(
      '--messages <file>',
      'reply to conversations: a JSON list of {"role", "content"} messages (or {"messages": […]}), or JSON lines of them; ' +
        "- reads standard input. Decoding options not given are the chat task's own (--max-new-tokens too), or a Hugging Face " +
        "folder's generation_config.json values (64 new tokens where it has none)",
    )
    .option(
      '--task <name>',
      "with --messages, the chat task that replies (default: the checkpoint's only one; none for a Hugging Face folder); " +
        'with prompts, the seq2seq task whose source each prompt is, its prefix put before (default: the task whose prefix it starts with)',
    )
    .addOption(
      checked(
        '--max-new-tokens <n>',
        "tokens to generate at most (default: the seq2seq task's max_new_tokens, or generation_config.json's max_new_tokens, " +
          'or its max_length less the prompt; else 64)',
        nonNegativeInt,
      ),
    )
    .addOption(checked('--min-new-tokens <n>', 'tokens to generate at least', nonNegativeInt))
    .addOption(
      checked(
        '--eos-token-id <id>',
        "the end token (default: generation_config.json's eos_token_id, else the config's, else the tokenizer's)",
        nonNegativeInt,
      ),
    )
    .option('--stop <text>', 'stop at TEXT, cut before it (repeatable)', collect)
    .option('--do-sample', "sample (default: generation_config.json's do_sample, else greedy, or beam search with --num-beams)")
    .option('--no-do-sample', 'decode greedily (or by beam search) even where generation_config.json says do_sample')
    .addOption(checked('--temperature <x>', 'divide the logits by X before sampling', positiveNumber))
    .addOption(checked('--top-k <n>', 'sample among the N most probable tokens', nonNegativeInt))
    .addOption(checked('--top-p <x>', 'sample among the most probable tokens whose probabilities add up to X', positiveNumber))
    .addOption(checked('--seed <n>', 'random seed of sampling', nonNegativeInt))
    .addOption(checked('--num-beams <n>', 'beam search with N beams', positiveInt))
    .addOption(checked('--length-penalty <x>', "beam scores divided by length^X (Hugging Face's length_penalty)", finiteNumber))
    .addOption(checked('--early-stopping <when>', 'beam search stops: true, false or never', oneOf(['true', 'false', 'never'] as const)))
    .addOption(checked('--repetition-penalty <x>', "CTRL's penalty of tokens already present", positiveNumber))
    .addOption(checked('--no-repeat-ngram-size <n>', 'never repeat an n-gram of N tokens', nonNegativeInt))
    .option('--no-cache', 'recompute every position at each step (no key/value cache)')
    .action(async (model: string, prompts: string[], flags: GenerateFlags) => {
      const { runGenerate } = await import('../generate.js');
      cli.exitCode = await runGenerate(model, prompts, flags, cli.write);
    });
}
