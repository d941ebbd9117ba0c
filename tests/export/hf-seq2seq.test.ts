/**
 * `mtl export --task` of encoder-decoder checkpoints with a seq2seq task: a tiny T5 and a tiny BART
 * trained a few steps, exported as `T5ForConditionalGeneration` / `BartForConditionalGeneration`
 * folders, loaded strictly (every parameter, nothing left over) by the Python references of
 * scripts/fixtures/t5.py and bart.py with the checkpoint's logits, loaded back by our Hugging Face
 * loader with the checkpoint's generated tokens; config.json carries the task's prefix and
 * generation_config.json its decoding options (3 beams, length penalty 0.5, 8 new tokens), which the
 * folder's generations take where none are given, as the checkpoint's take its task's: `mtl generate`
 * without flags on the checkpoint prints what it prints with the task's options as flags, and what it
 * prints on the exported folder; a flag overrides them on both.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { runGenerateCli } from '../helpers/cli.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { isEncoderDecoder } from '../../src/models/encoder-decoder.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { modelFromCheckpoint } from '../../src/run/load-model.js';
import { noGrad, tensor, tidy } from '../../src/tensor/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-export-seq2seq-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const WORDS = 'a b c d e f g h'.split(' ');
const lines = Array.from({ length: 60 }, (_, i) => {
  const w = Array.from({ length: 3 + (i % 3) }, (_, j) => WORDS[(i * 5 + j * 3) % WORDS.length]!);
  return `${w.join(' ')}\t${[...w].reverse().join(' ')}`;
});
writeFileSync(path.join(dir, 'pairs.tsv'), `source\ttarget\n${lines.join('\n')}\n`);

const ENCODERS: Record<string, string> = {
  t5: '{ model_type: t5, hidden_size: 32, intermediate_size: 48, num_hidden_layers: 2, num_attention_heads: 4 }',
  bart: '{ model_type: bart, hidden_size: 32, num_hidden_layers: 2, num_attention_heads: 4, intermediate_size: 48, max_position_embeddings: 32 }',
};
for (const [family, encoder] of Object.entries(ENCODERS))
  writeFileSync(
    path.join(dir, `${family}.yaml`),
    `seed: 5
output_dir: run-${family}
encoder: ${encoder}
tokenizer: { train: { vocab_size: 40, min_frequency: 1 } }
max_length: 16
tasks:
  - { name: reverse, type: seq2seq, data: { format: tsv, train: pairs.tsv }, input: { text: source }, label: { field: target },
      options: { prefix: "reverse: ", max_target_length: 8, num_beams: 3, length_penalty: 0.5 } }
training: { max_steps: 6, batch_size: 8, learning_rate: 1.0e-2 }
`,
  );

/** ids (2, 6) with the second row padded after 4 tokens, and decoder ids (2, 4) behind the start token. */
function batch(pad: number, start: number) {
  const ids = [
    [5, 9, 12, 7, 8, 3],
    [6, 10, 11, 4, pad, pad],
  ];
  return {
    ids,
    mask: ids.map((row, i) => row.map((_, j) => (i === 1 && j >= 4 ? 0 : 1))),
    dec: [
      [start, 7, 12, 9],
      [start, 4, 11, 10],
    ],
  };
}

/** The checkpoint's vocabulary logits (B, T, V), flat, through its backbone and the task's LM head. */
function checkpointLogits(checkpoint: string, b: ReturnType<typeof batch>): number[] {
  using ckpt = loadCheckpoint(checkpoint, { optimizer: false });
  using model = modelFromCheckpoint(ckpt).eval();
  const backbone = model.backbone;
  assert.ok(isEncoderDecoder(backbone));
  return noGrad(() =>
    tidy(() => {
      const out = backbone.forward({
        inputIds: tensor(b.ids, { dtype: 'int64' }),
        attentionMask: tensor(b.mask, { dtype: 'int64' }),
        decoderInputIds: tensor(b.dec, { dtype: 'int64' }),
      });
      return backbone.lmLogits(out.lastHiddenState).toFlatArray() as number[];
    }),
  );
}

/** The exported folder's logits from the Python reference of its family, every parameter loaded strictly. */
function pythonLogits(folder: string, b: ReturnType<typeof batch>): number[] {
  const script = `
import importlib.util, json, sys, torch
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'bench', 'peer'))})
from bert import load_safetensors
folder, b = sys.argv[1], json.loads(sys.argv[2])
c = json.load(open(folder + "/config.json"))
arch = c["architectures"][0]
spec = importlib.util.spec_from_file_location("ref", ${JSON.stringify(path.join(ROOT, 'scripts', 'fixtures'))} + ("/t5.py" if arch.startswith("T5") else "/bart.py"))
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)
state = load_safetensors(folder + "/model.safetensors")
ids, mask, dec = (torch.tensor(b[k]) for k in ("ids", "mask", "dec"))
if arch == "T5ForConditionalGeneration":
    model = ref.T5(c)
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    model.eval()
    with torch.no_grad():
        logits = model(ids, mask, dec, torch.ones_like(dec))[2]
else:
    model = ref.Seq2Seq(c)
    bias = state.pop("final_logits_bias")
    own = {k[len("model."):]: v for k, v in state.items()}
    missing, unexpected = model.load_state_dict(own, strict=False)
    assert not missing and not unexpected, (missing, unexpected)
    model.eval()
    with torch.no_grad():
        enc = model.encoder(model.shared(ids), mask)
        logits = model.decoder(model.shared(dec), torch.ones_like(dec), enc, mask) @ model.shared.weight.t() + bias
print(json.dumps(logits.flatten().tolist()))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, folder, JSON.stringify(b)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `python: ${r.stderr}`);
  return JSON.parse(r.stdout) as number[];
}

const ARCHITECTURES: [family: string, architecture: string][] = [
  ['t5', 'T5ForConditionalGeneration'],
  ['bart', 'BartForConditionalGeneration'],
];

describe('mtl export of seq2seq checkpoints: the family language-model classes, reference parity and round trip', () => {
  for (const [family, architecture] of ARCHITECTURES) {
    describe(family, () => {
      const checkpoint = path.join(dir, `run-${family}`, 'last');
      const out = path.join(dir, 'exported', family);

      it(`trains a seq2seq task and exports it as ${architecture} through the command line`, async () => {
        assert.equal(await main(['train', path.join(dir, `${family}.yaml`)]), 0);
        assert.equal(await main(['export', checkpoint, out, '--task', 'reverse']), 0);
        const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        assert.deepEqual(config.architectures, [architecture]);
        assert.equal(config.model_type, family);
        assert.equal(config.prefix, 'reverse: ', "the task's prefix, which Transformers' text2text pipelines put before each input");
      });

      it("loads strictly into the family's Python reference with the checkpoint's logits", () => {
        const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, number>;
        const b = batch(config.pad_token_id!, config.decoder_start_token_id!);
        const [ours, reference] = [checkpointLogits(checkpoint, b), pythonLogits(out, b)];
        assert.equal(ours.length, reference.length);
        ours.forEach((x, i) => assert.ok(Math.abs(x - reference[i]!) < 1e-4, `logits[${i}]: ${x} vs ${reference[i]}`));
      });

      it("loads back through our Hugging Face loader with the checkpoint's greedy and beam outputs", async () => {
        using folder = TextGenerator.load(out);
        using fromCheckpoint = TextGenerator.load(checkpoint);
        // where the options say nothing, the folder decodes by its generation_config.json and the checkpoint by its
        // task's options: both the task's 3 beams, length penalty 0.5, early stopping
        for (const options of [{ maxNewTokens: 6, numBeams: 1 }, { maxNewTokens: 6 }]) {
          // the checkpoint's generator puts the task's prefix before the prompt; the folder's reads it as given
          const [a, b] = [await folder.generate('reverse: a b c', options), await fromCheckpoint.generate('a b c', options)];
          assert.deepEqual(a.tokens, b.tokens, JSON.stringify(options));
          if (options.numBeams === undefined) assert.ok(Math.abs(a.score! - b.score!) < 1e-5, `beam score ${a.score} vs ${b.score}`);
          else assert.equal(b.score, undefined, 'greedy');
        }
      });

      it("mtl generate: the checkpoint's task options as its defaults, as its export's generation_config.json; a flag overrides", async () => {
        const cli = async (folder: string, prompt: string, ...flags: string[]) => {
          const r = await runGenerateCli([folder, prompt, ...flags]);
          assert.equal(r.code, 0, r.errors.join('\n'));
          return r.text;
        };
        const plain = await cli(checkpoint, 'a b c');
        assert.equal(plain, await cli(checkpoint, 'a b c', '--num-beams', '3'));
        const asFlags = ['--num-beams', '3', '--length-penalty', '0.5', '--early-stopping', 'true', '--max-new-tokens', '8'];
        assert.equal(plain, await cli(checkpoint, 'a b c', ...asFlags));
        assert.equal(plain, await cli(out, 'reverse: a b c'), 'the exported folder prints the same');
        using fromCheckpoint = TextGenerator.load(checkpoint);
        const greedy = await fromCheckpoint.generate('a b c', { numBeams: 1, maxNewTokens: 8 });
        assert.equal(await cli(checkpoint, 'a b c', '--num-beams', '1'), `${greedy.text}\n`, '--num-beams 1: greedy');
        assert.equal(await cli(out, 'reverse: a b c', '--num-beams', '1'), `${greedy.text}\n`);
      });

      it("writes generation_config.json with the task's decoding options and the decoder start", () => {
        const generation = JSON.parse(readFileSync(path.join(out, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
        const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(generation.decoder_start_token_id, config.decoder_start_token_id);
        assert.equal(generation.eos_token_id, config.eos_token_id);
        assert.deepEqual(
          [generation.num_beams, generation.length_penalty, generation.max_new_tokens, generation.early_stopping],
          [3, 0.5, 8, true],
        );
      });
    });
  }
});
