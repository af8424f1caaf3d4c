/**
 * @module test/support/reference-albert
 * An independent ALBERT forward pass for tests, in plain TypeScript with float64 activations,
 * following Hugging Face semantics (AlbertEmbeddings → embedding_hidden_mapping_in →
 * num_hidden_layers passes where layer i uses group int(i / (layers / groups)), each group
 * running its inner layers; post-LN attention and FFN; pooler tanh(dense([CLS])); classifier;
 * mean of the last hidden states).
 * One unpadded sequence at a time (all-ones attention mask). Shares no code with src/.
 */
import type { AlbertShape } from "./checkpoint-generator.ts";

export interface ReferenceOutput {
  pooled: number[];
  logits: number[] | undefined;
  /** Mean of the last hidden states over every position. */
  mean: number[];
}

type Weights = ReadonlyMap<string, Float32Array>;

function w(weights: Weights, name: string): Float32Array {
  const t = weights.get(name);
  if (t === undefined) throw new Error(`reference: no weight ${name}`);
  return t;
}

/** x: [T, inF] → [T, outF] with W [outF, inF] (PyTorch Linear layout). */
function linear(x: Float64Array, T: number, inF: number, W: Float32Array, b: Float32Array, outF: number): Float64Array {
  const y = new Float64Array(T * outF);
  for (let t = 0; t < T; t++) {
    const xo = t * inF;
    for (let o = 0; o < outF; o++) {
      const wo = o * inF;
      let acc = b[o] as number;
      for (let i = 0; i < inF; i++) acc += (x[xo + i] as number) * (W[wo + i] as number);
      y[t * outF + o] = acc;
    }
  }
  return y;
}

function layerNorm(x: Float64Array, T: number, F: number, g: Float32Array, b: Float32Array, eps: number): Float64Array {
  const y = new Float64Array(T * F);
  for (let t = 0; t < T; t++) {
    let mean = 0;
    for (let i = 0; i < F; i++) mean += x[t * F + i] as number;
    mean /= F;
    let v = 0;
    for (let i = 0; i < F; i++) v += ((x[t * F + i] as number) - mean) ** 2;
    v /= F;
    const inv = 1 / Math.sqrt(v + eps);
    for (let i = 0; i < F; i++) y[t * F + i] = ((x[t * F + i] as number) - mean) * inv * (g[i] as number) + (b[i] as number);
  }
  return y;
}

/** erf in double precision: Taylor series for |x| < 2, else a continued fraction for erfc. */
export function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2) {
    let sum = x;
    let term = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  // Continued fraction for erfc (Lentz), converges fast for |x| ≥ 2.
  const z = ax;
  let f = z;
  let C = z;
  let D = 0;
  const tiny = 1e-300;
  for (let n = 1; n < 300; n++) {
    const a = n / 2;
    D = z + a * D;
    D = D === 0 ? tiny : D;
    C = z + a / C;
    C = C === 0 ? tiny : C;
    D = 1 / D;
    const delta = C * D;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  return x >= 0 ? 1 - erfc : erfc - 1;
}

function act(name: string, x: number): number {
  switch (name) {
    case "gelu":
      return 0.5 * x * (1 + erf(x / Math.SQRT2));
    case "gelu_new":
    case "gelu_pytorch_tanh":
    case "gelu_fast":
      return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
    case "relu":
      return Math.max(0, x);
    default:
      throw new Error(`reference: activation ${name}`);
  }
}

function albertLayer(weights: Weights, p: string, s: AlbertShape, x: Float64Array, T: number): Float64Array {
  const H = s.hidden_size;
  const NH = s.num_attention_heads;
  const D = H / NH;
  const lin = (name: string, input: Float64Array, inF: number, outF: number): Float64Array =>
    linear(input, T, inF, w(weights, `${p}.${name}.weight`), w(weights, `${p}.${name}.bias`), outF);
  const q = lin("attention.query", x, H, H);
  const k = lin("attention.key", x, H, H);
  const v = lin("attention.value", x, H, H);
  const ctx = new Float64Array(T * H);
  const scores = new Float64Array(T);
  const scale = Math.sqrt(D);
  for (let h = 0; h < NH; h++) {
    for (let i = 0; i < T; i++) {
      let max = -Infinity;
      for (let j = 0; j < T; j++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += (q[i * H + h * D + d] as number) * (k[j * H + h * D + d] as number);
        scores[j] = dot / scale;
        if ((scores[j] as number) > max) max = scores[j] as number;
      }
      let sum = 0;
      for (let j = 0; j < T; j++) {
        scores[j] = Math.exp((scores[j] as number) - max);
        sum += scores[j] as number;
      }
      for (let d = 0; d < D; d++) {
        let acc = 0;
        for (let j = 0; j < T; j++) acc += ((scores[j] as number) / sum) * (v[j * H + h * D + d] as number);
        ctx[i * H + h * D + d] = acc;
      }
    }
  }
  const attnOut = lin("attention.dense", ctx, H, H);
  for (let i = 0; i < attnOut.length; i++) attnOut[i] = (attnOut[i] as number) + (x[i] as number);
  const a = layerNorm(attnOut, T, H, w(weights, `${p}.attention.LayerNorm.weight`), w(weights, `${p}.attention.LayerNorm.bias`), s.layer_norm_eps);
  const f = lin("ffn", a, H, s.intermediate_size);
  for (let i = 0; i < f.length; i++) f[i] = act(s.hidden_act, f[i] as number);
  const o = lin("ffn_output", f, s.intermediate_size, H);
  for (let i = 0; i < o.length; i++) o[i] = (o[i] as number) + (a[i] as number);
  return layerNorm(o, T, H, w(weights, `${p}.full_layer_layer_norm.weight`), w(weights, `${p}.full_layer_layer_norm.bias`), s.layer_norm_eps);
}

/** Forward pass of one sequence of ids (already with [CLS]/[SEP]); token types all 0. */
export function referenceForward(weights: Weights, s: AlbertShape, ids: readonly number[]): ReferenceOutput {
  const T = ids.length;
  const E = s.embedding_size;
  const H = s.hidden_size;
  const word = w(weights, "embeddings.word_embeddings.weight");
  const pos = w(weights, "embeddings.position_embeddings.weight");
  const type = w(weights, "embeddings.token_type_embeddings.weight");
  const e = new Float64Array(T * E);
  for (let t = 0; t < T; t++) {
    const id = ids[t] as number;
    for (let i = 0; i < E; i++) e[t * E + i] = (word[id * E + i] as number) + (pos[t * E + i] as number) + (type[i] as number);
  }
  const en = layerNorm(e, T, E, w(weights, "embeddings.LayerNorm.weight"), w(weights, "embeddings.LayerNorm.bias"), s.layer_norm_eps);
  let x = linear(en, T, E, w(weights, "encoder.embedding_hidden_mapping_in.weight"), w(weights, "encoder.embedding_hidden_mapping_in.bias"), H);
  for (let i = 0; i < s.num_hidden_layers; i++) {
    const group = Math.trunc(i / (s.num_hidden_layers / s.num_hidden_groups));
    for (let j = 0; j < s.inner_group_num; j++) x = albertLayer(weights, `encoder.albert_layer_groups.${group}.albert_layers.${j}`, s, x, T);
  }
  const pooledRaw = linear(x.subarray(0, H), 1, H, w(weights, "pooler.weight"), w(weights, "pooler.bias"), H);
  const pooled = Array.from(pooledRaw, Math.tanh);
  const cw = weights.get("classifier.weight");
  const cb = weights.get("classifier.bias");
  const logits = cw === undefined || cb === undefined ? undefined : Array.from(linear(Float64Array.from(pooled), 1, H, cw, cb, cb.length));
  const mean = Array.from({ length: H }, (_, h) => {
    let sum = 0;
    for (let t = 0; t < T; t++) sum += x[t * H + h] as number;
    return sum / T;
  });
  return { pooled, logits, mean };
}
