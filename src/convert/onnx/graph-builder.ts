/**
 * @module convert/onnx/graph-builder
 * A small imperative builder for ONNX graphs: declare inputs/outputs, add initializers and
 * nodes, then `build()` a ModelSpec. Names are generated from a scope prefix and a counter,
 * so building the same graph twice yields identical names (and bytes).
 *
 * `linear()` is where the weight scheme lives: fp32 MatMul, int8 weight-only
 * (DequantizeLinear per output channel → fp32 MatMul), or int8 dynamic
 * (DynamicQuantizeLinear + MatMulInteger → rescale; with `contrib`, the single fused
 * com.microsoft DynamicQuantizeMatMul, bias included). Graph builders call only `linear()`,
 * so adding a scheme touches this file alone.
 */
import { transpose, quantizeRows } from "../../model/quantize.ts";
import { DataType, type AttributeValue, type DataTypeCode, type ModelSpec, type NodeSpec, type TensorValue, type ValueInfo } from "./model-proto.ts";

/** How Linear weights are stored and multiplied. */
export type LinearScheme = "fp32" | "int8-dequant" | "int8-dynamic";

export const OPSET = 17;
/** Domain of onnxruntime's contrib operators (Attention, QAttention, SkipLayerNormalization, …). */
export const MS_DOMAIN = "com.microsoft";

export interface GraphBuilderOptions {
  /**
   * Allow onnxruntime contrib ops (com.microsoft domain): int8-dynamic Linear becomes one
   * DynamicQuantizeMatMul node instead of DynamicQuantizeLinear → MatMulInteger → Cast → Mul → Add.
   */
  contrib?: boolean;
}

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error("albert-edge convert requires a little-endian host");
}

function bytesOf(a: Float32Array | Int8Array | BigInt64Array | Int32Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class GraphBuilder {
  private nodes: NodeSpec[] = [];
  private initializers: TensorValue[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private counter = 0;
  private names = new Set<string>();
  readonly name: string;
  readonly scheme: LinearScheme;
  readonly contrib: boolean;

  constructor(name: string, scheme: LinearScheme, options: GraphBuilderOptions = {}) {
    this.name = name;
    this.scheme = scheme;
    this.contrib = options.contrib === true;
  }

  private fresh(base: string): string {
    let n = base;
    while (this.names.has(n)) n = `${base}_${++this.counter}`;
    this.names.add(n);
    return n;
  }

  input(name: string, elemType: DataTypeCode, shape: (number | string)[]): string {
    this.names.add(name);
    this.inputs.push({ name, elemType, shape });
    return name;
  }

  /** Declares a graph output, renaming `value` to `name` with an Identity if needed. */
  output(value: string, name: string, elemType: DataTypeCode, shape: (number | string)[]): void {
    const out = value === name ? name : this.node("Identity", [value], {}, name);
    this.outputs.push({ name: out, elemType, shape });
  }

  private init(name: string, dataType: DataTypeCode, dims: number[], raw: Uint8Array): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dataType, dims, raw });
    return n;
  }

  floats(name: string, dims: number[], data: Float32Array | number[]): string {
    const a = data instanceof Float32Array ? data : Float32Array.from(data);
    return this.init(name, DataType.FLOAT, dims, bytesOf(a));
  }

  int8s(name: string, dims: number[], data: Int8Array): string {
    return this.init(name, DataType.INT8, dims, bytesOf(data));
  }

  int64s(name: string, dims: number[], data: number[]): string {
    return this.init(name, DataType.INT64, dims, bytesOf(BigInt64Array.from(data.map((v) => BigInt(v)))));
  }

  /** Adds a node and returns its (first) output name. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string, domain?: string): string {
    return this.nodeN(opType, inputs, 1, attributes, outputName === undefined ? undefined : [outputName], domain)[0] as string;
  }

  /** Adds a node with `count` outputs. */
  nodeN(opType: string, inputs: string[], count: number, attributes: Record<string, AttributeValue> = {}, outputNames?: string[], domain?: string): string[] {
    const name = this.fresh(`${opType}_${this.nodes.length}`);
    const outputs = outputNames ?? Array.from({ length: count }, (_, i) => this.fresh(`${name}:${i}`));
    for (const o of outputs) this.names.add(o);
    const spec: NodeSpec = { opType, inputs, outputs, name, attributes };
    this.nodes.push(domain === undefined ? spec : { ...spec, domain });
    return outputs;
  }

  /** Adds an onnxruntime contrib (com.microsoft) node and returns its output name. */
  contribNode(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    return this.node(opType, inputs, attributes, outputName, MS_DOMAIN);
  }

  /**
   * y = x · Wᵀ + b for a Hugging Face Linear (`weight` is [out, in] row-major, as stored),
   * applied to the last axis of `x`.
   */
  linear(prefix: string, x: string, weight: Float32Array, bias: Float32Array | undefined, outFeatures: number, inFeatures: number): string {
    let y: string;
    if (this.scheme === "fp32") {
      const w = this.floats(`${prefix}.weight_t`, [inFeatures, outFeatures], transpose(weight, outFeatures, inFeatures));
      y = this.node("MatMul", [x, w]);
    } else {
      const q = quantizeRows(weight, outFeatures, inFeatures);
      const wq = this.int8s(`${prefix}.weight_t.int8`, [inFeatures, outFeatures], transpose(q.values, outFeatures, inFeatures));
      const scale = this.floats(`${prefix}.weight.scale`, [outFeatures], q.scales);
      if (this.scheme === "int8-dequant") {
        const w = this.node("DequantizeLinear", [wq, scale], { axis: { int: 1 } });
        y = this.node("MatMul", [x, w]);
      } else if (this.contrib) {
        // DynamicQuantizeMatMul(A, B, b_scale, b_zero_point, bias): per-tensor uint8 A, per-column int8 B.
        const inputs = [x, wq, scale];
        if (bias !== undefined) inputs.push("", this.floats(`${prefix}.bias`, [outFeatures], bias));
        return this.contribNode("DynamicQuantizeMatMul", inputs);
      } else {
        const [xq, xScale, xZero] = this.nodeN("DynamicQuantizeLinear", [x], 3) as [string, string, string];
        const acc = this.node("MatMulInteger", [xq, wq, xZero]);
        const accF = this.node("Cast", [acc], { to: { int: DataType.FLOAT } });
        const s = this.node("Mul", [xScale, scale]);
        y = this.node("Mul", [accF, s]);
      }
    }
    if (bias === undefined) return y;
    const b = this.floats(`${prefix}.bias`, [outFeatures], bias);
    return this.node("Add", [y, b]);
  }

  /** Gathers rows of an embedding table `[rows, cols]`: fp32, or int8 with per-row scales. */
  embedding(prefix: string, ids: string, table: Float32Array, rows: number, cols: number, quantize: boolean): string {
    if (!quantize) {
      const t = this.floats(`${prefix}.weight`, [rows, cols], table);
      return this.node("Gather", [t, ids], { axis: { int: 0 } });
    }
    const q = quantizeRows(table, rows, cols);
    const t = this.int8s(`${prefix}.weight.int8`, [rows, cols], q.values);
    const s = this.floats(`${prefix}.weight.scale`, [rows, 1], q.scales);
    const rowsQ = this.node("Gather", [t, ids], { axis: { int: 0 } });
    const rowsF = this.node("Cast", [rowsQ], { to: { int: DataType.FLOAT } });
    const scales = this.node("Gather", [s, ids], { axis: { int: 0 } });
    return this.node("Mul", [rowsF, scales]);
  }

  layerNorm(prefix: string, x: string, weight: Float32Array, bias: Float32Array, eps: number): string {
    const g = this.floats(`${prefix}.weight`, [weight.length], weight);
    const b = this.floats(`${prefix}.bias`, [bias.length], bias);
    return this.node("LayerNormalization", [x, g, b], { axis: { int: -1 }, epsilon: { float: eps } });
  }

  /** Total bytes of initializer data (for size reports). */
  initializerBytes(): number {
    return this.initializers.reduce((n, t) => n + t.raw.length, 0);
  }

  build(docString: string, metadata: Record<string, string> = {}): ModelSpec {
    return {
      graph: { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
      opsets: [{ domain: "", version: OPSET }, ...[...new Set(this.nodes.flatMap((n) => (n.domain === undefined || n.domain === "" ? [] : [n.domain])))].sort().map((domain) => ({ domain, version: 1 }))],
      producerName: "albert-edge",
      producerVersion: "1",
      docString,
      metadata,
    };
  }
}
