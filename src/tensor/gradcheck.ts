/**
 * Finite-difference gradient checking, as torch.autograd.gradcheck (PyTorch,
 * torch/autograd/gradcheck.py, "slow mode"): the Jacobian that autograd computes is compared with
 * one estimated by central differences, entry by entry, in float64.
 */
import { ConfigError, GradcheckError } from '../errors.js';
import { enableGrad, grad, noGrad } from './autograd.js';
import { tensor } from './ops/creation.js';
import { tidy } from './scope.js';
import { Tensor } from './tensor.js';

export interface GradcheckOptions {
  /** Perturbation of each input element for the central differences (default 1e-6, as PyTorch). */
  eps?: number;
  /** Absolute tolerance (default 1e-5, as PyTorch). */
  atol?: number;
  /** Relative tolerance, relative to the numerical entry (default 1e-3, as PyTorch). */
  rtol?: number;
  /** Throw GradcheckError on a mismatch (default); when false, return false instead. */
  raiseException?: boolean;
}

type Fn = (...inputs: Tensor[]) => Tensor | readonly Tensor[];

/** A dense Jacobian block d(output o)/d(input k): rows = output elements, columns = input elements. */
interface Block {
  rows: number;
  cols: number;
  data: Float64Array;
}

const asList = (out: Tensor | readonly Tensor[]): readonly Tensor[] => (out instanceof Tensor ? [out] : out);
const isFloating = (t: Tensor): boolean => t.dtype.startsWith('float') || t.dtype === 'bfloat16';

/**
 * Checks the gradients of `fn` at `inputs` against central differences
 * (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / 2eps, for every input that requires grad, as
 * torch.autograd.gradcheck does: entry by entry |analytical − numerical| ≤ atol + rtol·|numerical|.
 * Analytical Jacobian rows come from one `grad()` per output element (a vector–Jacobian product
 * with a one-hot gradient), so keep inputs and outputs small (tens of elements).
 * Every tensor it makes is freed; `inputs` and their `.grad` are left untouched.
 *
 * @param fn a function of the inputs, in order, returning one tensor or several; only floating
 *   outputs are checked.
 * @param inputs the arguments of `fn`; those with `requiresGrad` are differentiated and must be
 *   float64 (float32 differences at eps = 1e-6 are mostly rounding error).
 * @returns true when all entries agree (false on a mismatch when `raiseException` is false).
 * @throws GradcheckError naming the output, the input, the first mismatching entry and the largest
 *   difference; ConfigError when no input requires grad or one that does is not float64.
 * @example
 *   const x = randn([3, 4], { dtype: 'float64', requiresGrad: true });
 *   gradcheck((t) => t.tanh().sum(1), [x]); // true
 */
export function gradcheck(fn: Fn, inputs: readonly Tensor[], options: GradcheckOptions = {}): boolean {
  const { eps = 1e-6, atol = 1e-5, rtol = 1e-3, raiseException = true } = options;
  const wrt = inputs.flatMap((t, i) => (t.requiresGrad ? [i] : []));
  if (wrt.length === 0) throw new ConfigError('gradcheck needs at least one input with requiresGrad set');
  for (const i of wrt) {
    const dtype = inputs[i]?.dtype;
    if (dtype !== 'float64') {
      throw new ConfigError(`gradcheck input ${i} is ${dtype}; inputs that require grad must be float64 (cast with .to('float64'))`);
    }
  }
  const analytical = analyticalJacobian(fn, inputs, wrt);
  const numerical = numericalJacobian(fn, inputs, wrt, eps);
  for (let o = 0; o < analytical.length; o++) {
    for (let k = 0; k < wrt.length; k++) {
      const a = analytical[o]?.[k] as Block;
      const n = numerical[o]?.[k] as Block;
      const failure = compare(a, n, atol, rtol);
      if (failure === undefined) continue;
      if (!raiseException) return false;
      throw new GradcheckError(`Jacobian mismatch for output ${o} with respect to input ${wrt[k]}: ${failure}`);
    }
  }
  return true;
}

/** Rows from vector–Jacobian products: row j of block (o, k) is d(out_o[j])/d(input k). */
function analyticalJacobian(fn: Fn, inputs: readonly Tensor[], wrt: number[]): Block[][] {
  return tidy(() =>
    enableGrad(() => {
      const outs = asList(fn(...inputs)).filter(isFloating);
      const wrtTensors = wrt.map((i) => inputs[i] as Tensor);
      return outs.map((out) => {
        const rows = out.numel;
        const blocks = wrtTensors.map((t) => ({ rows, cols: t.numel, data: new Float64Array(rows * t.numel) }));
        if (!out.requiresGrad) return blocks; // does not depend on any input: zero Jacobian
        for (let j = 0; j < rows; j++) {
          tidy(() => {
            const oneHot = new Float64Array(rows);
            oneHot[j] = 1;
            const g = tensor(oneHot, { dtype: out.dtype }, out.shape);
            const grads = grad(out, wrtTensors, { gradOutputs: [g], retainGraph: true, allowUnused: true });
            grads.forEach((gk, k) => {
              if (gk === undefined) return;
              const block = blocks[k] as Block;
              block.data.set(Float64Array.from(gk.toFlatArray() as number[]), j * block.cols);
            });
          });
        }
        return blocks;
      });
    }),
  );
}

/** Columns from central differences: column i of block (o, k) is (f(x + eps·eᵢ) − f(x − eps·eᵢ)) / 2eps. */
function numericalJacobian(fn: Fn, inputs: readonly Tensor[], wrt: number[], eps: number): Block[][] {
  const blocks: Block[][] = [];
  const evaluate = (k: number, values: Float64Array): number[][] =>
    tidy(() =>
      noGrad(() => {
        const source = inputs[k] as Tensor;
        const args = inputs.map((t, i) => (i === k ? tensor(values, { dtype: 'float64' }, source.shape) : t));
        return asList(fn(...args))
          .filter(isFloating)
          .map((out) => out.toFlatArray() as number[]);
      }),
    );
  wrt.forEach((k, slot) => {
    const source = inputs[k] as Tensor;
    const base = Float64Array.from(source.toFlatArray() as number[]);
    for (let i = 0; i < base.length; i++) {
      const x = new Float64Array(base);
      x[i] = (base[i] as number) + eps;
      const plus = evaluate(k, x);
      x[i] = (base[i] as number) - eps;
      const minus = evaluate(k, x);
      plus.forEach((p, o) => {
        const row = (blocks[o] ??= []);
        const block = (row[slot] ??= { rows: p.length, cols: base.length, data: new Float64Array(p.length * base.length) });
        const m = minus[o] as number[];
        for (let j = 0; j < p.length; j++) block.data[j * block.cols + i] = ((p[j] as number) - (m[j] as number)) / (2 * eps);
      });
    }
  });
  return blocks;
}

/** undefined when every entry satisfies |a − n| ≤ atol + rtol·|n|; otherwise a description of the failure. */
function compare(a: Block, n: Block, atol: number, rtol: number): string | undefined {
  if (a.rows !== n.rows || a.cols !== n.cols) {
    return `analytical Jacobian is ${a.rows}×${a.cols}, numerical ${n.rows}×${n.cols} (does fn return the same shapes every call?)`;
  }
  let first = -1;
  let worst = 0;
  for (let e = 0; e < a.data.length; e++) {
    const av = a.data[e] as number;
    const nv = n.data[e] as number;
    const diff = Math.abs(av - nv);
    const ok = diff <= atol + rtol * Math.abs(nv);
    if (!ok || Number.isNaN(diff)) {
      if (first < 0) first = e;
      worst = Math.max(worst, Number.isNaN(diff) ? Infinity : diff);
    }
  }
  if (first < 0) return undefined;
  const row = Math.floor(first / a.cols);
  const col = first % a.cols;
  const shown =
    a.data.length <= 64 ? `\nanalytical: [${Array.from(a.data).join(', ')}]\nnumerical:  [${Array.from(n.data).join(', ')}]` : '';
  return (
    `entry (output element ${row}, input element ${col}) is ${a.data[first]} analytically but ${n.data[first]} numerically; ` +
    `largest difference ${worst} (atol ${atol}, rtol ${rtol})${shown}`
  );
}
