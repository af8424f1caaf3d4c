/**
 * @module engine/weights
 * The model's weights as the engine wants them, read from the converter's ONNX shards by name
 * (any scheme the converter writes: int8 dynamic, int8 weight-only, fp32; fused or plain graphs),
 * at one of two precisions:
 * - `int8` (the default for int8 shards): every Linear int8 with one scale per output column
 *   (fp32 weights are quantized here exactly as the converter would), embedding tables int8
 *   with one scale per row; `writeLinear` packs a Linear in the GEMM's 4×4 block layout.
 * - `fp32` (the default for fp32 shards): weights and tables as stored, fp32 (int8 shards are
 *   dequantized), for the fp32 GEMM (row-major [k][n], columns padded to 8).
 */
import type { Manifest, ModelConfig } from "../model/manifest.ts";
import { quantizeRows, transpose } from "../model/quantize.ts";
import type { Arena } from "./arena.ts";
import type { KernelExports } from "./kernels.ts";
import { readInitializers, ShardFormatError, tensorOf, type Tensor } from "./onnx-tensors.ts";

/** Arithmetic of the engine's Linears (and embedding tables). */
export type Precision = "int8" | "fp32";

/** y = x·W + b with W int8 [k][n] (input-major, as the shards store `weight_t`) × per-column scale. */
export interface QuantLinearSource {
  k: number;
  n: number;
  wt: Int8Array;
  scale: Float32Array;
  bias?: Float32Array;
}

/** y = x·W + b with W fp32 [k][n] (input-major). */
export interface FloatLinearSource {
  k: number;
  n: number;
  wf: Float32Array;
  bias?: Float32Array;
}

export type LinearSource = QuantLinearSource | FloatLinearSource;

export const isFloatLinear = (l: LinearSource): l is FloatLinearSource => "wf" in l;

export interface QuantizedTable {
  rows: number;
  cols: number;
  q: Int8Array;
  scale: Float32Array;
}

export interface FloatTable {
  rows: number;
  cols: number;
  f: Float32Array;
}

export type TableSource = QuantizedTable | FloatTable;

export interface EmbeddingsSource {
  word: TableSource;
  position: TableSource;
  tokenType: Float32Array;
  gamma: Float32Array;
  beta: Float32Array;
  projection: LinearSource;
}

/** One AlbertLayer's parameters: Linears of type L, LayerNorm (gamma, beta) pairs of type N. */
export interface Layer<L, N> {
  qkv: L;
  dense: L;
  ln1: [N, N];
  ffn: L;
  ffnOut: L;
  ln2: [N, N];
}

/** A layer as read from a shard. */
export type LayerSource = Layer<LinearSource, Float32Array>;

/** The head's Linears, per task: pooler + classifier (sequence classification), `tokens` on every position (token classification: `classifier`; QA: `qa_outputs`), pooler if any (feature_extraction). */
export interface HeadSource {
  pooler?: LinearSource;
  classifier?: LinearSource;
  tokens?: LinearSource;
}

function floats(t: Tensor, shard: string): Float32Array {
  if (!(t.data instanceof Float32Array)) throw new ShardFormatError(`${shard}: ${t.name} must be float32`);
  return t.data;
}

/** A Linear named `prefix` with `k` inputs and `n` outputs, int8 or fp32 in the shard, at `precision`. */
function linear(tensors: Map<string, Tensor>, prefix: string, k: number, n: number, shard: string, precision: Precision): LinearSource {
  const biasT = tensors.get(`${prefix}.bias`);
  const bias = biasT === undefined ? undefined : floats(tensorOf(tensors, `${prefix}.bias`, [n], shard), shard);
  const withBias = bias === undefined ? {} : { bias };
  if (tensors.has(`${prefix}.weight_t.int8`)) {
    const w = tensorOf(tensors, `${prefix}.weight_t.int8`, [k, n], shard);
    const s = tensorOf(tensors, `${prefix}.weight.scale`, [n], shard);
    if (!(w.data instanceof Int8Array)) throw new ShardFormatError(`${shard}: ${w.name} must be int8`);
    const scale = floats(s, shard);
    if (precision === "int8") return { k, n, wt: w.data, scale, ...withBias };
    const wf = new Float32Array(k * n);
    for (let r = 0; r < k; r++) for (let c = 0; c < n; c++) wf[r * n + c] = w.data[r * n + c]! * scale[c]!;
    return { k, n, wf, ...withBias };
  }
  const w = floats(tensorOf(tensors, `${prefix}.weight_t`, [k, n], shard), shard);
  if (precision === "fp32") return { k, n, wf: w, ...withBias };
  // Quantize per output column: transpose to [n][k] rows, quantize rows, transpose back.
  const q = quantizeRows(transpose(w, k, n), n, k);
  return { k, n, wt: transpose(q.values, n, k), scale: q.scales, ...withBias };
}

/** Concatenates Linears with the same input along the output axis (plain graphs' q, k, v). */
function concatOutputs(parts: LinearSource[]): LinearSource {
  const k = parts[0]!.k;
  const n = parts.reduce((s, p) => s + p.n, 0);
  if (parts.every(isFloatLinear)) {
    const wf = new Float32Array(k * n);
    const bias = new Float32Array(n);
    let off = 0;
    for (const p of parts) {
      for (let r = 0; r < k; r++) wf.set(p.wf.subarray(r * p.n, (r + 1) * p.n), r * n + off);
      if (p.bias !== undefined) bias.set(p.bias, off);
      off += p.n;
    }
    return { k, n, wf, bias };
  }
  const quant = parts.filter((p): p is QuantLinearSource => !isFloatLinear(p));
  if (quant.length !== parts.length) throw new Error("concatOutputs: mixed precisions");
  const wt = new Int8Array(k * n);
  const scale = new Float32Array(n);
  const bias = new Float32Array(n);
  let off = 0;
  for (const p of quant) {
    for (let r = 0; r < k; r++) wt.set(p.wt.subarray(r * p.n, (r + 1) * p.n), r * n + off);
    scale.set(p.scale, off);
    if (p.bias !== undefined) bias.set(p.bias, off);
    off += p.n;
  }
  return { k, n, wt, scale, bias };
}

function table(tensors: Map<string, Tensor>, prefix: string, rows: number, cols: number, shard: string, precision: Precision): TableSource {
  if (tensors.has(`${prefix}.weight.int8`)) {
    const q = tensorOf(tensors, `${prefix}.weight.int8`, [rows, cols], shard);
    const s = tensorOf(tensors, `${prefix}.weight.scale`, [rows, 1], shard);
    if (!(q.data instanceof Int8Array)) throw new ShardFormatError(`${shard}: ${q.name} must be int8`);
    const scale = floats(s, shard);
    if (precision === "int8") return { rows, cols, q: q.data, scale };
    const f = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) f[r * cols + c] = q.data[r * cols + c]! * scale[r]!;
    return { rows, cols, f };
  }
  const f = floats(tensorOf(tensors, `${prefix}.weight`, [rows, cols], shard), shard);
  if (precision === "fp32") return { rows, cols, f };
  const q = quantizeRows(f, rows, cols);
  return { rows, cols, q: q.values, scale: q.scales };
}

export function readEmbeddings(bytes: Uint8Array, c: ModelConfig, shard: string, precision: Precision = "int8"): EmbeddingsSource {
  const t = readInitializers(bytes, shard);
  const E = c.embedding_size;
  return {
    word: table(t, "embeddings.word_embeddings", c.vocab_size, E, shard, precision),
    position: table(t, "embeddings.position_embeddings", c.max_position_embeddings, E, shard, precision),
    tokenType: floats(tensorOf(t, "embeddings.token_type_embeddings.weight", [c.type_vocab_size, E], shard), shard),
    gamma: floats(tensorOf(t, "embeddings.LayerNorm.weight", [E], shard), shard),
    beta: floats(tensorOf(t, "embeddings.LayerNorm.bias", [E], shard), shard),
    projection: linear(t, "encoder.embedding_hidden_mapping_in", E, c.hidden_size, shard, precision),
  };
}

/** The `inner_group_num` layers of one hidden group. */
export function readBlock(bytes: Uint8Array, c: ModelConfig, group: number, shard: string, precision: Precision = "int8"): LayerSource[] {
  const t = readInitializers(bytes, shard);
  const H = c.hidden_size;
  const I = c.intermediate_size;
  const ln = (name: string): [Float32Array, Float32Array] => [floats(tensorOf(t, `${name}.weight`, [H], shard), shard), floats(tensorOf(t, `${name}.bias`, [H], shard), shard)];
  const layers: LayerSource[] = [];
  for (let j = 0; j < c.inner_group_num; j++) {
    const p = `encoder.albert_layer_groups.${group}.albert_layers.${j}`;
    const fused = t.has(`${p}.attention.qkv.weight_t.int8`) || t.has(`${p}.attention.qkv.weight_t`);
    const qkv = fused
      ? linear(t, `${p}.attention.qkv`, H, 3 * H, shard, precision)
      : concatOutputs(["query", "key", "value"].map((n) => linear(t, `${p}.attention.${n}`, H, H, shard, precision)));
    layers.push({
      qkv,
      dense: linear(t, `${p}.attention.dense`, H, H, shard, precision),
      ln1: ln(`${p}.attention.LayerNorm`),
      ffn: linear(t, `${p}.ffn`, H, I, shard, precision),
      ffnOut: linear(t, `${p}.ffn_output`, I, H, shard, precision),
      ln2: ln(`${p}.full_layer_layer_norm`),
    });
  }
  return layers;
}

export function readHead(bytes: Uint8Array, c: ModelConfig, head: Pick<Manifest, "task" | "labels">, shard: string, precision: Precision = "int8"): HeadSource {
  const t = readInitializers(bytes, shard);
  const H = c.hidden_size;
  const L = head.labels.length;
  const lin = (prefix: string, n: number): LinearSource => linear(t, prefix, H, n, shard, precision);
  switch (head.task) {
    case "token_classification":
      return { tokens: lin("classifier", L) };
    case "question_answering":
      return { tokens: lin("qa_outputs", 2) };
    case "feature_extraction":
      return t.has("pooler.weight_t.int8") || t.has("pooler.weight_t") ? { pooler: lin("pooler", H) } : {};
    default:
      return { pooler: lin("pooler", H), classifier: lin("classifier", L) };
  }
}

/** A Linear in kernel memory (see kernels/gemm.ts and kernels/gemm-f32.ts for the layouts). */
export interface PackedLinear {
  /** fp32 weights [k][np] for the fp32 GEMM (kp, scale, wsum unused); else packed int8. */
  f32: boolean;
  k: number;
  n: number;
  /** k rounded up to 16, n rounded up to 8. */
  kp: number;
  np: number;
  w: number;
  scale: number;
  wsum: number;
  /** 0 when the Linear has no bias. */
  bias: number;
}

export const padK = (k: number): number => Math.ceil(k / 16) * 16;
export const padN = (n: number): number => Math.ceil(n / 8) * 8;

/** Reserves a Linear's space; `writeLinear` fills it after the arena is committed. */
export function planLinear(arena: Arena, src: LinearSource): PackedLinear {
  const kp = padK(src.k);
  const np = padN(src.n);
  if (isFloatLinear(src)) {
    return { f32: true, k: src.k, n: src.n, kp, np, w: arena.alloc(src.k * np * 4), scale: 0, wsum: 0, bias: src.bias === undefined ? 0 : arena.alloc(np * 4) };
  }
  return {
    f32: false,
    k: src.k,
    n: src.n,
    kp,
    np,
    w: arena.alloc(kp * np),
    scale: arena.alloc(np * 4),
    wsum: arena.alloc(np * 4),
    bias: src.bias === undefined ? 0 : arena.alloc(np * 4),
  };
}

/**
 * Fills a planned Linear: the int8 weights go through `staging` (a kernel-memory buffer of at
 * least k·n bytes) and are packed by the `pack_weights` kernel; scales and bias are copied.
 */
export function writeLinear(arena: Arena, kernels: KernelExports, staging: number, dst: PackedLinear, src: LinearSource): void {
  const { k, n, kp, np } = dst;
  if (src.bias !== undefined) {
    const bias = arena.f32(dst.bias, np);
    bias.fill(0);
    bias.set(src.bias);
  }
  if (isFloatLinear(src)) {
    const w = arena.f32(dst.w, k * np);
    w.fill(0);
    for (let r = 0; r < k; r++) w.set(src.wf.subarray(r * n, (r + 1) * n), r * np);
    return;
  }
  arena.i8(staging, k * n).set(src.wt);
  kernels.pack_weights(staging, k, n, dst.w, kp, np, dst.wsum);
  const scale = arena.f32(dst.scale, np);
  scale.fill(0);
  scale.set(src.scale);
}
