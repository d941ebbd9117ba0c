/**
 * Serialises a graph (./graph.ts) as an ONNX model file: a `ModelProto` of IR version 8 importing the
 * default domain at opset 17, encoded with the ONNX protobuf schema as the `onnx-proto` package ships it
 * (onnx.proto of ONNX 1.10, compiled by protobufjs). Initializers carry their values as little-endian
 * `raw_data`, as ONNX's own writers do.
 */
import onnxProto from 'onnx-proto';
import type { AttributeValue, Dim, Graph, Initializer, ValueInfo } from './graph.js';

const { onnx } = onnxProto;

/** The opset the graphs are written for (LayerNormalization, Trilu, …; onnxruntime ≥ 1.12). */
export const OPSET = 17;
/** ONNX IR version 8 (ONNX 1.10+; opset 17 needs IR ≥ 8). */
export const IR_VERSION = 8;

/** Free-form facts stored in the model's `metadata_props` (producer details, task outputs). */
export type Metadata = Readonly<Record<string, string>>;

/**
 * The bytes of an ONNX model file holding `graph`.
 * @param producerVersion this package's version, written as `producer_version`.
 */
export function encodeModel(graph: Graph, producerVersion: string, metadata: Metadata = {}): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'multitask-lm',
    producerVersion,
    graph: {
      name: graph.name,
      input: graph.inputs.map(valueInfo),
      output: graph.outputs.map(valueInfo),
      initializer: graph.initializers.map(tensorProto),
      node: graph.nodes.map((n) => ({
        opType: n.opType,
        name: n.name,
        input: [...n.inputs],
        output: [...n.outputs],
        attribute: Object.entries(n.attributes).map(([name, v]) => attribute(name, v)),
      })),
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

function valueInfo(v: ValueInfo): InstanceType<typeof onnx.ValueInfoProto> {
  const dim = (d: Dim) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d });
  return onnx.ValueInfoProto.create({
    name: v.name,
    type: { tensorType: { elemType: v.elemType, shape: { dim: v.dims.map(dim) } } },
  });
}

function tensorProto(t: Initializer): InstanceType<typeof onnx.TensorProto> {
  return onnx.TensorProto.create({
    name: t.name,
    dataType: t.elemType,
    dims: [...t.dims],
    rawData: new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength),
  });
}

function attribute(name: string, v: AttributeValue): InstanceType<typeof onnx.AttributeProto> {
  const { AttributeType } = onnx.AttributeProto;
  if ('int' in v) return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: v.int });
  if ('float' in v) return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: v.float });
  return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: [...v.ints] });
}
