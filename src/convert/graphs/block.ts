/**
 * @module convert/graphs/block
 * One block shard per hidden group, stored once and run by the runtime for every layer that
 * uses the group. A block holds the group's `inner_group_num` AlbertLayers in sequence, each:
 * self-attention (q/k/v, scaled dot product + additive mask, softmax, dense), residual +
 * LayerNorm, then ffn → activation → ffn_output, residual + full_layer_layer_norm (post-LN).
 * I/O: hidden float32 [B,S,H], attention_mask float32 [B,1,1,S] (0 keep, -10000 pad)
 * → hidden_out float32 [B,S,H].
 */
import type { Checkpoint } from "../checkpoint.ts";
import { GraphBuilder, type LinearScheme } from "../onnx/graph-builder.ts";
import { DataType, type ModelSpec } from "../onnx/model-proto.ts";

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

export function buildBlock(ck: Checkpoint, group: number, scheme: LinearScheme): ModelSpec {
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
