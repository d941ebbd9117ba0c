/**
 * Adversarial training on the input embeddings (src/mtl/adversarial): FGM's r = ε·g/‖g‖ on a
 * hand-checked case, PGD's and FreeLB's projected steps on a loss whose gradient is known, the
 * projection itself, SMART's regulariser against scripts/fixtures/adversarial.py (a plain-torch
 * rewrite of MT-DNN's SmartPerturbation), the output hook on every registered model family, and no
 * tensor left behind.
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import {
  adversarialSettings,
  ascentDirection,
  fgm,
  freelb,
  pgd,
  projectToBall,
  smart,
  perturbed,
  Adversary,
  type AdversarialContext,
  type AdversarialSettings,
  type PassOutput,
} from '../../src/mtl/adversarial/index.js';
import { Embedding } from '../../src/nn/embedding.js';
import { backboneFamily, supportedModelTypes } from '../../src/models/registry.js';
import { outputDivergence, symmetricBernoulliKl, symmetricKl, taskType, type Task } from '../../src/tasks/index.js';
import { crossEntropy, dispose, grad, manualSeed, randn, mseLoss, noGrad, tensor, tidy, type Tensor } from '../../src/tensor/index.js';
import { assertClose, fromFixture, loadFixture, values, type TensorFixture } from '../helpers/fixtures.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

/** The δ parts the methods called directly make (the Adversary frees its own), freed before the leak check. */
const owned: Tensor[] = [];
afterEach(() => dispose(owned.splice(0)));
checkNoLeaks();

const flat = (t: Tensor): number[] => t.toFlatArray() as number[];

/** An Embedding of V = 3 rows, H = 2, holding `rows`. */
function embeddingOf(rows: number[][]): Embedding {
  const e = new Embedding(rows.length, rows[0]!.length, { dtype: 'float64' });
  noGrad(() => tidy(() => e.weight.copy_(tensor(rows, { dtype: 'float64' }))));
  return e;
}

/**
 * A task 't' whose loss is linear in the embeddings: L = Σ_{b,t,h} c[b,t,h]·e[b,t,h], so ∇_e L = c.
 * Records the embeddings each pass saw.
 */
function linearContext(emb: Embedding, ids: Tensor, c: Tensor, seen: number[][]): AdversarialContext {
  const pass = (): PassOutput => {
    const e = emb.forward(ids); // (B, T, H), δ added by the hook
    seen.push(flat(e));
    return { logits: new Map([['t', e.sum(1)]]), losses: new Map([['t', e.mul(c).sum()]]) };
  };
  return { pass, embedding: emb, tasks: [], enabled: (n) => n === 't', weights: { t: 1 }, owned };
}

const settings = (method: AdversarialSettings['method'], over: Partial<AdversarialSettings> = {}): AdversarialSettings => ({
  ...adversarialSettings({ method }),
  ...over,
});

describe('adversarial training: the perturbation', () => {
  it("FGM's r is ε·g/‖g‖₂ per example (hand-checked) and its loss is L(e) + L(e + r)", () => {
    const emb = embeddingOf([
      [1, 0],
      [0, 1],
      [2, 2],
    ]);
    tidy(() => {
      const ids = tensor(
        [
          [0, 1],
          [2, 2],
        ],
        { dtype: 'int64' },
      ); // (B 2, T 2)
      // g of example 0: (3, 4, 0, 0), ‖g‖ = 5; of example 1: (1, 1, 1, 1), ‖g‖ = 2.
      const c = tensor(
        [
          [
            [3, 4],
            [0, 0],
          ],
          [
            [1, 1],
            [1, 1],
          ],
        ],
        { dtype: 'float64' },
      );
      const seen: number[][] = [];
      const out = fgm(linearContext(emb, ids, c, seen), settings('fgm', { epsilon: 0.5 }));
      const r = seen[1]!.map((v, i) => v - seen[0]![i]!);
      // r = 0.5·g/‖g‖: (0.3, 0.4, 0, 0) and (0.25, 0.25, 0.25, 0.25)
      assertCloseNumbers(r, [0.3, 0.4, 0, 0, 0.25, 0.25, 0.25, 0.25], 1e-12, 'r');
      // L(e) = 3·1 + 4·0 + (2+2+2+2) = 11; L(e + r) = 11 + 0.3·3 + 0.4·4 + 4·0.25 = 14.5
      assert.ok(Math.abs((out.clean.get('t')!.item() as number) - 11) < 1e-12);
      assert.ok(Math.abs((out.train.get('t')!.item() as number) - 25.5) < 1e-12, 'L(e) + L(e + r)');
    });
    emb.dispose();
  });

  it('a zero gradient gives r = 0 (no NaN); linf directions are g/max|g|', () => {
    tidy(() => {
      const [d] = ascentDirection([tensor([[[0, 0]], [[2, -4]]])], 'l2');
      assertCloseNumbers(flat(d!), [0, 0, 2 / Math.sqrt(20), -4 / Math.sqrt(20)], 1e-6);
      const [e] = ascentDirection([tensor([[[1, -4]], [[0.5, 0.25]]])], 'linf');
      assertCloseNumbers(flat(e!), [0.25, -1, 1, 0.5], 1e-6);
    });
  });

  it('projection onto the ε-ball: l2 scales only examples outside it (over all parts), linf clamps', () => {
    tidy(() => {
      // example 0 over both parts: (3, 4 | 0, 0) norm 5 → ×0.2; example 1: (0.3, 0 | 0.4, 0) norm 0.5 stays
      const [a, b] = projectToBall([tensor([[[3, 4]], [[0.3, 0]]]), tensor([[[0, 0]], [[0.4, 0]]])], 'l2', 1);
      assertCloseNumbers(flat(a!), [0.6, 0.8, 0.3, 0], 1e-6, 'part 0');
      assertCloseNumbers(flat(b!), [0, 0, 0.4, 0], 1e-6, 'part 1');
      const [c] = projectToBall([tensor([[[3, -0.5]], [[-2, 0.1]]])], 'linf', 1);
      assertCloseNumbers(flat(c!), [1, -0.5, -1, 0.1], 1e-6, 'linf');
      assert.throws(() => projectToBall([tensor([[[1]]])], 'l2', 0), /ε must be positive/);
    });
  });

  it("PGD-K walks α·g/‖g‖ per step and stops at the ε-sphere; FreeLB averages the K passes' losses", () => {
    const emb = embeddingOf([
      [1, 0],
      [0, 1],
      [2, 2],
    ]);
    tidy(() => {
      const ids = tensor([[0, 1]], { dtype: 'int64' });
      const c = tensor(
        [
          [
            [3, 4],
            [0, 0],
          ],
        ],
        { dtype: 'float64' },
      ); // g/‖g‖ = (0.6, 0.8, 0, 0)
      const seen: number[][] = [];
      const out = pgd(linearContext(emb, ids, c, seen), settings('pgd', { stepSize: 0.4, epsilon: 1, steps: 3 }));
      assert.equal(seen.length, 4, 'one clean pass and K = 3 perturbed ones');
      const offsets = seen.map((s) => s.map((v, i) => v - seen[0]![i]!));
      // δ₁ = 0.4·u, δ₂ = 0.8·u, δ₃ = Π(1.2·u) = 1·u
      assertCloseNumbers(offsets[1]!, [0.24, 0.32, 0, 0], 1e-12, 'δ₁');
      assertCloseNumbers(offsets[2]!, [0.48, 0.64, 0, 0], 1e-12, 'δ₂');
      assertCloseNumbers(offsets[3]!, [0.6, 0.8, 0, 0], 1e-12, 'δ₃ projected');
      // L(e) = 3; L(e + δ₃) = 3 + 5 = 8
      assert.ok(Math.abs((out.train.get('t')!.item() as number) - 11) < 1e-12);

      const seenFree: number[][] = [];
      const free = freelb(linearContext(emb, ids, c, seenFree), settings('freelb', { stepSize: 0.4, epsilon: 1, steps: 3, init: 0 }));
      assert.equal(seenFree.length, 3, 'K passes from δ₀ = 0');
      // (1/3)·(L(e) + L(e + 0.4u) + L(e + 0.8u)) = 3 + 5·(0 + 0.4 + 0.8)/3 = 5
      assert.ok(Math.abs((free.train.get('t')!.item() as number) - 5) < 1e-12, `FreeLB loss ${String(free.train.get('t')!.item())}`);
      assert.ok(Math.abs((free.clean.get('t')!.item() as number) - 3) < 1e-12);
    });
    emb.dispose();
  });

  it('tasks not enabled keep their clean loss; a pass that reads no embedding is trained clean', () => {
    const emb = embeddingOf([
      [1, 0],
      [0, 1],
    ]);
    tidy(() => {
      const ids = tensor([[0, 1]], { dtype: 'int64' });
      const c = tensor(
        [
          [
            [1, 0],
            [0, 1],
          ],
        ],
        { dtype: 'float64' },
      );
      const seen: number[][] = [];
      const ctx = { ...linearContext(emb, ids, c, seen), enabled: () => false };
      const out = fgm(ctx, settings('fgm'));
      assert.equal(out.train.get('t')!.item(), 2);
      const free = (): PassOutput => ({ logits: new Map(), losses: new Map([['t', c.sum().requiresGrad_(false)]]) });
      const unused = pgd({ ...ctx, pass: free, enabled: () => true }, settings('pgd'));
      assert.equal(unused.train.get('t')!.item(), 2);
    });
    emb.dispose();
  });

  it('the Adversary refuses tasks the run does not have and frees every δ it made', () => {
    assert.throws(() => new Adversary({ method: 'fgm', tasks: ['intnt'] }, ['intent', 'slots']), /'?intnt'? ?, not a task|names intnt/);
    const adv = new Adversary({ method: 'pgd', tasks: ['t'] }, ['t', 'u']);
    assert.equal(adv.enabled('u'), false);
    const emb = embeddingOf([
      [1, 0],
      [0, 1],
    ]);
    const w = tensor([0.5, -0.25], { dtype: 'float64' }).requiresGrad_(true);
    tidy(() => {
      const ids = tensor([[0, 1, 1]], { dtype: 'int64' });
      const pass = (): PassOutput => {
        const logits = emb.forward(ids).matmul(w); // (B, T)
        return { logits: new Map([['t', logits]]), losses: new Map([['t', logits.tanh().sum()]]) };
      };
      const out = adv.losses(pass, emb, [], { t: 1 });
      out.train.get('t')!.backward();
    });
    const g = w.grad;
    assert.ok(g !== undefined && tidy(() => flat(g.abs().sum())[0]! > 0), 'the parameters get a gradient');
    g.dispose();
    w.dispose();
    emb.dispose();
  });
});

interface SmartCase {
  regression: boolean;
  norm: 'l2' | 'linf';
  alpha: number;
  epsilon: number;
  steps: number;
  weight: number;
  E: TensorFixture;
  W: TensorFixture;
  b: TensorFixture;
  ids: TensorFixture;
  labels: TensorFixture;
  delta0: TensorFixture;
  delta: TensorFixture;
  loss: number;
  term: number;
  total: number;
  grad_W: TensorFixture;
  grad_b: TensorFixture;
  grad_E: TensorFixture;
}
interface KlCase {
  value: number;
  grad_a: TensorFixture;
  grad_b: TensorFixture;
}
const fixture = loadFixture<{
  smart: SmartCase[];
  sym_kl: Record<string, TensorFixture | KlCase>;
  sym_bernoulli_kl: Record<string, TensorFixture | KlCase>;
}>('adversarial');

describe('adversarial training: SMART against scripts/fixtures/adversarial.py', () => {
  it('the symmetric KL and its gradients, over the last dimension and over dim 1, with and without stop-gradients', () => {
    tidy(() => {
      const a = fromFixture(fixture.sym_kl.a as TensorFixture).requiresGrad_(true);
      const b = fromFixture(fixture.sym_kl.b as TensorFixture).requiresGrad_(true);
      for (const dim of [-1, 1])
        for (const detach of [false, true]) {
          const want = fixture.sym_kl[`dim${dim}_detach${detach ? 1 : 0}`] as KlCase;
          const v = symmetricKl(a, b, dim, detach);
          assert.ok(
            Math.abs((v.item() as number) - want.value) < 1e-12,
            `dim ${dim} detach ${detach}: ${String(v.item())} vs ${want.value}`,
          );
          const [ga, gb] = grad(v, [a, b]);
          assertClose(ga!, want.grad_a, { atol: 1e-12, what: 'grad a' });
          assertClose(gb!, want.grad_b, { atol: 1e-12, what: 'grad b' });
        }
    });
  });

  it("multi-label heads: the symmetric KL of independent Bernoullis equals torch.distributions' (value, gradients)", () => {
    tidy(() => {
      const a = fromFixture(fixture.sym_bernoulli_kl.a as TensorFixture).requiresGrad_(true);
      const b = fromFixture(fixture.sym_bernoulli_kl.b as TensorFixture).requiresGrad_(true);
      for (const detach of [false, true]) {
        const want = fixture.sym_bernoulli_kl[`detach${detach ? 1 : 0}`] as KlCase;
        const v = symmetricBernoulliKl(a, b, -1, detach);
        assert.ok(Math.abs((v.item() as number) - want.value) < 1e-12, `detach ${detach}: ${String(v.item())} vs ${want.value}`);
        const [ga, gb] = grad(v, [a, b]);
        assertClose(ga!, want.grad_a, { atol: 1e-12, what: 'grad a' });
        assertClose(gb!, want.grad_b, { atol: 1e-12, what: 'grad b' });
      }
      // By hand: p = σ(0) = 1/2, q = σ(ln 3) = 3/4; KL(P‖Q) = ½ln(4/3), KL(Q‖P) = ¾ln(3/2) + ¼ln(1/2).
      const byHand = 0.5 * Math.log(4 / 3) + 0.75 * Math.log(1.5) + 0.25 * Math.log(0.5);
      const one = symmetricBernoulliKl(tensor([[0]], { dtype: 'float64' }), tensor([[Math.log(3)]], { dtype: 'float64' }));
      assert.ok(Math.abs((one.item() as number) - byHand) < 1e-12);
      // A multi-label sequence classification uses it; a single-label one the softmax KL.
      const seq = (multiLabel: boolean) =>
        ({
          type: taskType('sequence-classification'),
          spec: { name: 't', kind: 'sequence-classification', labels: [], options: { multiLabel } },
        }) as unknown as Task;
      assert.equal(outputDivergence(seq(true), a, b).item(), symmetricBernoulliKl(a, b).item());
      assert.equal(outputDivergence(seq(false), a, b).item(), symmetricKl(a, b).item());
    });
  });

  fixture.smart.forEach((c, n) => {
    it(`case ${n}: ${c.regression ? 'regression' : 'classification'}, ${c.norm}, K ${c.steps}: δ_K, ℓ_s and the parameters' gradients`, () => {
      const E = new Embedding(c.E.shape[0]!, c.E.shape[1]!, { dtype: 'float64' });
      const W = fromFixture(c.W).requiresGrad_(true);
      const bias = fromFixture(c.b).requiresGrad_(true);
      const kind = c.regression ? 'regression' : 'sequence-classification';
      const task = { type: taskType(kind), spec: { name: 't', kind, labels: [], options: {} } } as unknown as Task;
      try {
        tidy(() => {
          noGrad(() => E.weight.copy_(fromFixture(c.E)));
          const ids = fromFixture(c.ids, 'int64');
          const labels = fromFixture(c.labels, c.regression ? 'float64' : 'int64');
          const pass = (): PassOutput => {
            const e = E.forward(ids); // (B, T, H)
            const out = e.mean(1).tanh().matmul(W).add(bias); // (B, C)
            const logits = c.regression ? out.squeeze(-1) : out;
            const loss = c.regression ? mseLoss(logits, labels) : crossEntropy(logits, labels);
            return { logits: new Map([['t', logits]]), losses: new Map([['t', loss]]) };
          };
          const seen: Tensor[] = [];
          const recording = (): PassOutput => {
            const out = pass();
            seen.push(out.logits.get('t')!);
            return out;
          };
          const s = settings('smart', { norm: c.norm, stepSize: c.alpha, epsilon: c.epsilon, steps: c.steps, weight: c.weight });
          const ctx: AdversarialContext = { pass: recording, embedding: E, tasks: [task], enabled: () => true, weights: { t: 1 }, owned };
          const delta0 = fromFixture(c.delta0);
          const out = smart(ctx, s, [delta0]);
          assert.equal(seen.length, c.steps + 2, 'a clean pass, then K + 1 perturbed ones');
          const total = out.train.get('t')!;
          assert.ok(Math.abs((out.clean.get('t')!.item() as number) - c.loss) < 1e-10, 'clean loss');
          assert.ok(Math.abs((total.item() as number) - c.total) < 1e-10, `total ${String(total.item())} vs ${c.total}`);
          const [gW, gb, gE] = grad(total, [W, bias, E.weight]);
          assertClose(gW!, c.grad_W, { atol: 1e-10, what: 'grad W' });
          assertClose(gb!, c.grad_b, { atol: 1e-10, what: 'grad b' });
          assertClose(gE!, c.grad_E, { atol: 1e-10, what: 'grad E' });
          // the final perturbed logits are those of δ_K
          const want = noGrad(() => perturbed(E, [fromFixture(c.delta)], [], pass).result.logits.get('t')!);
          assertCloseNumbers(flat(seen[seen.length - 1]!), flat(want), 1e-10, 'logits at δ_K');
          assert.ok(values(c.delta).some((v) => v !== 0));
        });
      } finally {
        E.dispose();
        W.dispose();
        bias.dispose();
      }
    });
  });
});

/** A tiny config.json per family (Hugging Face's field names). */
const TINY: Record<string, Record<string, unknown>> = {
  bert: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 32 },
  roberta: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 40 },
  'xlm-roberta': { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32, max_position_embeddings: 40 },
  electra: {
    hidden_size: 16,
    embedding_size: 8,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 32,
  },
  distilbert: { dim: 16, n_layers: 1, n_heads: 2, hidden_dim: 32, max_position_embeddings: 32 },
  gpt2: { n_embd: 16, n_layer: 1, n_head: 2, n_positions: 32 },
  llama: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
  qwen2: {
    hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 32,
  },
  mistral: {
    hidden_size: 16,
    num_hidden_layers: 1,
    num_attention_heads: 2,
    num_key_value_heads: 1,
    intermediate_size: 32,
    max_position_embeddings: 32,
    sliding_window: 2,
  },
  t5: { d_model: 16, num_layers: 1, num_heads: 2, d_ff: 32, d_kv: 8 },
  bart: {
    d_model: 16,
    encoder_layers: 1,
    decoder_layers: 1,
    encoder_attention_heads: 2,
    decoder_attention_heads: 2,
    encoder_ffn_dim: 32,
    decoder_ffn_dim: 32,
    max_position_embeddings: 32,
  },
};
TINY.marian = { ...TINY.bart!, pad_token_id: 1, decoder_start_token_id: 1, eos_token_id: 2 };

describe('adversarial training: every model family takes δ through Backbone.inputEmbeddings()', () => {
  for (const modelType of supportedModelTypes()) {
    it(`${modelType}: δ reaches the last hidden state and gets a gradient`, () => {
      const family = backboneFamily(modelType);
      const fields = TINY[modelType];
      assert.ok(fields !== undefined, `a tiny config for ${modelType}`);
      manualSeed(0);
      const backbone = family.create(family.configFromHf({ model_type: modelType, vocab_size: 40, ...fields })).eval();
      try {
        tidy(() => {
          const inputIds = tensor([[3, 4, 5, 6]], { dtype: 'int64' });
          const clean = noGrad(() => backbone.forward({ inputIds }).lastHiddenState);
          const owned: Tensor[] = [];
          const { result, deltas } = perturbed(
            backbone.inputEmbeddings(),
            (e) => noGrad(() => randn(e.shape).mul(0.1)).requiresGrad_(true), // not constant per token: LayerNorm removes a shift
            owned,
            () => backbone.forward({ inputIds }).lastHiddenState,
          );
          assert.equal(deltas.length, 1, 'one lookup for the inputs');
          const moved = flat(result.sub(clean).abs().max());
          assert.ok(moved[0]! > 1e-6, `the output moved by ${moved[0]}`);
          const [g] = grad(result.pow(2).sum(), [deltas[0]!]);
          assert.ok((flat(g!.abs().sum())[0] as number) > 0, 'δ has a gradient');
          for (const d of owned) d.dispose();
        });
      } finally {
        backbone.dispose();
      }
    });
  }
});
