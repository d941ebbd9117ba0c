/**
 * `mtl export --format onnx` for each encoder family: a tiny fine-tuned checkpoint with three tasks
 * (sequence classification, token classification, extractive QA) exported as one shared graph and
 * three task folders, run by onnxruntime-node on padded batches of two lengths, whose outputs must equal
 * our own forward within 1e-4 (at real tokens for per-token outputs); every model file passes ONNX's
 * own checker (Debian's python3-onnx, `check_model(full_check=True)`: schema, opset, shape inference).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { main } from '../../src/cli/main.js';
import { exportOnnx } from '../../src/export/onnx/export.js';
import type { TokenizerFiles } from '../helpers/hf-folder.js';
import { finetunedCheckpoint, idBatch, ourOutputs, type IdBatch } from './onnx-fixture.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mtl-onnx-families-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the model file on `batch`, feeding token_type_ids when the graph takes them. */
async function run(file: string, batch: IdBatch): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(file);
  const shape = [batch.ids.length, batch.ids[0]!.length];
  const int64 = (rows: number[][]) =>
    new ort.Tensor(
      'int64',
      BigInt64Array.from(rows.flat(), (v) => BigInt(v)),
      shape,
    );
  const feeds: Record<string, ort.Tensor> = { input_ids: int64(batch.ids), attention_mask: int64(batch.mask) };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(batch.types);
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

/**
 * Every number of `ours` within 1e-4 of `theirs` (flat, row-major, `perToken` numbers per token of a
 * (B, T, …) output; 0 for a per-row output), skipping padded tokens; `pick` selects ours' k-th of each token's `stride`.
 */
function assertClose(
  ours: readonly number[],
  theirs: ort.Tensor,
  batch: IdBatch,
  what: string,
  perToken = 0,
  pick?: [number, number],
): void {
  const data = theirs.data as Float32Array;
  const T = batch.ids[0]!.length;
  let compared = 0;
  for (let i = 0; i < data.length; i++) {
    if (perToken > 0) {
      const token = Math.floor(i / perToken);
      if (batch.mask[Math.floor(token / T)]![token % T] === 0) continue;
    }
    const mine = pick === undefined ? ours[i]! : ours[i * pick[1] + pick[0]]!;
    assert.ok(Math.abs(mine - data[i]!) < 1e-4, `${what}[${i}]: ours ${mine} vs onnxruntime ${data[i]}`);
    compared++;
  }
  assert.ok(compared > 0 && data.length === (pick === undefined ? ours.length : ours.length / pick[1]), `${what}: sizes`);
}

const FAMILIES: [family: string, tokenizer: TokenizerFiles, pad: number, tokenTypes: boolean][] = [
  ['bert', 'vocab.txt', 0, true],
  ['roberta', 'bpe', 1, false],
  ['xlm-roberta', 'tokenizer.json', 1, false],
  ['distilbert', 'vocab.txt', 0, false],
  ['electra', 'tokenizer.json', 0, true],
];

/** Two batches of different lengths, right-padded. */
const lengthsOf: readonly (readonly number[])[] = [
  [6, 4],
  [9, 3, 7],
];

describe('mtl export --format onnx: every encoder family, one shared graph and a folder per task, equal to our forward', () => {
  for (const [family, tokenizer, pad, tokenTypes] of FAMILIES) {
    describe(family, () => {
      const out = path.join(dir, 'onnx', family);
      let checkpoint: string;

      it('fine-tunes on three tasks and exports them through the command line', async () => {
        checkpoint = await finetunedCheckpoint(path.join(dir, family), family, tokenizer);
        assert.equal(await main(['export', checkpoint, out, '--format', 'onnx']), 0);
        const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8')) as {
          task_outputs: Record<string, { outputs: string[] }>;
        };
        assert.deepEqual(config.task_outputs.qa?.outputs, ['qa.start_logits', 'qa.end_logits']);
        const card = readFileSync(path.join(out, 'tasks', 'topic', 'README.md'), 'utf8');
        assert.match(card, /^---\nlibrary_name: transformers.js\n/);
        assert.match(card, /\| topic \| sequence-classification \| 3: food, music, weather \|/);
        assert.match(card, /pipeline\('text-classification', 'topic'/);
      });

      for (const lengths of lengthsOf) {
        it(`shared graph: last_hidden_state and every task's output equal ours, lengths ${lengths.join(', ')} in one padded batch`, async () => {
          const batch = idBatch(lengths, pad);
          const ours = ourOutputs(checkpoint, batch, tokenTypes);
          const theirs = await run(path.join(out, 'onnx', 'model.onnx'), batch);
          const H = (theirs.last_hidden_state!.dims[2] as number) ?? 0;
          assertClose(ours.get('last_hidden_state')!, theirs.last_hidden_state!, batch, 'last_hidden_state', H);
          assertClose(ours.get('topic')!, theirs['topic.logits']!, batch, 'topic.logits');
          assertClose(ours.get('slots')!, theirs['slots.logits']!, batch, 'slots.logits', 2);
          assertClose(ours.get('qa')!, theirs['qa.start_logits']!, batch, 'qa.start_logits', 1, [0, 2]);
          assertClose(ours.get('qa')!, theirs['qa.end_logits']!, batch, 'qa.end_logits', 1, [1, 2]);
        });
      }

      it("task folders: each graph gives its task's output under the Transformers name", async () => {
        const batch = idBatch([8, 5], pad);
        const ours = ourOutputs(checkpoint, batch, tokenTypes);
        assertClose(ours.get('topic')!, (await run(path.join(out, 'tasks', 'topic', 'onnx', 'model.onnx'), batch)).logits!, batch, 'topic');
        assertClose(
          ours.get('slots')!,
          (await run(path.join(out, 'tasks', 'slots', 'onnx', 'model.onnx'), batch)).logits!,
          batch,
          'slots',
          2,
        );
        const qa = await run(path.join(out, 'tasks', 'qa', 'onnx', 'model.onnx'), batch);
        assertClose(ours.get('qa')!, qa.start_logits!, batch, 'qa start', 1, [0, 2]);
        const size = (task: string) => statSync(path.join(out, 'tasks', task, 'onnx', 'model.onnx')).size;
        // one encoder in the shared graph: smaller than two task graphs together
        assert.ok(
          statSync(path.join(out, 'onnx', 'model.onnx')).size < size('topic') + size('slots'),
          'the shared graph holds one encoder',
        );
      });

      it("passes ONNX's checker (python3-onnx, full_check) for the shared graph and each task's", () => {
        const files = [
          path.join(out, 'onnx', 'model.onnx'),
          ...['topic', 'slots', 'qa'].map((t) => path.join(out, 'tasks', t, 'onnx', 'model.onnx')),
        ];
        const script =
          'import onnx, sys\nfor f in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(f), full_check=True)\nprint("ok", len(sys.argv) - 1)';
        const r = spawnSync('/usr/bin/python3', ['-c', script, ...files], { encoding: 'utf8' });
        assert.equal(r.status, 0, `onnx.checker: ${r.stderr}`);
        assert.equal(r.stdout.trim(), `ok ${files.length}`);
      });
    });
  }
});

describe('mtl export --format onnx refuses what it cannot write', () => {
  it('names a task that is not there and a folder that is not empty', () => {
    const checkpoint = path.join(dir, 'bert', 'run-bert', 'last');
    assert.throws(
      () => exportOnnx(checkpoint, path.join(dir, 'x'), { task: 'nope' }),
      /has no task 'nope'; its tasks are 'topic', 'slots', 'qa'/,
    );
    assert.throws(() => exportOnnx(checkpoint, path.join(dir, 'onnx', 'bert')), /exists and is not empty; export to a new folder/);
  });
});
