/**
 * @module engine/onnx-tensors
 * Reads the initializers (named weight tensors) out of an ONNX shard, so our engine runs the very
 * shards the converter writes for onnxruntime. Only what the converter emits is supported:
 * ModelProto.graph (7) → GraphProto.initializer (5) → TensorProto {dims (1), data_type (2),
 * name (8), raw_data (9)}; float, int8 and int64 tensors. Nodes are not interpreted: the engine
 * knows the ALBERT computation and looks weights up by their Hugging Face-derived names.
 */
import { ProtoReader, WireType } from "../tokenizer/protobuf.ts";

/** ONNX TensorProto.DataType codes used by the converter. */
const FLOAT = 1;
const INT8 = 3;
const INT64 = 7;

export type TensorData = Float32Array | Int8Array | BigInt64Array;

export interface Tensor {
  name: string;
  dims: number[];
  data: TensorData;
}

export class ShardFormatError extends Error {
  override readonly name = "ShardFormatError";
}

/** All initializers of one ONNX shard, by name. Data may be views into `bytes`: keep them alive while it is used. */
export function readInitializers(bytes: Uint8Array, shard: string): Map<string, Tensor> {
  const fail = (message: string): never => {
    throw new ShardFormatError(`${shard}: ${message}`);
  };
  const r = new ProtoReader(bytes, (m) => fail(`malformed protobuf: ${m}`));
  const out = new Map<string, Tensor>();
  let sawGraph = false;
  while (r.more()) {
    const key = r.key();
    if (key >>> 3 !== 7 || (key & 7) !== WireType.LengthDelimited) {
      r.skip(key & 7);
      continue;
    }
    sawGraph = true;
    const graph = r.enter();
    while (r.more()) {
      const gk = r.key();
      if (gk >>> 3 !== 5 || (gk & 7) !== WireType.LengthDelimited) {
        r.skip(gk & 7);
        continue;
      }
      const t = r.enter();
      const tensor = readTensor(r, fail);
      r.leave(t);
      out.set(tensor.name, tensor);
    }
    r.leave(graph);
  }
  if (!sawGraph) fail("no graph in ModelProto");
  return out;
}

function readTensor(r: ProtoReader, fail: (m: string) => never): Tensor {
  const dims: number[] = [];
  let dataType = 0;
  let name = "";
  let raw: Uint8Array | undefined;
  while (r.more()) {
    const key = r.key();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === WireType.Varint) dims.push(r.varint());
    else if (field === 1 && wire === WireType.LengthDelimited) {
      const packed = r.enter();
      while (r.more()) dims.push(r.varint());
      r.leave(packed);
    } else if (field === 2 && wire === WireType.Varint) dataType = r.int32();
    else if (field === 8 && wire === WireType.LengthDelimited) name = new TextDecoder().decode(r.bytesField());
    else if (field === 9 && wire === WireType.LengthDelimited) raw = r.bytesField();
    else r.skip(wire);
  }
  if (name === "") fail("initializer without a name");
  if (raw === undefined) return fail(`initializer ${name} has no raw_data`);
  const count = dims.reduce((n, d) => n * d, 1);
  // int8 data is a view into the shard bytes (no copy: the embedding table is most of a shard);
  // wider types are copied when their offset is not aligned for a typed-array view.
  const aligned = (size: number): Uint8Array => (raw.byteOffset % size === 0 ? raw : raw.slice());
  let data: TensorData;
  if (dataType === INT8) data = new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  else if (dataType === FLOAT) {
    const a = aligned(4);
    data = new Float32Array(a.buffer, a.byteOffset, a.byteLength >>> 2);
  } else if (dataType === INT64) {
    const a = aligned(8);
    data = new BigInt64Array(a.buffer, a.byteOffset, a.byteLength >>> 3);
  } else return fail(`initializer ${name} has unsupported data type ${dataType}`);
  if (data.length !== count) fail(`initializer ${name}: ${data.length} values for dims [${dims.join(", ")}]`);
  return { name, dims, data };
}

/** Looks up a tensor that must exist with the given shape. */
export function tensorOf(tensors: Map<string, Tensor>, name: string, dims: readonly number[], shard: string): Tensor {
  const t = tensors.get(name);
  if (t === undefined) throw new ShardFormatError(`${shard}: missing initializer ${name}`);
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
    throw new ShardFormatError(`${shard}: initializer ${name} has shape [${t.dims.join(", ")}], expected [${dims.join(", ")}]`);
  }
  return t;
}
