/**
 * The `mtl` command line. Parses arguments (node:util parseArgs) and prints; the work is done by
 * library functions (src/train for train and finetune, src/experiments for compare and transfer, src/eval, src/predict, src/export; src/serve for serve).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { MtlError } from '../errors.js';
import { nearest } from '../io/config/issues.js';
import { packageRoot } from '../package-root.js';
import { UsageError, nonNegativeInt, positiveInt } from './args.js';
import { stdoutLogger } from '../logger.js';

const USAGE = `usage: mtl <command> [options]

commands:
  train CONFIG          train a multi-task model as the YAML config says; checkpoints in <output_dir>/best and /last,
                        metrics in <output_dir>/metrics.jsonl, the best checkpoint's test metrics in test_metrics.json.
                        Ctrl-C saves <output_dir>/last and stops (a second Ctrl-C exits at once)
           --resume        continue from <output_dir>/last (same config; steps, output and reporting may change)
           --overwrite     start a new run where one is (without --resume or --overwrite that is refused); the
                           earlier run's checkpoints are removed once the new run has saved its first
           --output DIR    write to DIR instead of the config's output_dir
           --max-steps N   train N optimizer steps (instead of the config's max_steps or epochs)
           --single-task NAME  train only task NAME, alone (a single-task baseline), in <output_dir>/single-task/NAME
           --nproc-per-node N  data-parallel: N worker processes on this machine (as torchrun); a process started
                           with RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT set joins that group instead
           --dist-timeout S  longest wait for the other ranks, in seconds (default 1800)
           --stop-at N     pause after step N (dev evaluated, last/ saved; the schedule stays the whole run's);
                           continue with --resume
  compare CONFIG        train one task mixture under several strategies (a compare config: base training config plus
                        overrides per strategy) and each task alone, with the same budget and seed; writes
                        <output_dir>/compare.md and compare.json (per-task test metrics, average, Δ vs single-task,
                        wall time, trainable parameters). Finished runs are reused when run again
           --quiet         print only the table
  sweep CONFIG SPACE    hyper-parameter search over the space file's parameters (dotted config paths; choice, uniform,
                        log_uniform, int), grid / random / TPE sampling, ASHA early termination on the dev metric; each trial
                        is mtl train in a child process; results.md, results.json and best_config.yaml in the space's output_dir.
                        Run again after an interruption to continue (docs/sweep-and-continual.md)
           --parallel N    trials trained at once (default 1)
           --quiet         print only the table
  eval CKPT             evaluate a checkpoint folder on its run's data (from its training_config.yaml); prints JSON
           --split S       dev (default) or test
           --report FILE   also write each task's report (per-label scores, confusion matrix, ROC and PR curves)
                           to FILE as JSON, and print its tables on stderr
  predict CKPT TEXT...  print one JSON line per text: every task's prediction (label and score, its probability; BIO tags
                        and typed spans with offsets into the text (UTF-16 code units, as JavaScript indexes strings); masked-LM fillers of [MASK]); link-prediction
                        tasks are not run (a checkpoint with only those is an error: use eval); what max_length cut off is never
                        labelled: the prediction then says how much was not read ("unread"). CKPT is a checkpoint folder
                        or a Hugging Face …ForSequenceClassification / …ForTokenClassification / …ForQuestionAnswering folder
           --input FILE    read the texts from a JSON lines file instead: "a text" or {"text": …, "text_pair": …} per line
                           (- reads standard input), or {"words": ["already", "split", …]} per line
           --split-into-words   each text comes split into words at spaces and tabs (a data set's seq.in line):
                           word tasks read exactly those words, as mtl eval does (default: punctuation is split off)
           --top-k N       also list each classification's N most probable labels with their scores (top_k)
  generate CKPT PROMPT...  continue each prompt with a decoder model (a checkpoint with a causal-lm task, or a Hugging
                        Face folder of a decoder family such as gpt2), streaming the text to stdout, one line per prompt
           --input FILE    read the prompts from a JSON lines file instead ("a prompt" or {"text": …} per line)
           --max-new-tokens N (default 64), --min-new-tokens N, --eos-token-id N (default: the config's, else the
                           tokenizer's end token), --stop TEXT (repeatable: stop at TEXT, cut before it)
           --do-sample, --temperature X, --top-k N, --top-p X, --seed N   sampling (seeded: reproducible)
           --num-beams N, --length-penalty X, --early-stopping true|false|never   beam search
           --repetition-penalty X, --no-repeat-ngram-size N, --no-cache
  serve CKPT            answer predictions over HTTP until Ctrl-C: POST /predict with {"inputs": ["a text", …]} (or
                        {"text": …, "text_pair": …} objects) returns {"predictions": [...]}, one record per input as
                        predict prints them; GET /health. Requests arriving while the model is busy run together
           --port N        default 8080 (0: any free port)
           --host H        default 127.0.0.1 (0.0.0.0: every interface)
           --max-batch N   inputs per model call, over requests run together (default 64)
           --max-inputs N  inputs per request at most (default 256)
           --max-text-chars N  characters per text at most (default 10000; longer: 413); each text is cut after its
                           first max_length words (all the model reads) before anything else
           --max-queued-inputs N  inputs waiting for the model at most (default 1024; more: 503 with Retry-After);
                           GET /ready answers 503 then, GET /health (liveness) 200
           --api-key-file FILE  requests need Authorization: Bearer <the file's key> (401 without; or MTL_API_KEY);
                           required with a --host other than loopback, unless
           --no-auth       serve anyone who can connect
  export CKPT OUT       write the checkpoint as a Hugging Face Transformers folder (config.json, model.safetensors under
                        Transformers' names, tokenizer.json, tokenizer_config.json) in the classes of the checkpoint's
                        family: the encoder as <Family>Model (BertModel, RobertaModel, …), or with
           --task NAME     that task's head: <Family>ForSequenceClassification (BERT, RoBERTa, XLM-R) or
                           <Family>ForTokenClassification (labels in config.json's id2label; not for CRF, mean-pooling,
                           masked-LM or link-prediction heads)
           --format hf     the only format so far
  finetune CKPT CONFIG  fine-tune a pre-trained checkpoint (its encoder and tokenizer) on the config's tasks, each with a
                        fresh head; the config is a training config without 'tokenizer' (encoder: dropout only)
           --freeze-encoder  train the heads only
           --scratch       same architecture and tokenizer, fresh weights (the baseline)
           --output DIR, --max-steps N, --overwrite   as for train
           --seed N        random seed (instead of the config's)
  transfer PRETRAIN_CONFIG FINETUNE_CONFIG...
                        pre-train multi-task and MLM-only encoders, fine-tune each downstream config from both and from
                        scratch with the same budget and seeds, print the table (<out>/transfer.md, transfer.json)
           --seeds N       fine-tuning seeds 1..N (default 3)
           --out DIR       default runs/transfer
           --pretrain-steps N  pre-training steps (instead of the config's)
           --finetune-steps N  fine-tuning steps of every downstream run (instead of each config's)
           --finetune-lr X     peak learning rate of every downstream run (instead of each config's)
           --pooling cls|mean  what sequence-classification heads read: the pooled [CLS] state or the mean token state
           --reinit-pooler     fresh weights for BERT's pooler at the start of every fine-tuning run
           --reinit-layers N   fresh weights for the encoder's top N layers at the start of every fine-tuning run
           --reuse         keep pre-trained encoders of an earlier run with the same config in <out>
  demo                  multi-task pre-training on WordNet 3.1 (masked LM on glosses, supersense classification, link
                        prediction over WordNet's relations), then predictions on sample inputs and a report
           --out DIR       where the checkpoints and report go (default: runs/demo)
           --max-steps N   optimizer steps (default: examples/wordnet-pretrain.yaml's)
           --seed N        random seed (default: the config's)
           --threads N     libtorch intra-op threads (default: libtorch's)
  help [COMMAND]        this text, or one command's
  --version             the package's version`;

/** The commands USAGE describes. */
const COMMANDS = [...USAGE.matchAll(/^ {2}([a-z]+) /gm)].map((m) => m[1] as string);

/** The version in the package's package.json. */
function version(): string {
  const manifest = JSON.parse(readFileSync(path.join(packageRoot(import.meta.url), 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** A parse error of `command`'s flags, with the nearest flag its usage names when one is unknown. */
function flagProblem(command: string, message: string): string {
  const unknown = /Unknown option '(--?[^']+)'/.exec(message)?.[1];
  if (unknown === undefined) return message;
  const flags = [...new Set([...usageOf(command).matchAll(/(?<=\s)--[a-z][a-z-]*/g)].map((m) => m[0]))];
  const near = nearest(unknown, flags);
  return `unknown option '${unknown}'${near === undefined ? '' : `; did you mean '${near}'?`} (mtl ${command} --help lists its options)`;
}

/** The lines of USAGE about one command (from its line to the next command's), under the usage line. */
function usageOf(command: string): string {
  const lines = USAGE.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`  ${command} `));
  if (start < 0) return USAGE;
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return [`usage: mtl ${command} [options]`, '', ...lines.slice(start, end < 0 ? undefined : end)].join('\n');
}

/** Whether the arguments ask for help (`--help` or `-h` before a `--`). */
function asksForHelp(args: readonly string[]): boolean {
  const end = args.indexOf('--');
  return (end < 0 ? args : args.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

async function demoCommand(rest: string[]): Promise<number> {
  const { values } = parseArgs({
    args: rest,
    options: {
      out: { type: 'string', default: 'runs/demo' },
      'max-steps': { type: 'string' },
      seed: { type: 'string' },
      threads: { type: 'string' },
    },
    strict: true,
  });
  const { runDemo } = await import('./demo.js');
  await runDemo({
    outDir: values.out,
    ...(values['max-steps'] === undefined ? {} : { maxSteps: positiveInt(values['max-steps'], '--max-steps') }),
    ...(values.seed === undefined ? {} : { seed: nonNegativeInt(values.seed, '--seed') }),
    ...(values.threads === undefined ? {} : { threads: positiveInt(values.threads, '--threads') }),
    logger: stdoutLogger,
  });
  return 0;
}

/** Runs the CLI with `argv` (without node and script); returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== undefined && command !== 'help' && usageOf(command) !== USAGE && asksForHelp(rest)) {
    console.log(usageOf(command));
    return 0;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    console.log(version());
    return 0;
  }
  if (command === 'help' && rest[0] !== undefined) {
    if (!COMMANDS.includes(rest[0])) return unknownCommand(rest[0]);
    console.log(usageOf(rest[0]));
    return 0;
  }
  try {
    switch (command) {
      case 'train':
        return await (await import('./train.js')).trainCommand(rest);
      case 'compare':
        return await (await import('./compare.js')).compareCommand(rest);
      case 'sweep':
        return await (await import('./sweep.js')).sweepCommand(rest);
      case 'eval':
        return await (await import('./eval.js')).evalCommand(rest);
      case 'predict':
        return await (await import('./predict.js')).predictCommand(rest);
      case 'serve':
        return await (await import('./serve.js')).serveCommand(rest);
      case 'generate':
        return await (await import('./generate.js')).generateCommand(rest);
      case 'export':
        return await (await import('./export.js')).exportCommand(rest);
      case 'finetune':
        return await (await import('./finetune.js')).finetuneCommand(rest);
      case 'transfer':
        return await (await import('./transfer.js')).transferCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        console.log(USAGE);
        return command === undefined ? 1 : 0;
      default:
        return unknownCommand(command);
    }
  } catch (e) {
    if (e instanceof TypeError && 'code' in e && String(e.code).startsWith('ERR_PARSE_ARGS')) {
      console.error(`mtl ${command}: ${flagProblem(command ?? '', e.message)}`);
      return 2;
    }
    if (e instanceof MtlError) {
      console.error(`mtl ${command}: ${e.message}`);
      return e instanceof UsageError ? 2 : 1;
    }
    throw e;
  }
}

/** Says that `command` is not one, with the nearest one; exit code 2. */
function unknownCommand(command: string): number {
  const near = nearest(command, COMMANDS);
  console.error(`mtl: unknown command '${command}'${near === undefined ? '' : `; did you mean '${near}'?`}\n\n${USAGE}`);
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = await main(process.argv.slice(2));
}
