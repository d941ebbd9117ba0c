/**
 * How TextGenerator (what `mtl generate` and /generate run) routes a prompt among a checkpoint's seq2seq
 * tasks: by the task prefix it starts with; a prompt that starts with none of several tasks' prefixes is
 * refused, naming each task and its prefix (it went through the LM head with no task's weights before),
 * on an encoder-decoder and on a decoder; a causal-lm task beside them continues such a prompt as free text.
 * `POST /generate` routes alike: `"task"` as `--task`, the same text streamed or not, the same refusals
 * (400s with `mtl generate`'s messages: an unknown task naming the seq2seq tasks, an unprefixed prompt).
 * The routed task's own decoding options (reverse: 3 beams, length penalty 0.5; copy: greedy) are the
 * defaults under the options given, in TextGenerator, `mtl generate` and `POST /generate`.
 * The checkpoints are trained for 2 steps: the routing, not the text, is under test. A generator, refusals
 * included, leaves no tensor behind (counted around it: the training before is not under test).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from '../../src/errors.js';
import { parseTrainingConfig } from '../../src/io/config/index.js';
import { main } from '../../src/cli/main.js';
import { runGenerateCli } from '../helpers/cli.js';
import { serving, streamedText } from '../helpers/generate-server.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { taskTypes } from '../../src/tasks/index.js';
import { train } from '../../src/train/trainer.js';
import { liveTensorCount } from '../../src/tensor/index.js';

const PAIRS = 'source\ttarget\na b c\tc b a\nb c d\td c b\nc d a\ta d c\nd a b\tb a d\n';
const seq2seq = (name: string, prefix: string, options = '') =>
  `  - { name: ${name}, type: seq2seq, data: { format: tsv, train: pairs.tsv }, input: { text: source }, label: { field: target },
      options: { prefix: "${prefix}", max_target_length: 6${options} } }\n`;
/** reverse's decoding options (as `mtl generate` flags and as GenerateOptions); copy's are the defaults (greedy, 6 new tokens). */
const REVERSE = ', num_beams: 3, length_penalty: 0.5';
const REVERSE_FLAGS = ['--num-beams', '3', '--length-penalty', '0.5', '--early-stopping', 'true', '--max-new-tokens', '6'];
const REVERSE_OPTIONS = { numBeams: 3, lengthPenalty: 0.5, earlyStopping: true, maxNewTokens: 6 };
const TOKENIZER = '{ train: { vocab_size: 40, min_frequency: 1 } }';
const ENCODERS = {
  bart: '{ model_type: bart, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 48, max_position_embeddings: 32 }',
  gpt2: '{ model_type: gpt2, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, max_position_embeddings: 32 }',
};

/** Trains `tasks` on `encoder` for 2 steps; returns the checkpoint folder. */
async function checkpoint(dir: string, name: string, encoder: string, tasks: string, tokenizer: string): Promise<string> {
  const text = `seed: 1
output_dir: ${name}
encoder: ${encoder}
tokenizer: ${tokenizer}
max_length: 16
tasks:
${tasks}training: { max_steps: 2, batch_size: 4, learning_rate: 1.0e-3 }
`;
  const result = await train(parseTrainingConfig(text, { taskTypes, source: path.join(dir, `${name}.yaml`) }), {});
  assert.equal(result.status, 'completed');
  return path.join(dir, name, 'last');
}

describe('mtl generate: a prompt routed among several seq2seq tasks', () => {
  let dir = '';
  let ckpt = ''; // a bart checkpoint with the tasks copy and reverse
  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mtl-generate-routing-'));
    writeFileSync(path.join(dir, 'pairs.tsv'), PAIRS);
    writeFileSync(path.join(dir, 'text.txt'), 'a b c d\nd c b a\n');
    ckpt = await checkpoint(dir, 'bart', ENCODERS.bart, seq2seq('copy', 'copy: ') + seq2seq('reverse', 'reverse: ', REVERSE), TOKENIZER);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('an encoder-decoder: a prompt with no task prefix is refused, naming the tasks and their prefixes', async () => {
    const live = liveTensorCount();
    const generator = TextGenerator.load(ckpt);
    await assert.rejects(
      generator.generate('a b c', { maxNewTokens: 2 }),
      (e: Error) =>
        e instanceof ConfigError &&
        e.message ===
          'generate: the prompt "a b c" starts with no task\'s prefix, and the checkpoint has 2 seq2seq tasks: copy ("copy: "), ' +
            'reverse ("reverse: "); start the prompt with the prefix of the task to run (e.g. "copy: a b c"), or name the task ' +
            '(mtl generate --task copy; "task": "copy" in a request)',
    );
    // --task: the named task's source, its prefix put before (or already there); an unknown task names those there are
    const named = await generator.generate({ text: 'a b c', task: 'reverse' }, { maxNewTokens: 3 });
    assert.deepEqual(named.tokens, (await generator.generate('reverse: a b c', { maxNewTokens: 3 })).tokens);
    assert.deepEqual((await generator.generate({ text: 'reverse: a b c', task: 'reverse' }, { maxNewTokens: 3 })).tokens, named.tokens);
    await assert.rejects(
      generator.generate({ text: 'a b c', task: 'revers' }, { maxNewTokens: 3 }),
      /'revers' is not a seq2seq task of the model \(the checkpoint has 2 seq2seq tasks: copy \("copy: "\), reverse \("reverse: "\)\)/,
    );
    assert.equal((await generator.generate('copy: a b c', { maxNewTokens: 2 })).tokens.length, 2, 'a prefixed prompt generates');
    generator.dispose();
    assert.equal(liveTensorCount(), live, 'no tensor left');
    const written: string[] = [];
    assert.equal(
      await main(['generate', ckpt, 'a b c', '--task', 'reverse', '--max-new-tokens', '3'], { write: (t) => void written.push(t) }),
      0,
    );
    using again = TextGenerator.load(ckpt);
    assert.equal(written.join(''), `${(await again.generate('reverse: a b c', { maxNewTokens: 3 })).text}\n`, 'mtl generate --task');
  });

  it('POST /generate: "task" routes as --task does, streamed or not; the same refusals as mtl generate, as 400s', async () => {
    const { post, close } = await serving(ckpt);
    try {
      using generator = TextGenerator.load(ckpt);
      const want = await generator.generate({ text: 'a b c', task: 'reverse' }, { maxNewTokens: 3, minNewTokens: 3 });
      const request = { inputs: 'a b c', task: 'reverse', parameters: { max_new_tokens: 3, min_new_tokens: 3 } };
      const plain = await post(request);
      assert.equal(plain.status, 200, await plain.clone().text());
      const body = (await plain.json()) as { generated_text: string; details: { generated_tokens: number } };
      assert.deepEqual([body.generated_text, body.details.generated_tokens], [want.text, 3]);
      const streamed = await streamedText(await post({ ...request, stream: true }));
      assert.deepEqual([streamed.last.generated_text, streamed.joined], [want.text, want.text], 'streamed = not streamed');
      // no parameters: the task's own decoding options (reverse's 3 beams), as TextGenerator's
      const byTask = (await (await post({ inputs: 'a b c', task: 'reverse' })).json()) as { generated_text: string };
      assert.equal(byTask.generated_text, (await generator.generate('reverse: a b c', REVERSE_OPTIONS)).text);
      // the refusals: mtl generate's messages (printed after 'mtl: '), as 400s after 'generation failed: '
      for (const [body, args] of [
        [{ inputs: 'a b c', task: 'revers' }, ['a b c', '--task', 'revers']],
        [{ inputs: 'a b c' }, ['a b c']],
      ] as const) {
        const res = await post(body);
        const { error } = (await res.json()) as { error: string };
        assert.equal(res.status, 400, error);
        const cli = await runGenerateCli([ckpt, ...args]);
        assert.notEqual(cli.code, 0);
        const message = error.replace(/^generation failed: /, '');
        assert.ok(cli.errors.join('\n').includes(message), `${cli.errors.join('\n')}\nvs\n${message}`);
        assert.match(message, /the checkpoint has 2 seq2seq tasks: copy \("copy: "\), reverse \("reverse: "\)/);
      }
      const bad = await post({ inputs: 'a b c', task: 3 });
      assert.equal(bad.status, 400);
      assert.match(
        ((await bad.json()) as { error: string }).error,
        /"task" must be the name of a seq2seq task \(a non-empty string\), got 3/,
      );
    } finally {
      await close();
    }
  });

  it("the routed task's decoding options are the defaults of TextGenerator and mtl generate; given options override", async () => {
    using generator = TextGenerator.load(ckpt);
    const reverse = await generator.generate('reverse: a b c');
    const explicit = await generator.generate('reverse: a b c', REVERSE_OPTIONS);
    assert.deepEqual([reverse.tokens, reverse.score], [explicit.tokens, explicit.score]);
    assert.equal(typeof reverse.score, 'number', "reverse's 3 beams: a beam hypothesis's score");
    const copy = await generator.generate({ text: 'a b c', task: 'copy' });
    assert.deepEqual(copy, await generator.generate('copy: a b c', { maxNewTokens: 6, numBeams: 1 }));
    assert.equal(copy.score, undefined, "copy's own options: greedy, not reverse's beams");
    assert.equal((await generator.generate('reverse: a b c', { numBeams: 1 })).score, undefined, 'a given option overrides the task');
    // mtl generate: no flag = the task's options as flags; a flag overrides
    const cli = async (...args: string[]) => {
      const r = await runGenerateCli([ckpt, ...args]);
      assert.equal(r.code, 0, r.errors.join('\n'));
      return r.text;
    };
    assert.equal(await cli('a b c', '--task', 'reverse'), await cli('reverse: a b c', ...REVERSE_FLAGS));
    assert.equal(await cli('a b c', '--task', 'reverse'), `${reverse.text}\n`);
    const greedy = await generator.generate('reverse: a b c', { ...REVERSE_OPTIONS, numBeams: 1 });
    assert.equal(await cli('a b c', '--task', 'reverse', '--num-beams', '1'), `${greedy.text}\n`);
  });

  it('a decoder: refused alike; with a causal-lm task beside them, continued as free text', async () => {
    const tasks = seq2seq('copy', 'copy: ') + seq2seq('reverse', 'reverse: ');
    using only = TextGenerator.load(await checkpoint(dir, 'gpt2', ENCODERS.gpt2, tasks, TOKENIZER));
    await assert.rejects(only.generate('a b c', { maxNewTokens: 2 }), /the checkpoint has 2 seq2seq tasks: copy \("copy: "\)/);
    const lm = '  - { name: lm, type: causal-lm, data: { format: text, train: text.txt } }\n';
    using free = TextGenerator.load(await checkpoint(dir, 'gpt2-lm', ENCODERS.gpt2, tasks + lm, TOKENIZER));
    assert.equal((await free.generate('a b c', { maxNewTokens: 2, minNewTokens: 2 })).tokens.length, 2);
  });
});
