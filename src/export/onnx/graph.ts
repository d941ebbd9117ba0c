/**
 * An ONNX graph under construction (https://onnx.ai/onnx/repo-docs/IR.html): inputs, outputs,
 * initializers (weights, under the checkpoint's Hugging Face names) and nodes in topological order, as
 * plain objects; ./write.ts serialises them with the ONNX protobuf schema. Values are named by strings,
 * as in ONNX; every node output gets a fresh name from its op type.
 *
 * The helpers are the few layers an encoder is made of, each written with the standard ops of opset 17
 * (LayerNormalization is opset 17's): `linear` keeps a weight (out, in) as PyTorch stores it and
 * multiplies by its transpose (onnxruntime folds the Transpose of a constant at load).
 */
import { ShapeError } from '../../errors.js';
import type { Tensor } from '../../tensor/index.js';

/** Element types used here, by the ONNX TensorProto.DataType number. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export type OnnxElementType = typeof ONNX_FLOAT | typeof ONNX_INT64;

/** A dimension: a fixed size, or a named symbol (a dynamic axis: 'batch_size', 'sequence_length'). */
export type Dim = number | string;

/** A graph input or output: its name, element type and shape. */
export interface ValueInfo {
  readonly name: string;
  readonly elemType: OnnxElementType;
  readonly dims: readonly Dim[];
}

/** A constant tensor of the graph: float32 or int64 values, row-major. */
export interface Initializer {
  readonly name: string;
  readonly elemType: OnnxElementType;
  readonly dims: readonly number[];
  readonly data: Float32Array | BigInt64Array;
}

/** A node attribute: an integer, a float, or a list of integers. */
export type AttributeValue = { readonly int: number } | { readonly float: number } | { readonly ints: readonly number[] };

export interface GraphNode {
  readonly opType: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

/** The parts of a graph, as `write` takes them. */
export interface Graph {
  readonly name: string;
  readonly inputs: readonly ValueInfo[];
  readonly outputs: readonly ValueInfo[];
  readonly initializers: readonly Initializer[];
  readonly nodes: readonly GraphNode[];
}

/** Builds a graph op by op. Weights are read from a state dict (name → Tensor) on first use, converted to float32. */
export class GraphBuilder {
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly initializers = new Map<string, Initializer>();
  private readonly nodes: GraphNode[] = [];
  private readonly counts = new Map<string, number>();

  /**
   * @param weights the tensors `weight(name)` reads (the encoder's and the heads' state dicts, Hugging Face names).
   * @param where what the weights are of, for error messages ("checkpoint runs/x/best").
   */
  constructor(
    private readonly weights: ReadonlyMap<string, Tensor>,
    private readonly where: string,
  ) {}

  /** Declares a graph input and returns its name. */
  input(name: string, elemType: OnnxElementType, dims: readonly Dim[]): string {
    this.inputs.push({ name, elemType, dims });
    return name;
  }

  /** Declares `value` as the graph output `name` (an Identity node when the names differ). */
  output(name: string, value: string, elemType: OnnxElementType, dims: readonly Dim[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', name: `${name}/Identity`, inputs: [value], outputs: [name], attributes: {} });
    this.outputs.push({ name, elemType, dims });
  }

  /** The weight `name` of the state dict as an initializer (float32, its own shape); ShapeError when absent. */
  weight(name: string): string {
    if (this.initializers.has(name)) return name;
    const t = this.weights.get(name);
    if (t === undefined) throw new ShapeError(`${this.where} has no tensor '${name}', which the ONNX graph needs`);
    const data = t.dtype === 'float32' ? (t.dataSync() as Float32Array) : new Float32Array(t.toFlatArray() as number[]);
    this.initializers.set(name, { name, elemType: ONNX_FLOAT, dims: [...t.shape], data });
    return name;
  }

  /** The first dimension of the state dict's tensor `name` (a Linear's output features); ShapeError when absent. */
  rows(name: string): number {
    const t = this.weights.get(name);
    if (t === undefined) throw new ShapeError(`${this.where} has no tensor '${name}', which the ONNX graph needs`);
    return t.shape[0] as number;
  }

  /** Whether the state dict holds `name`. */
  has(name: string): boolean {
    return this.weights.has(name);
  }

  /** A float32 constant (a scalar when `dims` is []). */
  floats(values: readonly number[], dims: readonly number[] = []): string {
    return this.constant(ONNX_FLOAT, Float32Array.from(values), dims);
  }

  /** An int64 constant (a 1-d list by default: shapes, axes, indices). */
  ints(values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.constant(
      ONNX_INT64,
      BigInt64Array.from(values, (v) => BigInt(v)),
      dims,
    );
  }

  private constant(elemType: OnnxElementType, data: Float32Array | BigInt64Array, dims: readonly number[]): string {
    const name = this.fresh(elemType === ONNX_FLOAT ? 'const_f' : 'const_i');
    this.initializers.set(name, { name, elemType, dims, data });
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}): string {
    const name = this.fresh(opType);
    this.nodes.push({ opType, name, inputs, outputs: [`${name}_out`], attributes });
    return `${name}_out`;
  }

  /** Adds a node with `count` outputs (Split) and returns their names. */
  opMulti(opType: string, inputs: readonly string[], count: number, attributes: Readonly<Record<string, AttributeValue>> = {}): string[] {
    const name = this.fresh(opType);
    const outputs = Array.from({ length: count }, (_, i) => `${name}_out${i}`);
    this.nodes.push({ opType, name, inputs, outputs, attributes });
    return outputs;
  }

  /** x (…, in) → x·Wᵀ + b (…, out), W = `<prefix>weight` (out, in), b = `<prefix>bias` (out) when present. */
  linear(x: string, prefix: string): string {
    const wT = this.op('Transpose', [this.weight(`${prefix}weight`)], { perm: { ints: [1, 0] } }); // (in, out), folded at load
    const y = this.op('MatMul', [x, wT]);
    return this.has(`${prefix}bias`) ? this.op('Add', [y, this.weight(`${prefix}bias`)]) : y;
  }

  /** LayerNorm over the last axis with `<prefix>weight` and `<prefix>bias` (torch.nn.LayerNorm). */
  layerNorm(x: string, prefix: string, eps: number): string {
    return this.op('LayerNormalization', [x, this.weight(`${prefix}weight`), this.weight(`${prefix}bias`)], {
      axis: { int: -1 },
      epsilon: { float: eps },
    });
  }

  /** The activation named by Hugging Face's `hidden_act`: exact GELU x·Φ(x), its tanh form, or ReLU. */
  activation(x: string, act: string): string {
    if (act === 'relu') return this.op('Relu', [x]);
    const half = this.op('Mul', [x, this.floats([0.5])]);
    if (act === 'gelu') {
      // 0.5·x·(1 + erf(x / √2))
      const erf = this.op('Erf', [this.op('Div', [x, this.floats([Math.SQRT2])])]);
      return this.op('Mul', [half, this.op('Add', [erf, this.floats([1])])]);
    }
    if (act === 'gelu_new' || act === 'gelu_pytorch_tanh') {
      // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))
      const cube = this.op('Mul', [this.op('Mul', [x, x]), x]);
      const inner = this.op('Add', [x, this.op('Mul', [cube, this.floats([0.044715])])]);
      const t = this.op('Tanh', [this.op('Mul', [inner, this.floats([Math.sqrt(2 / Math.PI)])])]);
      return this.op('Mul', [half, this.op('Add', [t, this.floats([1])])]);
    }
    throw new ShapeError(`hidden_act '${act}' has no ONNX form here; supported: gelu, gelu_new, gelu_pytorch_tanh, relu`);
  }

  /** The graph as built. */
  build(name: string): Graph {
    return { name, inputs: this.inputs, outputs: this.outputs, initializers: [...this.initializers.values()], nodes: this.nodes };
  }

  private fresh(stem: string): string {
    const n = this.counts.get(stem) ?? 0;
    this.counts.set(stem, n + 1);
    return `${stem}_${n}`;
  }
}
