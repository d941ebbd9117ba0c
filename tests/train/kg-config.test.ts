/**
 * Link prediction with free entity embeddings from a config: a tiny triples folder (WN18RR layout),
 * a few training steps, dev and test ranked among all entities (filtered), `eval_queries` capping the
 * ranked triples, and the config errors of the triples format.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it, mock } from 'node:test';
import { main } from '../../src/cli/main.js';
import { ConfigError } from '../../src/errors.js';
import { loadCheckpoint } from '../../src/io/checkpoint.js';
import { ConfigFileError, loadTrainingConfig, parseTrainingConfig } from '../../src/io/config/index.js';
import { train } from '../../src/train/trainer.js';
import { taskTypes } from '../../src/tasks/index.js';
import { assertSameFiles, interruptAndResume } from '../helpers/resume.js';

/** 12 entities e0…e11, relations r0 (e_i → e_{i+1}) and r1 (e_i → e_{i+2}, even i). */
function triples(): string[] {
  const out: string[] = [];
  for (let i = 0; i < 11; i++) out.push(`e${i}\tr0\te${i + 1}`);
  for (let i = 0; i < 10; i += 2) out.push(`e${i}\tr1\te${i + 2}`);
  return out;
}

const config = (options: string, extra = '') => `seed: 2
output_dir: out
encoder: { hidden_size: 32, num_hidden_layers: 1, num_attention_heads: 4, intermediate_size: 37, max_position_embeddings: 16 }
tokenizer: { train: { vocab_size: 60, min_frequency: 1 } }
max_length: 8
tasks:
  - name: kg
    type: link-prediction
    data: { format: triples, path: graph }
    options: ${options}
training:
  max_steps: 6
  batch_size: 4
  learning_rate: 0.05
  weight_decay: 0
  schedule: constant
  eval_every: 6
${extra}`;

let dir = '';
const at = (...parts: string[]) => path.join(dir, ...parts);

before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mtl-kg-'));
  mkdirSync(at('graph'));
  const all = triples();
  const dev = [all[3]!, all[12]!];
  const test = [all[7]!, all[14]!];
  writeFileSync(at('graph', 'train.txt'), all.filter((t) => !dev.includes(t) && !test.includes(t)).join('\n') + '\n');
  writeFileSync(at('graph', 'valid.txt'), dev.join('\n') + '\n');
  writeFileSync(at('graph', 'test.txt'), test.join('\n') + '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('link prediction with free entity embeddings from a config', () => {
  it('trains, ranks dev and test among all entities (filtered mrr is the main metric), saves the tables', async () => {
    writeFileSync(at('free.yaml'), config('{ entities: embedding, embedding_dim: 8, scoring: rotate, margin: 6 }'));
    const r = await train(loadTrainingConfig(at('free.yaml'), { taskTypes }));
    assert.equal(r.status, 'completed');
    for (const result of [r.dev!, r.test!]) {
      const m = result.metrics.kg!;
      assert.equal(m.rankedQueries, 4, 'two triples, both sides');
      assert.ok(m.mrr! > 0 && m.mrr! <= 1, `mrr ${m.mrr} is a fraction`);
      assert.ok(m['hits@1']! <= m['hits@3']! && m['hits@3']! <= m['hits@10']!, 'hits@k grow with k');
      assert.ok(m.mrr! >= 1 / 12, 'no rank is beyond the 12 entities');
      assert.ok(m.inBatchMrr !== undefined, 'the in-batch metrics stay');
    }
    using ckpt = loadCheckpoint(at('out', 'last'));
    assert.deepEqual(ckpt.heads.get('kg')!.get('kg.entity')!.shape, [12, 8], 'entity table (E, D)');
    assert.deepEqual(ckpt.heads.get('kg')!.get('kg.relation')!.shape, [2, 4], 'RotatE phases (R, D/2)');
  });

  it("loss: cross-entropy with reciprocal relations, N3 and Adagrad: a (2R, D) relation table, Adagrad's state, exact resume", async () => {
    const options = '{ entities: embedding, embedding_dim: 8, scoring: complex, loss: cross-entropy, reciprocal: true, n3: 0.01 }';
    const yaml = (out: string) =>
      config(options).replace('output_dir: out', `output_dir: ${out}`).replace('training:', 'training:\n  optimizer: adagrad');
    writeFileSync(at('n3.yaml'), yaml('n3'));
    writeFileSync(at('n3-resumed.yaml'), yaml('n3-resumed'));
    const r = await train(loadTrainingConfig(at('n3.yaml'), { taskTypes }));
    assert.equal(r.status, 'completed');
    assert.equal(r.test!.metrics.kg!.rankedQueries, 4);
    using ckpt = loadCheckpoint(at('n3', 'last'));
    assert.deepEqual(ckpt.heads.get('kg')!.get('kg.relation')!.shape, [4, 8], 'r0, r1 and their inverses');
    assert.ok(
      Object.keys(ckpt.optimizerTensors ?? {}).some((n) => n.endsWith('.sum')),
      "Adagrad's sums are saved",
    );
    await interruptAndResume(loadTrainingConfig(at('n3-resumed.yaml'), { taskTypes }), 3);
    assertSameFiles(at('n3-resumed', 'last'), at('n3', 'last'), ['model.safetensors', 'optimizer.safetensors']);
  });

  it('eval_queries ranks an evenly spread part of the triples', async () => {
    writeFileSync(
      at('capped.yaml'),
      config('{ entities: embedding, embedding_dim: 4, scoring: distmult, eval_queries: 1 }').replace(
        'output_dir: out',
        'output_dir: capped',
      ),
    );
    const r = await train(loadTrainingConfig(at('capped.yaml'), { taskTypes }));
    assert.equal(r.dev!.metrics.kg!.rankedQueries, 2, 'one triple, both sides');
  });

  it('rejects bad options and data keys, naming the field', () => {
    const bad = (yaml: string, pattern: RegExp) =>
      assert.throws(
        () => parseTrainingConfig(yaml, { taskTypes, baseDir: dir }),
        (e: unknown) => e instanceof ConfigError && pattern.test(e.message),
        pattern.source,
      );
    bad(config('{ entities: embedding }').replace('path: graph', 'path: graph, dev_fraction: 0.1'), /dev_fraction.*give only 'path'/s);
    bad(
      config('{ entities: embedding }').replace('format: triples, path: graph', 'format: triples, train: graph'),
      /missing required key 'path'/,
    );
    bad(config('{ entities: embedding }', '  word_dropout: 0.1\n'), /word_dropout.*reads entity ids/s);
    bad(config('{ entities: embedding }').replace('type: link-prediction', 'type: masked-lm'), /cannot read format 'triples'/);
  });

  it('rejects bad entity options when the config is validated, before any data is read, naming file:line and the option', () => {
    const optionsLine =
      config('{}')
        .split('\n')
        .findIndex((l) => l.includes('options:')) + 1;
    for (const [options, key, pattern] of [
      ['{ entities: vectors }', 'entities', /must be 'encoder'.*or 'embedding'.*got 'vectors'/],
      ['{ embedding_dim: 8 }', 'embedding_dim', /applies only to entities: embedding/],
      ['{ entities: embedding, eval_queries: 0 }', 'eval_queries', /must be a positive integer or null/],
      ['{ entities: embedding, embedding_dim: 2.5 }', 'embedding_dim', /must be a positive integer/],
    ] as const) {
      // the triples folder does not exist: the options are checked without reading any data
      writeFileSync(at('bad.yaml'), config(options).replace('path: graph', 'path: no-such-graph'));
      assert.throws(
        () => loadTrainingConfig(at('bad.yaml'), { taskTypes, checkFiles: false }),
        (e: unknown) =>
          e instanceof ConfigFileError &&
          e.message.includes(`bad.yaml:${optionsLine}: tasks[0].options.${key}: `) &&
          pattern.test(e.message),
        `${options}: ${pattern.source}`,
      );
    }
  });

  it('mtl predict on a link-prediction-only checkpoint fails, naming the task and what predict supports', async () => {
    // out/last: the checkpoint of the first test
    const err: string[] = [];
    const log = mock.method(console, 'log', () => undefined);
    const error = mock.method(console, 'error', (...a: unknown[]) => void err.push(a.join(' ')));
    let code: number;
    try {
      code = await main(['predict', at('out', 'last'), 'e1']);
    } finally {
      log.mock.restore();
      error.mock.restore();
    }
    assert.equal(code, 1, 'a non-zero exit code');
    const message = err.join('\n');
    assert.match(message, /nothing to predict: the checkpoint's only task is 'kg' \(link-prediction\)/);
    assert.match(
      message,
      /predict answers sequence-classification, token-classification, masked-lm, regression, relation-classification, extractive-qa, seq2seq and chat tasks/,
    );
    assert.equal(log.mock.callCount(), 0, 'no empty predictions are printed');
  });
});
