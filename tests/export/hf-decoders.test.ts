/**
 * `mtl export --task LM` of decoder checkpoints with a causal-lm task: gpt2, llama, qwen2 and mistral
 * fixture folders fine-tuned a few steps, exported as `GPT2LMHeadModel` / `LlamaForCausalLM` /
 * `Qwen2ForCausalLM` / `MistralForCausalLM` folders whose
 * tensors carry the names of scripts/fixtures/decoders.py's references (a tied LM head left out, as
 * `save_pretrained` does; llama's untied `lm_head.weight` kept, with tie_word_embeddings false), loaded back by our Hugging Face loader (`TextGenerator.load`) with the same
 * logits, greedy tokens and beam scores as the checkpoint, and loaded strictly by the Python
 * references with the same logits; generation_config.json carries the token ids and generate's defaults (64 new tokens, as mtl generate).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { main } from '../../src/cli/main.js';
import { exportHf } from '../../src/export/hf.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { loadSafetensors, openSafetensors } from '../../src/io/safetensors-read.js';
import { saveSafetensors } from '../../src/io/safetensors.js';
import { TextGenerator } from '../../src/predict/generate.js';
import { modelFromCheckpoint } from '../../src/run/load-model.js';
import { lmHeadOf } from '../../src/models/causal-lm.js';
import { noGrad, tensor, tidy } from '../../src/tensor/index.js';
import { WORDS, writeHfFolder } from '../helpers/hf-folder.js';
import { loadFixture } from '../helpers/load-fixture.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'mtl-export-decoders-'));
after(() => rmSync(dir, { recursive: true, force: true }));

writeFileSync(
  path.join(dir, 'corpus.txt'),
  Array.from({ length: 40 }, (_, i) => WORDS.slice(i % 20, (i % 20) + 6).join(' ')).join('\n') + '\n',
);
writeFileSync(
  path.join(dir, 'finetune.yaml'),
  `seed: 3
max_length: 16
output_dir: out/unused
tasks:
  - { name: lm, type: causal-lm, data: { format: text, train: corpus.txt } }
training: { max_steps: 4, batch_size: 8, learning_rate: 1.0e-2 }
`,
);

/** Two rows of real ids, the second right-padded with `pad` (ids (2, 7), mask). */
function batch(pad: number): { ids: number[][]; mask: number[][] } {
  const ids = [
    [5, 40, 41, 42, 43, 44, 45],
    [5, 50, 51, 52, pad, pad, pad],
  ];
  return { ids, mask: ids.map((row, i) => row.map((_, j) => (i === 1 && j >= 4 ? 0 : 1))) };
}

/** The checkpoint's causal-lm logits (B, T, V), flat. */
function checkpointLogits(checkpoint: string, ids: number[][], mask: number[][]): number[] {
  using ckpt = loadCheckpoint(checkpoint, { optimizer: false });
  using model = modelFromCheckpoint(ckpt).eval();
  return noGrad(() =>
    tidy(() => {
      const x = { inputIds: tensor(ids, { dtype: 'int64' }), attentionMask: tensor(mask, { dtype: 'int64' }) };
      return model.forward(x, ['lm']).get('lm')!.toFlatArray() as number[];
    }),
  );
}

/** The exported folder's logits through our Hugging Face loader: its backbone and its LM head (untied, or tied to its word embeddings). */
function folderLogits(generator: TextGenerator, ids: number[][], mask: number[][]): number[] {
  return noGrad(() =>
    tidy(() => {
      const x = { inputIds: tensor(ids, { dtype: 'int64' }), attentionMask: tensor(mask, { dtype: 'int64' }) };
      const h = generator.backbone.forward(x).lastHiddenState;
      return lmHeadOf(generator.backbone)(h).toFlatArray() as number[];
    }),
  );
}

/**
 * The exported folder's logits from scripts/fixtures/decoders.py's reference, every parameter loaded (a tied
 * lm_head filled from the embeddings), nothing left over.
 */
function pythonLogits(folder: string, ids: number[][]): number[] {
  const script = `
import importlib.util, json, sys, torch
spec = importlib.util.spec_from_file_location("decoders", ${JSON.stringify(path.join(ROOT, 'scripts', 'fixtures', 'decoders.py'))})
dec = importlib.util.module_from_spec(spec); spec.loader.exec_module(dec)
sys.path.insert(0, ${JSON.stringify(path.join(ROOT, 'bench', 'peer'))})
from bert import load_safetensors
folder, ids = sys.argv[1], torch.tensor(json.loads(sys.argv[2]))
c = json.load(open(folder + "/config.json"))
llama_layout = c["architectures"][0] in ("LlamaForCausalLM", "Qwen2ForCausalLM", "MistralForCausalLM")
model = dec.LlamaForCausalLM(c) if llama_layout else dec.GPT2LMHeadModel(c)
state = load_safetensors(folder + "/model.safetensors")
if llama_layout and c.get("tie_word_embeddings"):
    assert "lm_head.weight" not in state
    state["lm_head.weight"] = state["model.embed_tokens.weight"]
missing, unexpected = model.load_state_dict(state, strict=False)
# GPT-2's causal-mask buffers (attn.bias, attn.masked_bias) are computed, not saved (persistent=False in Transformers)
assert not unexpected and all(k.endswith((".attn.bias", ".attn.masked_bias")) for k in missing), (missing, unexpected)
model.eval()
with torch.no_grad():
    print(json.dumps(model(ids).flatten().tolist()))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, folder, JSON.stringify(ids)], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, `python: ${r.stderr}`);
  return JSON.parse(r.stdout) as number[];
}

/** Every number within `tol`, skipping the positions of `mask` that are 0 (V numbers per position). */
function assertClose(a: readonly number[], b: readonly number[], what: string, tol: number, mask?: number[][]): void {
  assert.equal(a.length, b.length, `${what}: sizes`);
  const T = mask?.[0]?.length ?? 1;
  const V = mask === undefined ? 1 : a.length / (mask.length * T);
  a.forEach((x, i) => {
    const position = Math.floor(i / V);
    if (mask !== undefined && mask[Math.floor(position / T)]![position % T] === 0) return;
    assert.ok(Math.abs(x - b[i]!) < tol, `${what}[${i}]: ${x} vs ${b[i]}`);
  });
}

/** Whether the family's fixture ties its LM head (GPT-2 always; the Llama layout as its config.json says: llama untied, qwen2 tied). */
const tied = (family: string): boolean =>
  family === 'gpt2' ||
  loadFixture<Record<string, { config: Record<string, unknown> }>>('decoders')[family]!.config.tie_word_embeddings === true;

const FAMILIES: [family: string, architecture: string, pad: number][] = [
  ['gpt2', 'GPT2LMHeadModel', 1],
  ['llama', 'LlamaForCausalLM', 1],
  ['qwen2', 'Qwen2ForCausalLM', 1],
  ['mistral', 'MistralForCausalLM', 1],
];

describe('mtl export of causal-lm checkpoints: the family language-model classes, round trip and reference parity', () => {
  for (const [family, architecture, pad] of FAMILIES) {
    describe(family, () => {
      const checkpoint = path.join(dir, `run-${family}`, 'last');
      const out = path.join(dir, 'exported', family);
      const { ids, mask } = batch(pad);

      it(`fine-tunes a causal-lm task and exports it as ${architecture} through the command line`, async () => {
        const folder = writeHfFolder(path.join(dir, `hf-${family}`), family, 'tokenizer.json');
        assert.equal(await main(['finetune', folder, path.join(dir, 'finetune.yaml'), '--output', path.join(dir, `run-${family}`)]), 0);
        assert.equal(await main(['export', checkpoint, out, '--task', 'lm']), 0);
        const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        assert.deepEqual(config.architectures, [architecture]);
        assert.equal(config.tie_word_embeddings, tied(family));
        assert.equal(config.model_type, family);
      });

      it(`writes the tensors under the reference's names, ${tied(family) ? 'the tied LM head left out' : 'lm_head.weight (untied) included'}`, () => {
        const expected = loadFixture<Record<string, { param_names: string[] }>>('decoders')[family]!.param_names.filter(
          (n) => !tied(family) || n !== 'lm_head.weight',
        );
        using reader = openSafetensors(path.join(out, 'model.safetensors'));
        assert.deepEqual([...reader.names].sort(), [...expected].sort());
      });

      it('loads back through our Hugging Face loader with the same logits, greedy tokens and beam scores', async () => {
        using generator = TextGenerator.load(out);
        assertClose(folderLogits(generator, ids, mask), checkpointLogits(checkpoint, ids, mask), 'logits', 1e-5, mask);
        using fromCheckpoint = TextGenerator.load(checkpoint);
        for (const options of [{ maxNewTokens: 8 }, { maxNewTokens: 6, numBeams: 3 }]) {
          const [a, b] = [await generator.generate('play some jazz', options), await fromCheckpoint.generate('play some jazz', options)];
          assert.deepEqual(a.tokens, b.tokens, JSON.stringify(options));
          if (options.numBeams !== undefined) assert.ok(Math.abs(a.score! - b.score!) < 1e-5, `beam score ${a.score} vs ${b.score}`);
        }
      });

      it("loads into scripts/fixtures/decoders.py's reference (every parameter, nothing left over) with our logits", () => {
        const unpadded = [ids[0]!, ids[0]!.map((id, j) => (j < 4 ? ids[1]![j]! : id))];
        const full = unpadded.map((row) => row.map(() => 1));
        assertClose(pythonLogits(out, unpadded), checkpointLogits(checkpoint, unpadded, full), 'python logits', 1e-4);
      });

      it("writes generation_config.json with the config's token ids and generate's defaults", () => {
        const generation = JSON.parse(readFileSync(path.join(out, 'generation_config.json'), 'utf8')) as Record<string, unknown>;
        const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as Record<string, unknown>;
        assert.equal(generation.eos_token_id, config.eos_token_id);
        assert.equal(generation.bos_token_id, config.bos_token_id);
        assert.equal(typeof generation.pad_token_id, 'number');
        assert.equal(generation.decoder_start_token_id, undefined, 'a decoder has no decoder start');
        assert.deepEqual(
          [
            generation.max_new_tokens,
            generation.do_sample,
            generation.num_beams,
            generation.top_k,
            generation.top_p,
            generation.repetition_penalty,
          ],
          [64, false, 1, 0, 1, 1], // max_new_tokens: mtl generate's 64, so the folder generates as the checkpoint does,
        );
      });

      it('writes a model card: the task, the training run in brief, how to load it', () => {
        const card = readFileSync(path.join(out, 'README.md'), 'utf8');
        assert.match(card, new RegExp(`^---\\nlibrary_name: transformers\\ntags: \\[multitask-lm, ${family}, causal-lm\\]\\n---`));
        assert.match(card, /\| lm \| causal-lm \| 1: \[vocabulary\] \|/);
        assert.match(card, new RegExp(`fine-tuned from \`hf-${family}\``));
        assert.match(card, /Steps: 4 done .* seed 3, inputs cut to 16 tokens/);
        assert.match(card, /max_steps 4, batch_size 8, learning_rate 0.01/);
        assert.match(card, /lm: text data, train `corpus.txt`/);
        assert.match(card, new RegExp(`model = ${architecture}.from_pretrained`));
        assert.match(card, /model.generate/);
      });
    });
  }
});

describe('mtl export refuses a causal-LM head that the class cannot hold', () => {
  const checkpoint = path.join(dir, 'run-gpt2', 'last');

  it('writes the tied head as no tensors, said in tasks.json', () => {
    const tasks = JSON.parse(readFileSync(path.join(checkpoint, 'tasks.json'), 'utf8')) as { tasks: Record<string, unknown>[] };
    assert.equal(tasks.tasks[0]!.head_tensors, false);
    using reader = openSafetensors(path.join(checkpoint, 'model.safetensors'));
    assert.deepEqual(
      [...reader.names].filter((n) => n.startsWith('heads.')),
      [],
    );
  });

  it('names head tensors of an older checkpoint (an output bias), which the class has no place for', () => {
    const copy = path.join(dir, 'biased');
    cpSync(checkpoint, copy, { recursive: true });
    const tasksFile = path.join(copy, 'tasks.json');
    const tasks = JSON.parse(readFileSync(tasksFile, 'utf8')) as { tasks: Record<string, unknown>[] };
    delete tasks.tasks[0]!.head_tensors;
    writeFileSync(tasksFile, JSON.stringify(tasks));
    const { tensors } = loadSafetensors(path.join(copy, 'model.safetensors'));
    tensors.set('heads.lm.bias', tensor(Array.from({ length: 99 }, () => 0.5)));
    saveSafetensors(path.join(copy, 'model.safetensors'), tensors, { format: 'pt' });
    for (const t of tensors.values()) t.dispose();
    assert.throws(
      () => exportHf(copy, path.join(dir, 'x'), { task: 'lm' }),
      /task 'lm': its head has 'bias', which GPT2LMHeadModel has no place for; the export would change its logits/,
    );
  });
});
