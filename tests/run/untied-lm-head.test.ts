/**
 * A Llama-layout Hugging Face folder with `tie_word_embeddings: false` keeps its own `lm_head.weight`
 * through the one loader (`modelFromPretrained`, what `encoder.from` and `mtl finetune` use), training,
 * a checkpoint (save → load) and export; a tied one stays tied (no `lm_head.weight` written, as
 * `save_pretrained` leaves the copy out). Logits against scripts/fixtures/decoders.py's PyTorch
 * reference (tests/fixtures/decoders.json: llama has a random untied lm_head, qwen2 a tied one), within 1e-5.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { exportHf } from '../../src/export/hf.js';
import { loadCheckpoint, saveCheckpoint } from '../../src/io/checkpoint.js';
import { openSafetensors } from '../../src/io/safetensors.js';
import { backboneConfigToHf } from '../../src/models/registry.js';
import type { MultiTaskModel } from '../../src/mtl/multitask-model.js';
import { modelFromCheckpoint, modelFromPretrained } from '../../src/run/load-model.js';
import { CAUSAL_LM_LABELS, nextTokenLoss } from '../../src/tasks/causal-lm.js';
import { taskSpec } from '../../src/tasks/index.js';
import { liveTensorCount, tidy, type Tensor } from '../../src/tensor/index.js';
import { writeHfFolder } from '../helpers/hf-folder.js';
import { decoderCases, paddedLogitsDiff, type DecoderCase } from '../models/decoder-fixture.js';
import { fromFixture } from '../helpers/fixtures.js';

const baseline = liveTensorCount();
const root = mkdtempSync(path.join(tmpdir(), 'mtl-untied-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
  assert.equal(liveTensorCount(), baseline, 'every tensor is freed');
});

const spec = taskSpec({ name: 'lm', kind: 'causal-lm', labels: [...CAUSAL_LM_LABELS] });
const lmHeadOfTask = (model: MultiTaskModel) => (h: Tensor) => model.heads.get('lm').forward({ lastHiddenState: h });

/** Writes the model as a checkpoint folder of ours (its config.json, backbone, the head-less causal-lm task). */
function save(model: MultiTaskModel, folder: string, dir: string): void {
  saveCheckpoint(dir, {
    encoderConfig: backboneConfigToHf(model.backbone.config),
    encoder: model.backbone.stateDict(),
    heads: new Map([['lm', model.heads.get('lm').stateDict()]]),
    tokenizer: { save: (file) => copyFileSync(path.join(folder, 'tokenizer.json'), file) },
    tasks: [{ name: 'lm', type: 'causal-lm', labels: [...CAUSAL_LM_LABELS] }],
  });
}

for (const [family, tied] of [
  ['llama', false],
  ['qwen2', true],
] as const) {
  const c = decoderCases[family] as DecoderCase;
  describe(`${family} (tie_word_embeddings ${tied})`, () => {
    const folder = path.join(root, `hf-${family}`);
    const checkpoint = path.join(root, `ckpt-${family}`);

    it("loads with the folder's LM head: the causal-lm task's logits are the reference's (1e-5), right- and left-padded", () => {
      assert.equal(c.config.tie_word_embeddings, tied, 'the fixture is what this case says');
      writeHfFolder(folder, family, 'tokenizer.json');
      using model = modelFromPretrained(folder, [spec]).eval();
      assert.equal(model.backbone.outputEmbeddings?.() === undefined, tied);
      const diff = paddedLogitsDiff(c, model.backbone, lmHeadOfTask(model));
      assert.ok(diff < 1e-5, `max |logits − reference| = ${diff}`);
      save(model, folder, checkpoint);
    });

    it(`saves ${tied ? 'no lm_head.weight (tied)' : 'lm_head.weight, the backbone’s'} and tie_word_embeddings ${tied}; loads back with the same logits`, () => {
      using reader = openSafetensors(path.join(checkpoint, 'model.safetensors'));
      assert.equal(reader.has('lm_head.weight'), !tied);
      assert.ok(!reader.names.some((n) => n.startsWith('heads.')), 'the task head has no tensors');
      const config = JSON.parse(readFileSync(path.join(checkpoint, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(config.tie_word_embeddings, tied);
      using ckpt = loadCheckpoint(checkpoint, { optimizer: false });
      using model = modelFromCheckpoint(ckpt).eval();
      const diff = paddedLogitsDiff(c, model.backbone, lmHeadOfTask(model));
      assert.ok(diff < 1e-5, `after save → load: max |logits − reference| = ${diff}`);
    });

    it(`trains ${tied ? 'the tied embeddings through the head' : 'lm_head apart from the embeddings'} (gradients of a next-token loss)`, () => {
      using ckpt = loadCheckpoint(checkpoint, { optimizer: false });
      using model = modelFromCheckpoint(ckpt).train();
      tidy(() => {
        const ids = fromFixture(c.inputs.input_ids);
        const mask = fromFixture(c.inputs.attention_mask);
        const logits = lmHeadOfTask(model)(model.backbone.forward({ inputIds: ids, attentionMask: mask }).lastHiddenState);
        nextTokenLoss(logits, ids).backward(); // every position a target: gradients are all this checks
      });
      const embeddings = model.backbone.inputEmbeddings().weight;
      const own = model.backbone.outputEmbeddings?.();
      const gradNorm = (p: Tensor) => tidy(() => (p.grad?.abs().sum().item() as number | undefined) ?? 0); // grad: a new handle, freed by tidy
      assert.ok(gradNorm(embeddings) > 0, 'the embeddings learn');
      if (own !== undefined) assert.ok(gradNorm(own) > 0, 'lm_head learns');
      assert.equal(own === undefined, tied);
    });

    it(`exports ${family === 'llama' ? 'LlamaForCausalLM' : 'Qwen2ForCausalLM'} with tie_word_embeddings ${tied}, lm_head.weight ${tied ? 'left out' : 'written'}; the base model without it`, () => {
      const lm = path.join(root, `export-${family}`);
      exportHf(checkpoint, lm, { task: 'lm' });
      const config = JSON.parse(readFileSync(path.join(lm, 'config.json'), 'utf8')) as Record<string, unknown>;
      assert.equal(config.tie_word_embeddings, tied);
      using reader = openSafetensors(path.join(lm, 'model.safetensors'));
      const expected = c.param_names.filter((n) => !tied || n !== 'lm_head.weight');
      assert.deepEqual([...reader.names].sort(), [...expected].sort(), "the reference's names");
      const base = path.join(root, `export-${family}-base`);
      exportHf(checkpoint, base);
      using baseReader = openSafetensors(path.join(base, 'model.safetensors'));
      assert.ok(!baseReader.names.some((n) => n.startsWith('lm_head.')), `${family}Model has no LM head`);
    });
  });
}

describe('an old checkpoint of ours that says untied but holds no lm_head.weight', () => {
  it('is refused with what to do (before issue 13 its head was the embeddings whatever config.json said)', () => {
    const old = path.join(root, 'old');
    // qwen2's checkpoint (tied: no lm_head.weight) with config.json edited to tie_word_embeddings false
    saveEdited(path.join(root, 'ckpt-qwen2'), old);
    using ckpt = loadCheckpoint(old, { optimizer: false });
    assert.throws(
      () => modelFromCheckpoint(ckpt),
      /no lm_head\.weight, but the config says the LM head is a weight of its own .*set "tie_word_embeddings": true/,
    );
  });
});

/** A copy of checkpoint `from` at `to` whose config.json says tie_word_embeddings: false. */
function saveEdited(from: string, to: string): void {
  using ckpt = loadCheckpoint(from, { optimizer: false });
  saveCheckpoint(to, {
    encoderConfig: { ...ckpt.encoderConfig, tie_word_embeddings: false },
    encoder: ckpt.encoder,
    heads: ckpt.heads,
    tokenizer: { save: (file) => copyFileSync(ckpt.tokenizerFile, file) },
    tasks: ckpt.tasks,
  });
}
