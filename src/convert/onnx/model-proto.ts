/**
 * @module convert/onnx/model-proto
 * Encodes ONNX ModelProto / GraphProto / NodeProto / TensorProto / ValueInfoProto with the
 * hand-written wire writer (field numbers from onnx/onnx.proto, IR version 8).
 *
 * Why hand-written rather than protobufjs + onnx.proto: we only ever *write* a dozen message
 * types with a fixed set of fields, so ~150 lines replace a 1,000-line schema plus a runtime
 * dependency the converter would otherwise need only for this; field order is fully under our
 * control (byte-identical output for the same input, by construction); and large initializers
 * are appended as raw byte chunks without copies through a generic message object.
 * Repeated scalars are written unpacked (the proto2 default that onnx.proto uses).
 */
import { ProtoWriter } from "./wire.ts";

/** ONNX TensorProto.DataType values we use. */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  FLOAT16: 10,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** A constant tensor (initializer or attribute value); `raw` is little-endian element data. */
export interface TensorValue {
  name: string;
  dataType: DataTypeCode;
  dims: readonly number[];
  raw: Uint8Array;
}

/** One node attribute value, tagged by its ONNX attribute type. */
export type AttributeValue =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly string: string }
  | { readonly tensor: TensorValue };

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  domain?: string;
  attributes?: Readonly<Record<string, AttributeValue>>;
}

/** A graph input/output: element type and shape (numbers are fixed dims, strings symbolic). */
export interface ValueInfo {
  name: string;
  elemType: DataTypeCode;
  shape: readonly (number | string)[];
}

export interface GraphSpec {
  name: string;
  nodes: readonly NodeSpec[];
  initializers: readonly TensorValue[];
  inputs: readonly ValueInfo[];
  outputs: readonly ValueInfo[];
}

export interface ModelSpec {
  graph: GraphSpec;
  /** Operator sets, e.g. [{ domain: "", version: 17 }]. */
  opsets: readonly { domain: string; version: number }[];
  producerName: string;
  producerVersion: string;
  docString?: string;
  metadata?: Readonly<Record<string, string>>;
}

const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, INTS: 7 } as const;
const IR_VERSION = 8;

export function encodeTensor(t: TensorValue): Uint8Array {
  const w = new ProtoWriter();
  for (const d of t.dims) w.int(1, d);
  w.int(2, t.dataType);
  w.string(8, t.name);
  w.bytes(9, t.raw);
  return w.finish();
}

function encodeAttribute(name: string, value: AttributeValue): Uint8Array {
  const w = new ProtoWriter();
  w.string(1, name);
  if ("int" in value) {
    w.int(3, value.int).int(20, AttributeType.INT);
  } else if ("float" in value) {
    w.float(2, value.float).int(20, AttributeType.FLOAT);
  } else if ("ints" in value) {
    for (const i of value.ints) w.int(8, i);
    w.int(20, AttributeType.INTS);
  } else if ("string" in value) {
    w.string(4, value.string).int(20, AttributeType.STRING);
  } else {
    w.message(5, encodeTensor(value.tensor)).int(20, AttributeType.TENSOR);
  }
  return w.finish();
}

function encodeNode(n: NodeSpec): Uint8Array {
  const w = new ProtoWriter();
  for (const i of n.inputs) w.string(1, i);
  for (const o of n.outputs) w.string(2, o);
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const [k, v] of Object.entries(n.attributes ?? {})) w.message(5, encodeAttribute(k, v));
  if (n.domain !== undefined && n.domain !== "") w.string(7, n.domain);
  return w.finish();
}

function encodeValueInfo(v: ValueInfo): Uint8Array {
  const shape = new ProtoWriter();
  for (const d of v.shape) {
    const dim = new ProtoWriter();
    if (typeof d === "number") dim.int(1, d);
    else dim.string(2, d);
    shape.message(1, dim.finish());
  }
  const tensorType = new ProtoWriter().int(1, v.elemType).message(2, shape.finish()).finish();
  const type = new ProtoWriter().message(1, tensorType).finish();
  return new ProtoWriter().string(1, v.name).message(2, type).finish();
}

function encodeGraph(g: GraphSpec): Uint8Array {
  const w = new ProtoWriter();
  for (const n of g.nodes) w.message(1, encodeNode(n));
  w.string(2, g.name);
  for (const t of g.initializers) w.message(5, encodeTensor(t));
  for (const i of g.inputs) w.message(11, encodeValueInfo(i));
  for (const o of g.outputs) w.message(12, encodeValueInfo(o));
  return w.finish();
}

/** Serializes a complete ONNX model. Deterministic: same spec → same bytes. */
export function encodeModel(m: ModelSpec): Uint8Array {
  const w = new ProtoWriter();
  w.int(1, IR_VERSION);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  if (m.docString !== undefined) w.string(6, m.docString);
  w.message(7, encodeGraph(m.graph));
  for (const o of m.opsets) {
    const op = new ProtoWriter();
    if (o.domain !== "") op.string(1, o.domain);
    op.int(2, o.version);
    w.message(8, op.finish());
  }
  for (const [k, v] of Object.entries(m.metadata ?? {})) {
    w.message(14, new ProtoWriter().string(1, k).string(2, v).finish());
  }
  return w.finish();
}
