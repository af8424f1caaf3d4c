/**
 * @module test/support/checkpoint-generator
 * Writes synthetic Hugging Face ALBERT checkpoints for tests: config.json, model.safetensors
 * (F32, F16 or BF16; tensor names with or without the `albert.` prefix), tokenizer_config.json
 * and a copy of ../shared/tokenizer/spiece.model. Weights are seeded Gaussians; the generator
 * returns exactly the values it stored (after its own F16/BF16 rounding) so the independent
 * reference forward pass sees what the converter reads. Shares no code with src/convert.
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spieceModel } from "./paths.ts";
import { Rng } from "./random.ts";

export interface AlbertShape {
  vocab_size: number;
  embedding_size: number;
  hidden_size: number;
  num_attention_heads: number;
  intermediate_size: number;
  num_hidden_layers: number;
  num_hidden_groups: number;
  inner_group_num: number;
  hidden_act: string;
  max_position_embeddings: number;
  type_vocab_size: number;
  layer_norm_eps: number;
}

export const SMALL_SHAPE: AlbertShape = {
  vocab_size: 1000,
  embedding_size: 32,
  hidden_size: 64,
  num_attention_heads: 4,
  intermediate_size: 128,
  num_hidden_layers: 3,
  num_hidden_groups: 1,
  inner_group_num: 1,
  hidden_act: "gelu_new",
  max_position_embeddings: 64,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};

export const BASE_SHAPE: AlbertShape = {
  vocab_size: 30000,
  embedding_size: 128,
  hidden_size: 768,
  num_attention_heads: 12,
  intermediate_size: 3072,
  num_hidden_layers: 12,
  num_hidden_groups: 1,
  inner_group_num: 1,
  hidden_act: "gelu_new",
  max_position_embeddings: 512,
  type_vocab_size: 2,
  layer_norm_eps: 1e-12,
};

export type StoredDType = "F32" | "F16" | "BF16";

export interface GenerateOptions {
  shape: AlbertShape;
  /** Sequence classification head with this many labels; omit for a bare AlbertModel. */
  numLabels?: number;
  /** Write id2label names (default: LABEL_i is left to the converter). */
  labelNames?: string[];
  problemType?: "multi_label_classification" | "single_label_classification";
  dtype?: StoredDType;
  /** Prefix model tensors with `albert.` (default: true with a head, false without). */
  prefix?: boolean;
  seed?: number;
  std?: number;
  /** Extra/overriding config.json fields (e.g. model_type for error tests). */
  configOverrides?: Record<string, unknown>;
  /** Edit tensors before writing (error tests): names are as written to the file. */
  mutate?: (tensors: Map<string, { shape: number[]; data: Float32Array }>) => void;
  tokenizerConfig?: Record<string, unknown> | null;
}

export interface GeneratedCheckpoint {
  dir: string;
  shape: AlbertShape;
  /** Stored values by AlbertModel-relative name ("embeddings.…", "encoder.…", "pooler.…") and "classifier.…". */
  weights: Map<string, Float32Array>;
  numLabels: number | undefined;
  safetensorsBytes: number;
}

/** fp32 → IEEE binary16 bits, round to nearest even. */
function toHalfBits(value: number): number {
  const f = new Float32Array([value]);
  const x = new Uint32Array(f.buffer)[0] as number;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

function fromHalfBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * Math.pow(2, -24);
  if (e === 0x1f) return m ? NaN : s * Infinity;
  return s * Math.pow(2, e - 15) * (1 + m / 1024);
}

function toBf16Bits(value: number): number {
  const x = new Uint32Array(new Float32Array([value]).buffer)[0] as number;
  return ((x + 0x7fff + ((x >>> 16) & 1)) >>> 16) & 0xffff;
}

function fromBf16Bits(b: number): number {
  return new Float32Array(new Uint32Array([b << 16]).buffer)[0] as number;
}

/** Rounds values to the storage dtype in place; returns the encoded little-endian bytes. */
function encode(data: Float32Array, dtype: StoredDType): Uint8Array {
  if (dtype === "F32") return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) {
    const bits = dtype === "F16" ? toHalfBits(data[i] as number) : toBf16Bits(data[i] as number);
    view.setUint16(i * 2, bits, true);
    data[i] = dtype === "F16" ? fromHalfBits(bits) : fromBf16Bits(bits);
  }
  return out;
}

/** Expected tensors of an ALBERT checkpoint (relative names) with shapes. */
export function albertTensorShapes(s: AlbertShape, numLabels: number | undefined): [string, number[]][] {
  const { vocab_size: V, embedding_size: E, hidden_size: H, intermediate_size: I } = s;
  const list: [string, number[]][] = [
    ["embeddings.word_embeddings.weight", [V, E]],
    ["embeddings.position_embeddings.weight", [s.max_position_embeddings, E]],
    ["embeddings.token_type_embeddings.weight", [s.type_vocab_size, E]],
    ["embeddings.LayerNorm.weight", [E]],
    ["embeddings.LayerNorm.bias", [E]],
    ["encoder.embedding_hidden_mapping_in.weight", [H, E]],
    ["encoder.embedding_hidden_mapping_in.bias", [H]],
  ];
  for (let g = 0; g < s.num_hidden_groups; g++) {
    for (let j = 0; j < s.inner_group_num; j++) {
      const p = `encoder.albert_layer_groups.${g}.albert_layers.${j}`;
      for (const n of ["query", "key", "value", "dense"]) {
        list.push([`${p}.attention.${n}.weight`, [H, H]], [`${p}.attention.${n}.bias`, [H]]);
      }
      list.push(
        [`${p}.attention.LayerNorm.weight`, [H]],
        [`${p}.attention.LayerNorm.bias`, [H]],
        [`${p}.ffn.weight`, [I, H]],
        [`${p}.ffn.bias`, [I]],
        [`${p}.ffn_output.weight`, [H, I]],
        [`${p}.ffn_output.bias`, [H]],
        [`${p}.full_layer_layer_norm.weight`, [H]],
        [`${p}.full_layer_layer_norm.bias`, [H]],
      );
    }
  }
  list.push(["pooler.weight", [H, H]], ["pooler.bias", [H]]);
  if (numLabels !== undefined) list.push(["classifier.weight", [numLabels, H]], ["classifier.bias", [numLabels]]);
  return list;
}

/** Serializes tensors in the safetensors layout (header padded to 8 bytes with spaces). */
export function safetensorsBytes(tensors: { name: string; dtype: StoredDType; shape: number[]; bytes: Uint8Array }[]): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const t of tensors) {
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + t.bytes.length] };
    offset += t.bytes.length;
  }
  let json = JSON.stringify(header);
  while ((8 + json.length) % 8 !== 0) json += " ";
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let p = 8 + headerBytes.length;
  for (const t of tensors) {
    out.set(t.bytes, p);
    p += t.bytes.length;
  }
  return out;
}

export function generateCheckpoint(dir: string, options: GenerateOptions): GeneratedCheckpoint {
  const { shape, numLabels } = options;
  const dtype = options.dtype ?? "F32";
  const prefix = options.prefix ?? numLabels !== undefined;
  const std = options.std ?? 0.02;
  const rng = new Rng(options.seed ?? 1234);
  mkdirSync(dir, { recursive: true });

  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  const relName = new Map<string, string>();
  for (const [name, dims] of albertTensorShapes(shape, numLabels)) {
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNormWeight = /LayerNorm\.weight$|layer_norm\.weight$/.test(name);
    for (let i = 0; i < n; i++) data[i] = isNormWeight ? 1 + 0.1 * rng.normal() : std * rng.normal();
    if (name === "embeddings.word_embeddings.weight") data.fill(0, 0, dims[1]); // padding row 0, as HF inits
    const stored = name.startsWith("classifier.") || !prefix ? name : `albert.${name}`;
    tensors.set(stored, { shape: dims, data });
    relName.set(stored, name);
  }
  options.mutate?.(tensors);

  const weights = new Map<string, Float32Array>();
  const entries = [...tensors].map(([name, t]) => {
    const bytes = encode(t.data, dtype);
    weights.set(relName.get(name) ?? name, t.data);
    return { name, dtype, shape: t.shape, bytes };
  });
  const st = safetensorsBytes(entries);
  writeFileSync(join(dir, "model.safetensors"), st);

  const config: Record<string, unknown> = {
    architectures: [numLabels === undefined ? "AlbertModel" : "AlbertForSequenceClassification"],
    model_type: "albert",
    ...shape,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
    initializer_range: std,
    pad_token_id: 0,
    bos_token_id: 2,
    eos_token_id: 3,
  };
  if (options.labelNames !== undefined) {
    config.id2label = Object.fromEntries(options.labelNames.map((l, i) => [String(i), l]));
    config.label2id = Object.fromEntries(options.labelNames.map((l, i) => [l, i]));
  }
  if (options.problemType !== undefined) config.problem_type = options.problemType;
  Object.assign(config, options.configOverrides ?? {});
  writeFileSync(join(dir, "config.json"), JSON.stringify(config, null, 2));
  if (options.tokenizerConfig !== null) {
    writeFileSync(join(dir, "tokenizer_config.json"), JSON.stringify(options.tokenizerConfig ?? { do_lower_case: true, keep_accents: false }));
  }
  copyFileSync(spieceModel, join(dir, "spiece.model"));
  return { dir, shape, weights, numLabels, safetensorsBytes: st.length };
}
