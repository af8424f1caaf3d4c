/**
 * @module convert/graphs/block
 * One block shard per hidden group, stored once and run by the runtime for every layer that
 * uses the group. A block holds the group's `inner_group_num` AlbertLayers in sequence, each:
 * self-attention (q/k/v, scaled dot product + additive mask, softmax, dense), residual +
 * LayerNorm, then ffn → activation → ffn_output, residual + full_layer_layer_norm (post-LN).
 *
 * Two graph forms:
 * - `fused` (default): onnxruntime contrib ops — QAttention (int8 dynamic) or Attention (fp32 /
 *   weight-only int8) with q/k/v packed into one [H, 3H] weight, SkipLayerNormalization
 *   (residual + bias + LayerNorm in one op), FastGelu / BiasGelu (bias + activation), and
 *   DynamicQuantizeMatMul for the int8 dynamic Linears. One sequence per run, no padding, so
 *   there is no mask: I/O hidden float32 [B,S,H] → hidden_out float32 [B,S,H].
 * - `plain`: standard ONNX ops only (portable to any runtime). I/O: hidden float32 [B,S,H],
 *   attention_mask float32 [B,1,1,S] (0 keep, -10000 pad) → hidden_out float32 [B,S,H].
 */
import type { GraphForm } from "../../model/manifest.ts";
import type { Checkpoint } from "../checkpoint.ts";
import { GraphBuilder, type LinearScheme } from "../onnx/graph-builder.ts";
import { DataType, type ModelSpec } from "../onnx/model-proto.ts";
import { quantizeRows, transpose } from "../../model/quantize.ts";

/** Applies `hidden_act` (HF ACT2FN semantics) as plain ONNX ops (ORT fuses Gelu/FastGelu). */
function activation(g: GraphBuilder, act: string, x: string): string {
  const c = (v: number): string => g.floats("const", [], [v]);
  switch (act) {
    case "gelu": {
      const erf = g.node("Erf", [g.node("Div", [x, c(Math.SQRT2)])]);
      return g.node("Mul", [g.node("Mul", [x, g.node("Add", [erf, c(1)])]), c(0.5)]);
    }
    case "gelu_new":
    case "gelu_pytorch_tanh":
    case "gelu_fast": {
      const cube = g.node("Mul", [g.node("Mul", [x, x]), x]);
      const inner = g.node("Add", [x, g.node("Mul", [cube, c(0.044715)])]);
      const t = g.node("Tanh", [g.node("Mul", [inner, c(Math.sqrt(2 / Math.PI))])]);
      return g.node("Mul", [g.node("Mul", [x, c(0.5)]), g.node("Add", [t, c(1)])]);
    }
    case "relu":
      return g.node("Relu", [x]);
    default:
      throw new Error(`unsupported hidden_act ${act}`);
  }
}

export type { GraphForm };

export function buildBlock(ck: Checkpoint, group: number, scheme: LinearScheme, form: GraphForm = "plain"): ModelSpec {
  return form === "fused" ? buildFusedBlock(ck, group, scheme) : buildPlainBlock(ck, group, scheme);
}

function buildPlainBlock(ck: Checkpoint, group: number, scheme: LinearScheme): ModelSpec {
  const { hidden_size: H, num_attention_heads: NH, intermediate_size: I, inner_group_num, layer_norm_eps: eps, hidden_act } = ck.config;
  const D = H / NH;
  const w = ck.weights;
  const g = new GraphBuilder(`albert_block_${group}`, scheme);
  let x = g.input("hidden", DataType.FLOAT, ["batch", "sequence", H]);
  const mask = g.input("attention_mask", DataType.FLOAT, ["batch", 1, 1, "sequence"]);
  const headsShape = g.int64s("heads_shape", [4], [0, 0, NH, D]);
  const mergedShape = g.int64s("merged_shape", [3], [0, 0, H]);
  const sqrtD = g.floats("sqrt_head_dim", [], [Math.sqrt(D)]);

  for (let j = 0; j < inner_group_num; j++) {
    const p = `encoder.albert_layer_groups.${group}.albert_layers.${j}`;
    const lin = (name: string, input: string, out: number, inp: number): string =>
      g.linear(`${p}.${name}`, input, w.get(`${p}.${name}.weight`, [out, inp]), w.get(`${p}.${name}.bias`, [out]), out, inp);
    const split = (t: string, perm: number[]): string => g.node("Transpose", [g.node("Reshape", [t, headsShape])], { perm: { ints: perm } });

    const q = split(lin("attention.query", x, H, H), [0, 2, 1, 3]); // [B,NH,S,D]
    const kT = split(lin("attention.key", x, H, H), [0, 2, 3, 1]); // [B,NH,D,S]
    const v = split(lin("attention.value", x, H, H), [0, 2, 1, 3]); // [B,NH,S,D]
    const scores = g.node("Add", [g.node("Div", [g.node("MatMul", [q, kT]), sqrtD]), mask]);
    const probs = g.node("Softmax", [scores], { axis: { int: -1 } });
    const ctx = g.node("Reshape", [g.node("Transpose", [g.node("MatMul", [probs, v])], { perm: { ints: [0, 2, 1, 3] } }), mergedShape]);
    const attnOut = lin("attention.dense", ctx, H, H);
    const a = g.layerNorm(`${p}.attention.LayerNorm`, g.node("Add", [x, attnOut]), w.get(`${p}.attention.LayerNorm.weight`, [H]), w.get(`${p}.attention.LayerNorm.bias`, [H]), eps);

    const ff = lin("ffn_output", activation(g, hidden_act, lin("ffn", a, I, H)), H, I);
    x = g.layerNorm(`${p}.full_layer_layer_norm`, g.node("Add", [ff, a]), w.get(`${p}.full_layer_layer_norm.weight`, [H]), w.get(`${p}.full_layer_layer_norm.bias`, [H]), eps);
  }
  g.output(x, "hidden_out", DataType.FLOAT, ["batch", "sequence", H]);
  return g.build(`albert-edge: ALBERT hidden group ${group} (${inner_group_num} layer(s)), shared across its layers`);
}

/** Concatenates q, k, v Linear weights ([H, H] each, out-major) into one [3H, H] out-major matrix. */
function packQkv(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function buildFusedBlock(ck: Checkpoint, group: number, scheme: LinearScheme): ModelSpec {
  const { hidden_size: H, num_attention_heads: NH, intermediate_size: I, inner_group_num, layer_norm_eps: eps, hidden_act } = ck.config;
  const w = ck.weights;
  const g = new GraphBuilder(`albert_block_${group}`, scheme, { contrib: true });
  let x = g.input("hidden", DataType.FLOAT, ["batch", "sequence", H]);

  for (let j = 0; j < inner_group_num; j++) {
    const p = `encoder.albert_layer_groups.${group}.albert_layers.${j}`;
    const weight = (name: string, out: number, inp: number): Float32Array => w.get(`${p}.${name}.weight`, [out, inp]);
    const bias = (name: string, out: number): Float32Array => w.get(`${p}.${name}.bias`, [out]);
    const lnParams = (name: string): [string, string] => [g.floats(`${p}.${name}.weight`, [H], w.get(`${p}.${name}.weight`, [H])), g.floats(`${p}.${name}.bias`, [H], w.get(`${p}.${name}.bias`, [H]))];

    // Self-attention: q/k/v packed as one [H, 3H] weight; scale 1/sqrt(D) is the op's default.
    const names = ["attention.query", "attention.key", "attention.value"];
    const qkvWeight = packQkv(names.map((n) => weight(n, H, H)));
    const qkvBias = g.floats(`${p}.attention.qkv.bias`, [3 * H], packQkv(names.map((n) => bias(n, H))));
    let ctx: string;
    if (scheme === "int8-dynamic") {
      const q = quantizeRows(qkvWeight, 3 * H, H);
      const wq = g.int8s(`${p}.attention.qkv.weight_t.int8`, [H, 3 * H], transpose(q.values, 3 * H, H));
      const scales = g.floats(`${p}.attention.qkv.weight.scale`, [3 * H], q.scales);
      const [xq, xScale, xZero] = g.nodeN("DynamicQuantizeLinear", [x], 3) as [string, string, string];
      ctx = g.contribNode("QAttention", [xq, wq, qkvBias, xScale, scales, "", xZero], { num_heads: { int: NH } });
    } else {
      let wt: string;
      if (scheme === "fp32") wt = g.floats(`${p}.attention.qkv.weight_t`, [H, 3 * H], transpose(qkvWeight, 3 * H, H));
      else {
        const q = quantizeRows(qkvWeight, 3 * H, H);
        const wq = g.int8s(`${p}.attention.qkv.weight_t.int8`, [H, 3 * H], transpose(q.values, 3 * H, H));
        wt = g.node("DequantizeLinear", [wq, g.floats(`${p}.attention.qkv.weight.scale`, [3 * H], q.scales)], { axis: { int: 1 } });
      }
      ctx = g.contribNode("Attention", [x, wt, qkvBias], { num_heads: { int: NH } });
    }
    const attnOut = g.linear(`${p}.attention.dense`, ctx, weight("attention.dense", H, H), undefined, H, H);
    // SkipLayerNormalization(input, skip, gamma, beta, bias) = LayerNorm(input + skip + bias).
    const a = g.contribNode("SkipLayerNormalization", [attnOut, x, ...lnParams("attention.LayerNorm"), g.floats(`${p}.attention.dense.bias`, [H], bias("attention.dense", H))], { epsilon: { float: eps } });

    const ffnBias = bias("ffn", I);
    let h: string;
    if (hidden_act === "relu") {
      h = g.node("Relu", [g.linear(`${p}.ffn`, a, weight("ffn", I, H), ffnBias, I, H)]);
    } else {
      const ffn = g.linear(`${p}.ffn`, a, weight("ffn", I, H), undefined, I, H);
      const b = g.floats(`${p}.ffn.bias`, [I], ffnBias);
      // FastGelu = tanh approximation (gelu_new & co.); BiasGelu = exact erf gelu. Both add the bias.
      h = hidden_act === "gelu" ? g.contribNode("BiasGelu", [ffn, b]) : g.contribNode("FastGelu", [ffn, b]);
    }
    const ff = g.linear(`${p}.ffn_output`, h, weight("ffn_output", H, I), undefined, H, I);
    x = g.contribNode("SkipLayerNormalization", [ff, a, ...lnParams("full_layer_layer_norm"), g.floats(`${p}.ffn_output.bias`, [H], bias("ffn_output", H))], { epsilon: { float: eps } });
  }
  g.output(x, "hidden_out", DataType.FLOAT, ["batch", "sequence", H]);
  return g.build(`albert-edge: ALBERT hidden group ${group} (${inner_group_num} layer(s)), shared across its layers; fused onnxruntime ops`);
}
