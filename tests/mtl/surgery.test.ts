import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CheckpointError, ConfigError, ShapeError } from '../../src/errors.js';
import {
  CAGrad,
  GradVac,
  MGDA,
  PCGrad,
  assignGradients,
  cagrad,
  cagradWeights,
  createSurgery,
  gradVac,
  gramian,
  mgda,
  mgdaWeights,
  pcgrad,
  projectToSimplex,
  taskJacobian,
  type GradientSurgery,
  type SurgeryMethod,
} from '../../src/mtl/surgery/index.js';
import { Linear } from '../../src/nn/index.js';
import {
  backward,
  dispose,
  grad,
  liveTensorCount,
  manualSeed,
  randn,
  stack,
  tensor,
  tidy,
  zeros,
  type DType,
  type Tensor,
} from '../../src/tensor/index.js';
import { fromFixture, loadFixture, values, type TensorFixture } from '../helpers/fixtures.js';
import { assertCloseNumbers, checkNoLeaks } from '../helpers/leaks.js';

checkNoLeaks();

/** The numbers of a tensor made inside `fn` (freed afterwards). */
const numbers = (fn: () => Tensor): number[] => tidy(() => fn().toFlatArray() as number[]);

const dot = (a: readonly number[], b: readonly number[]): number => a.reduce((s, v, i) => s + v * b[i]!, 0);

interface MgdaCase {
  grads: TensorFixture;
  alpha: TensorFixture;
  point: TensorFixture;
}
interface CagradCase {
  grads: TensorFixture;
  c: number;
  rescale: 'c2' | 'none';
  w: TensorFixture;
  update: TensorFixture;
}
interface PcgradCase {
  grads: TensorFixture;
  orders: number[][];
  update: TensorFixture;
}
interface GradVacStep {
  grads: TensorFixture;
  orders: number[][];
  update: TensorFixture;
  targets: TensorFixture;
}
interface SurgeryFixture {
  mgda: MgdaCase[];
  cagrad: CagradCase[];
  pcgrad: PcgradCase[];
  gradvac: { beta: number; steps: GradVacStep[] };
}
const fixture = loadFixture<SurgeryFixture>('mtl_surgery');

describe('PCGrad (Yu et al. 2020, Algorithm 1)', () => {
  it('projects a conflicting 2-D pair onto each other’s normal planes', () => {
    // g1 = (2, 0), g2 = (−1, 1): g1·g2 = −2 < 0, ‖g1‖² = 4, ‖g2‖² = 2.
    // g1' = g1 − (g1·g2/‖g2‖²) g2 = (2, 0) + (−1, 1) = (1, 1)      (g1'·g2 = −1 + 1 = 0)
    // g2' = g2 − (g2·g1/‖g1‖²) g1 = (−1, 1) + ½(2, 0) = (0, 1)     (g2'·g1 = 0)
    // update = g1' + g2' = (1, 2); with reduction 'mean', (0.5, 1).
    assertCloseNumbers(
      numbers(() =>
        pcgrad(
          tensor([
            [2, 0],
            [-1, 1],
          ]),
        ),
      ),
      [1, 2],
      1e-6,
    );
    assertCloseNumbers(
      numbers(() =>
        pcgrad(
          tensor([
            [2, 0],
            [-1, 1],
          ]),
          { reduction: 'mean' },
        ),
      ),
      [0.5, 1],
      1e-6,
    );
  });

  it('leaves gradients that do not conflict alone (the update is their sum)', () => {
    assertCloseNumbers(
      numbers(() =>
        pcgrad(
          tensor([
            [1, 2],
            [3, -1],
          ]),
        ),
      ), // g1·g2 = 1 ≥ 0
      [4, 1],
      1e-6,
    );
  });

  it('a zero gradient neither conflicts nor produces NaN', () => {
    assertCloseNumbers(
      numbers(() =>
        pcgrad(
          tensor([
            [0, 0],
            [-1, 1],
          ]),
        ),
      ),
      [-1, 1],
      0,
    );
  });

  it('matches Algorithm 1 run on the vectors in torch (fixed orders, K = 3 and 4)', () => {
    for (const c of fixture.pcgrad) {
      const want = values(c.update) as number[];
      assertCloseNumbers(
        numbers(() => pcgrad(fromFixture(c.grads), { order: c.orders })),
        want,
        1e-12,
        `pcgrad K=${c.grads.shape[0]} float64`,
      );
      assertCloseNumbers(
        numbers(() => pcgrad(fromFixture(c.grads, 'float32'), { order: c.orders })),
        want,
        1e-5,
        `pcgrad K=${c.grads.shape[0]} float32`,
      );
    }
  });

  it('the order matters for K ≥ 3, and one order for all tasks equals that order given per task', () => {
    const c = fixture.pcgrad[1]!;
    const a = numbers(() => pcgrad(fromFixture(c.grads), { order: [0, 1, 2, 3] }));
    const b = numbers(() =>
      pcgrad(fromFixture(c.grads), {
        order: [
          [0, 1, 2, 3],
          [0, 1, 2, 3],
          [0, 1, 2, 3],
          [0, 1, 2, 3],
        ],
      }),
    );
    assertCloseNumbers(a, b, 0);
    assert.notDeepEqual(a, values(c.update), 'the fixture order gives another result');
  });

  it('rejects an order that is not a permutation, and a G that is not a float matrix', () => {
    const g = tensor([
      [1, 0],
      [0, 1],
    ]);
    assert.throws(() => pcgrad(g, { order: [0, 0] }), ConfigError);
    assert.throws(() => pcgrad(g, { order: [[0, 1], [1]] }), ConfigError);
    tidy(() => {
      assert.throws(() => pcgrad(tensor([1, 2])), ShapeError);
      assert.throws(() => pcgrad(tensor([[1, 2]], { dtype: 'int64' })), /float32 or float64/);
    });
    g.dispose();
  });
});

describe('MGDA (Sener & Koltun 2018)', () => {
  /** The analytic minimum-norm point of two vectors: γ g1 + (1 − γ) g2, γ = clamp(((g2−g1)·g2)/‖g1−g2‖², 0, 1). */
  function analytic(g1: number[], g2: number[]): number[] {
    const diff = g1.map((v, i) => v - g2[i]!);
    const gamma = Math.min(
      1,
      Math.max(
        0,
        dot(
          diff.map((v) => -v),
          g2,
        ) / dot(diff, diff),
      ),
    );
    return g1.map((v, i) => gamma * v + (1 - gamma) * g2[i]!);
  }

  it('on two vectors equals the analytic minimum-norm point', () => {
    // g1 = (1, 0), g2 = (0, 2): γ = ((−1, 2)·(0, 2))/5 = 4/5, point (0.8, 0.4), orthogonal to g1 − g2 = (1, −2)
    assertCloseNumbers(
      numbers(() =>
        mgda(
          tensor(
            [
              [1, 0],
              [0, 2],
            ],
            { dtype: 'float64' },
          ),
        ),
      ),
      [0.8, 0.4],
      1e-15,
    );
    // g2 = 2·g1: γ = ((1, 0)·(2, 0))/1 = 2, clamped to 1: the point is g1
    assertCloseNumbers(
      numbers(() =>
        mgda(
          tensor(
            [
              [1, 0],
              [2, 0],
            ],
            { dtype: 'float64' },
          ),
        ),
      ),
      [1, 0],
      0,
    );
    manualSeed(3);
    for (let trial = 0; trial < 20; trial++) {
      const rows = tidy(() => randn([2, 5], { dtype: 'float64' }).toArray() as number[][]);
      assertCloseNumbers(
        numbers(() => mgda(tensor(rows, { dtype: 'float64' }))),
        analytic(rows[0]!, rows[1]!),
        1e-12,
        `trial ${trial}`,
      );
    }
  });

  it('Frank–Wolfe on 3 and 4 tasks matches the reference minimum-norm point (projected gradient descent in torch, float64)', () => {
    for (const c of fixture.mgda) {
      const k = c.grads.shape[0]!;
      assertCloseNumbers(
        numbers(() => mgdaWeights(gramian(fromFixture(c.grads)))),
        values(c.alpha) as number[],
        1e-7,
        `α, K=${k}`,
      );
      assertCloseNumbers(
        numbers(() => mgda(fromFixture(c.grads))),
        values(c.point) as number[],
        1e-8,
        `point, K=${k}`,
      );
    }
  });

  it('its weights lie on the simplex and the point is no longer than any gradient', () => {
    manualSeed(5);
    for (let trial = 0; trial < 10; trial++) {
      const rows = tidy(() => randn([5, 8], { dtype: 'float64' }).toArray() as number[][]);
      const alpha = numbers(() => mgdaWeights(gramian(tensor(rows, { dtype: 'float64' }))));
      assert.ok(alpha.every((a) => a >= 0));
      assert.ok(Math.abs(alpha.reduce((a, b) => a + b, 0) - 1) < 1e-12);
      const point = numbers(() => mgda(tensor(rows, { dtype: 'float64' })));
      // optimality: every g_k·d ≥ ‖d‖² (d is a common descent direction of every task unless d = 0)
      for (const row of rows) assert.ok(dot(row, point) >= dot(point, point) - 1e-10);
    }
  });

  it('-UB: the weights from the gradients w.r.t. the shared representation, then one backward of Σ α_k L_k', () => {
    manualSeed(11);
    const shared = new Linear(4, 3, { dtype: 'float64' });
    const heads = [new Linear(3, 1, { dtype: 'float64' }), new Linear(3, 1, { dtype: 'float64' })];
    tidy(() => {
      const x = randn([6, 4], { dtype: 'float64' });
      const z = shared.forward(x).tanh(); // Z (B, H): the shared representation
      const losses = stack(heads.map((h, k) => h.forward(z).sub(k).pow(2).mean()));
      const gz = taskJacobian(losses, [z]); // (K, B·H), the graph kept
      assert.deepEqual(gz.shape, [2, 18]);
      const direct = heads.map((_, k) => grad(losses.select(0, k), [z], { retainGraph: true })[0]!.reshape([-1]));
      assertCloseNumbers(gz.toFlatArray() as number[], stack(direct).toFlatArray() as number[], 0, 'G_Z rows');
      const alpha = mgdaWeights(gramian(gz));
      const a = alpha.toFlatArray() as number[];
      assert.ok(a.every((v) => v >= 0) && Math.abs(a[0]! + a[1]! - 1) < 1e-12);
      const perTask = heads.map((_, k) => grad(losses.select(0, k), [shared.weight], { retainGraph: true })[0]!);
      backward([losses.mul(alpha).sum()]);
      // the shared weight's gradient is Σ α_k ∇L_k, as one would get from each task's own backward
      const want = perTask[0]!.mul(a[0]!).add(perTask[1]!.mul(a[1]!));
      assertCloseNumbers(shared.weight.grad!.toFlatArray() as number[], want.toFlatArray() as number[], 1e-12, 'shared weight grad');
    });
    shared.dispose();
    heads.forEach((h) => h.dispose());
  });
});

describe('CAGrad (Liu et al. 2021, Algorithm 1)', () => {
  it('with c = 0 equals the mean gradient', () => {
    manualSeed(7);
    for (const dtype of ['float32', 'float64'] as DType[]) {
      tidy(() => {
        const g = randn([4, 50], { dtype });
        assertCloseNumbers(
          cagrad(g, { c: 0 }).toFlatArray() as number[],
          g.mean(0).toFlatArray() as number[],
          dtype === 'float32' ? 1e-6 : 1e-14,
          dtype,
        );
      });
    }
  });

  it('matches the authors’ code (scipy SLSQP) on 3 and 4 tasks', () => {
    for (const c of fixture.cagrad) {
      const update = numbers(() => cagrad(fromFixture(c.grads), { c: c.c, rescale: c.rescale }));
      assertCloseNumbers(update, values(c.update) as number[], 1e-6, `update, c=${c.c}`);
    }
  });

  it('rescale "c2" divides the unscaled direction by 1 + c²', () => {
    const c = fixture.cagrad[0]!;
    const scaled = numbers(() => cagrad(fromFixture(c.grads), { c: 0.5 }));
    const raw = numbers(() => cagrad(fromFixture(c.grads), { c: 0.5, rescale: 'none' }));
    assertCloseNumbers(
      scaled,
      raw.map((v) => v / 1.25),
      1e-12,
    );
  });

  it('raises the worst task’s improvement over the mean gradient (the point of the method)', () => {
    for (const c of fixture.cagrad) {
      const rows = tidy(() => fromFixture(c.grads).toArray() as number[][]);
      const mean = rows[0]!.map((_, p) => rows.reduce((s, r) => s + r[p]!, 0) / rows.length);
      const d = numbers(() => cagrad(fromFixture(c.grads), { c: c.c, rescale: 'none' }));
      const worst = (v: number[]): number => Math.min(...rows.map((r) => dot(r, v)));
      assert.ok(worst(d) >= worst(mean) - 1e-9, `c=${c.c}: min_k g_k·d = ${worst(d)} vs ${worst(mean)} for the mean`);
    }
  });

  it('projects onto the simplex (Duchi et al. 2008)', () => {
    assertCloseNumbers(projectToSimplex([0.2, 0.3, 0.5]), [0.2, 0.3, 0.5], 1e-15);
    assertCloseNumbers(projectToSimplex([2, 0, 0]), [1, 0, 0], 0);
    assertCloseNumbers(projectToSimplex([1, 1, -3]), [0.5, 0.5, 0], 0);
  });

  it('rejects a negative c and an unknown rescaling', () => {
    tidy(() => assert.throws(() => cagradWeights(zeros([2, 2], { dtype: 'float64' }), { c: -1 }), ConfigError));
    assert.throws(() => new CAGrad(2, { rescale: 'x' as 'c2' }), ConfigError);
  });
});

describe('GradVac (Wang et al. 2021, Algorithm 1)', () => {
  it('with target 0 and β = 0 corrects a conflicting pair exactly as PCGrad projects it', () => {
    // g1 = (2, 0), g2 = (−1, 1): φ = g1·g2/(‖g1‖‖g2‖) = −2/(2√2) = −1/√2 < φ̂ = 0, so g1 is corrected:
    // coefficient = ‖g1‖(φ̂√(1−φ²) − φ√(1−φ̂²)) / (‖g2‖√(1−φ̂²)) = 2·(0 + 1/√2)/√2 = 1 = −g1·g2/‖g2‖²,
    // g1' = g1 + 1·g2 = (1, 1), PCGrad's projection; likewise g2' = g2 + ½g1 = (0, 1). Update (1, 2).
    tidy(() => {
      const step = gradVac(
        tensor([
          [2, 0],
          [-1, 1],
        ]),
        zeros([2, 2]),
        { beta: 0 },
      );
      assertCloseNumbers(step.update.toFlatArray() as number[], [1, 2], 1e-6);
      assertCloseNumbers(step.targets.toFlatArray() as number[], [0, 0, 0, 0], 0, 'β = 0 keeps the targets');
    });
  });

  it('with targets 0 and β = 0 equals PCGrad on any gradients and order', () => {
    manualSeed(13);
    for (let trial = 0; trial < 10; trial++) {
      tidy(() => {
        const g = randn([4, 3], { dtype: 'float64' }); // few dimensions: many conflicts
        const order = [3, 1, 0, 2];
        const gv = gradVac(g, zeros([4, 4], { dtype: 'float64' }), { beta: 0, order }).update;
        assertCloseNumbers(gv.toFlatArray() as number[], pcgrad(g, { order }).toFlatArray() as number[], 1e-12, `trial ${trial}`);
      });
    }
  });

  it('matches Algorithm 1 run on the vectors in torch over three steps (targets carried, β = 0.3)', () => {
    const { beta, steps } = fixture.gradvac;
    let targets = zeros([3, 3], { dtype: 'float64' });
    for (const [n, s] of steps.entries()) {
      const next = tidy(() => {
        const step = gradVac(fromFixture(s.grads), targets, { beta, order: s.orders });
        assertCloseNumbers(step.update.toFlatArray() as number[], values(s.update) as number[], 1e-12, `update ${n}`);
        assertCloseNumbers(step.targets.toFlatArray() as number[], values(s.targets) as number[], 1e-12, `targets ${n}`);
        return step.targets;
      });
      targets.dispose();
      targets = next;
    }
    targets.dispose();
  });

  it('turns a conflicting pair until each corrected gradient has the target cosine with the other', () => {
    // K = 2, φ̂ = 0.5 both ways, β = 0: g0' = g0 + a0·g1 with cos(g0', g1) = 0.5, g1' = g1 + a1·g0 likewise;
    // a0 and a1 found on the host by bisection, the update is g0' + g1'.
    const rows = [
      [1, 0],
      [-1, 0.2],
    ];
    const got = tidy(() => {
      const targets = tensor(
        [
          [0, 0.5],
          [0.5, 0],
        ],
        { dtype: 'float64' },
      );
      return gradVac(tensor(rows, { dtype: 'float64' }), targets, { beta: 0 }).update.toFlatArray() as number[];
    });
    const a0 = solveRow(rows[0]!, rows[1]!, 0.5);
    const a1 = solveRow(rows[1]!, rows[0]!, 0.5);
    assertCloseNumbers(
      got,
      a0.map((v, i) => v + a1[i]!),
      1e-9,
    );
  });

  it('is stateful behind GradientSurgery: state() and restore() continue the same targets and orders', () => {
    manualSeed(17);
    const grads = Array.from({ length: 4 }, () => randn([3, 5], { dtype: 'float64' }));
    const a = new GradVac(3, 42, { beta: 0.2 });
    a.combine(grads[0]!).dispose();
    const saved = JSON.parse(JSON.stringify(a.state())) as ReturnType<GradVac['state']>;
    assert.ok(
      saved.targets.flat().some((t) => t !== 0),
      'the targets moved',
    );
    const rest = grads.slice(1).map((g) => numbers(() => a.combine(g)));
    const b = new GradVac(3, 1, { beta: 0.2 });
    b.restore(saved);
    grads.slice(1).forEach((g, n) =>
      assertCloseNumbers(
        numbers(() => b.combine(g)),
        rest[n]!,
        0,
        `step ${n + 1}`,
      ),
    );
    assert.deepEqual(b.targets(), a.targets());
    assert.throws(() => b.restore({ ...saved, targets: [[0]] }), CheckpointError);
    assert.throws(() => b.restore({ method: 'pcgrad', numTasks: 3, rng: saved.rng }), CheckpointError);
    a.dispose();
    b.dispose();
    dispose(grads);
  });
});

/** g_i' = g_i + a·g_j with cos(g_i', g_j) = target (a > 0), solved on the host (the closed form of the correction). */
function solveRow(gi: number[], gj: number[], target: number): number[] {
  let lo = 0;
  let hi = 1e6;
  const cosAt = (a: number): number => {
    const v = gi.map((x, p) => x + a * gj[p]!);
    return dot(v, gj) / Math.sqrt(dot(v, v) * dot(gj, gj));
  };
  for (let n = 0; n < 200; n++) {
    const mid = (lo + hi) / 2;
    if (cosAt(mid) < target) lo = mid;
    else hi = mid;
  }
  return gi.map((x, p) => x + lo * gj[p]!);
}

describe('taskJacobian and assignGradients', () => {
  it('builds G from per-task gradients over a subset of parameters, zeros where a task does not reach', () => {
    manualSeed(19);
    const layer = new Linear(3, 2);
    const unused = new Linear(2, 2);
    tidy(() => {
      const x = randn([4, 3]);
      const y = layer.forward(x);
      const losses = [y.select(1, 0).pow(2).mean(), y.select(1, 1).abs().mean()];
      const params = [layer.weight, layer.bias!, unused.weight];
      const g = taskJacobian(losses, params);
      assert.deepEqual(g.shape, [2, 6 + 2 + 4]);
      losses.forEach((loss, k) => {
        const own = grad(loss, [layer.weight, layer.bias!], { retainGraph: true });
        const want = [...(own[0]!.toFlatArray() as number[]), ...(own[1]!.toFlatArray() as number[]), 0, 0, 0, 0];
        assertCloseNumbers(g.select(0, k).toFlatArray() as number[], want, 0, `row ${k}`);
      });
    });
    layer.dispose();
    unused.dispose();
  });

  it('assignGradients writes a (P) update back in the same layout; accumulate adds', () => {
    const a = zeros([2, 2]).requiresGrad_();
    const b = zeros([3]).requiresGrad_();
    tidy(() => {
      assignGradients([a, b], tensor([1, 2, 3, 4, 5, 6, 7]));
      assert.deepEqual(a.grad!.toArray(), [
        [1, 2],
        [3, 4],
      ]);
      assert.deepEqual(b.grad!.toArray(), [5, 6, 7]);
      assignGradients([a, b], tensor([1, 1, 1, 1, 1, 1, 1]), { accumulate: true });
      assert.deepEqual(b.grad!.toArray(), [6, 7, 8]);
      assignGradients([a, b], tensor([0, 0, 0, 0, 0, 0, 0]));
      assert.deepEqual(b.grad!.toArray(), [0, 0, 0]);
    });
    assert.throws(() => tidy(() => assignGradients([a, b], tensor([1, 2, 3]))), /Σ numel\(params\) = 7/);
    a.dispose();
    b.dispose();
  });

  it('the trainer’s flow: surgery on the last shared layer, ordinary gradients for the rest and the heads', () => {
    manualSeed(23);
    const first = new Linear(4, 4);
    const last = new Linear(4, 3);
    const heads = [new Linear(3, 1), new Linear(3, 1)];
    const all = [first, last, ...heads].flatMap((m) => m.parameters());
    const forward = (x: Tensor): Tensor => {
      const h = last.forward(first.forward(x).relu());
      return stack(
        heads.map((head, k) =>
          head
            .forward(h)
            .sub(k * 2 - 1)
            .pow(2)
            .mean(),
        ),
      );
    };
    tidy(() => {
      const x = randn([8, 4]);
      // the ordinary gradients, for comparison
      const plain = grad(forward(x).sum(), all);
      const losses = forward(x);
      const surgeryParams = last.parameters();
      const g = taskJacobian(losses, surgeryParams);
      backward([losses.sum()]);
      assignGradients(surgeryParams, pcgrad(g));
      const expected = pcgrad(g).toFlatArray() as number[];
      all.forEach((p, n) => {
        const got = p.grad!.toFlatArray() as number[];
        if (surgeryParams.includes(p)) return;
        assertCloseNumbers(got, plain[n]!.toFlatArray() as number[], 1e-6, `ordinary gradient of parameter ${n}`);
      });
      const written = surgeryParams.flatMap((p) => p.grad!.toFlatArray() as number[]);
      assertCloseNumbers(written, expected, 0, 'surgery parameters');
    });
    for (const m of [first, last, ...heads]) m.dispose();
  });

  it('rejects what it cannot differentiate', () => {
    const p = zeros([2]).requiresGrad_();
    tidy(() => {
      const loss = p.sum();
      assert.throws(() => taskJacobian([loss], []), ConfigError);
      assert.throws(() => taskJacobian(stack([loss, loss]).reshape([1, 2]), [p]), ShapeError);
      assert.throws(() => taskJacobian([p.mul(2)], [p]), ShapeError);
    });
    p.dispose();
  });
});

describe('createSurgery', () => {
  const methods: SurgeryMethod[] = ['pcgrad', 'cagrad', 'mgda', 'gradvac'];

  it('makes each method; combine gives (P) and frees everything else', () => {
    manualSeed(29);
    const g = randn([3, 10]);
    for (const method of methods) {
      const before = liveTensorCount();
      const surgery: GradientSurgery = createSurgery({ method }, 3, 1);
      assert.equal(surgery.method, method);
      const update = surgery.combine(g);
      assert.deepEqual(update.shape, [10]);
      assert.equal(update.dtype, 'float32');
      update.dispose();
      tidy(() => assert.equal(surgery.weights(gramian(g)).dtype, 'float64'));
      surgery.dispose();
      assert.equal(liveTensorCount(), before, `${method} leaves no tensor behind`);
      assert.throws(() => surgery.restore({ method: method === 'mgda' ? 'cagrad' : 'mgda', numTasks: 3 }), CheckpointError);
    }
    g.dispose();
  });

  it('PCGrad draws its random order from a seed; restore continues it', () => {
    manualSeed(31);
    const grads = Array.from({ length: 5 }, () => randn([4, 2], { dtype: 'float64' }));
    const a = new PCGrad(4, 99);
    const b = new PCGrad(4, 99);
    const first = grads.map((g) => numbers(() => a.combine(g)));
    grads.forEach((g, n) =>
      assertCloseNumbers(
        numbers(() => b.combine(g)),
        first[n]!,
        0,
        `same seed, step ${n}`,
      ),
    );
    const c = new PCGrad(4, 99);
    c.combine(grads[0]!).dispose();
    const d = new PCGrad(4, 5);
    d.restore(c.state());
    assertCloseNumbers(
      numbers(() => d.combine(grads[1]!)),
      first[1]!,
      0,
      'restored',
    );
    assert.throws(() => d.restore({ method: 'pcgrad', numTasks: 3, rng: c.state().rng }), /saved for 3 tasks/);
    dispose(grads);
  });

  it('checks K and the settings', () => {
    assert.throws(() => createSurgery({ method: 'nope' as SurgeryMethod }, 2, 0), /expected one of pcgrad, cagrad, mgda, gradvac/);
    assert.throws(() => new MGDA(0), ConfigError);
    assert.throws(() => new GradVac(2, 0, { beta: 2 }), ConfigError);
    const s = createSurgery({ method: 'mgda' }, 2, 0);
    const g = randn([3, 4]);
    assert.throws(() => tidy(() => s.combine(g)), /made for 2 tasks/);
    g.dispose();
  });
});
