/**
 * @module bench/lib/naive
 * The baseline a user gets from a plain export: ONE fp32 ONNX graph with every layer unrolled
 * (embeddings → num_hidden_layers × AlbertLayer → pooler + classifier), standard ONNX ops only,
 * an int64 attention_mask [B,S] turned into the additive mask in-graph — what
 * `torch.onnx.export(AlbertForSequenceClassification)` produces. Like torch's exporter, the shared
 * layer's weights are stored once and referenced by every unrolled layer.
 *
 * Built from the converter's own graph pieces (plain fp32 embeddings / block / head specs),
 * stitched into one graph by renaming: per-layer values get an `L<i>/` prefix, the shared
 * block initializers a `G<g>/` prefix.
 */
import type { Checkpoint } from "../../src/convert/checkpoint.ts";
import { buildBlock } from "../../src/convert/graphs/block.ts";
import { buildEmbeddings } from "../../src/convert/graphs/embeddings.ts";
import { buildHead } from "../../src/convert/graphs/head.ts";
import { OPSET } from "../../src/convert/onnx/graph-builder.ts";
import { DataType, encodeModel, type GraphSpec, type ModelSpec, type NodeSpec, type TensorValue, type ValueInfo } from "../../src/convert/onnx/model-proto.ts";
import { groupOfLayer } from "../../src/model/manifest.ts";

interface Stitched {
  nodes: NodeSpec[];
  initializers: TensorValue[];
}

/** Copies a graph's nodes with renamed values; `bind` maps the sub-graph's inputs to outer values. */
function inline(graph: GraphSpec, prefix: string, initPrefix: string, bind: Record<string, string>, into: Stitched, addInitializers: boolean): (name: string) => string {
  const inits = new Set(graph.initializers.map((t) => t.name));
  const rename = (name: string): string => {
    if (name === "") return name;
    if (name in bind) return bind[name] as string;
    return inits.has(name) ? `${initPrefix}${name}` : `${prefix}${name}`;
  };
  if (addInitializers) for (const t of graph.initializers) into.initializers.push({ ...t, name: rename(t.name) });
  for (const n of graph.nodes) into.nodes.push({ ...n, name: `${prefix}${n.name}`, inputs: n.inputs.map(rename), outputs: n.outputs.map(rename) });
  return rename;
}

export function buildNaiveModel(ck: Checkpoint): ModelSpec {
  const c = ck.config;
  const out: Stitched = { nodes: [], initializers: [] };
  const inputs: ValueInfo[] = [
    { name: "input_ids", elemType: DataType.INT64, shape: ["batch", "sequence"] },
    { name: "token_type_ids", elemType: DataType.INT64, shape: ["batch", "sequence"] },
    { name: "attention_mask", elemType: DataType.INT64, shape: ["batch", "sequence"] },
  ];
  // HF's extended attention mask: (1 - mask[:, None, None, :]) * -10000.
  const f32 = (name: string, v: number): string => {
    out.initializers.push({ name, dataType: DataType.FLOAT, dims: [], raw: new Uint8Array(new Float32Array([v]).buffer) });
    return name;
  };
  out.initializers.push({ name: "mask/axes", dataType: DataType.INT64, dims: [2], raw: new Uint8Array(new BigInt64Array([1n, 2n]).buffer) });
  out.nodes.push(
    { opType: "Unsqueeze", inputs: ["attention_mask", "mask/axes"], outputs: ["mask/4d"], name: "mask/unsqueeze" },
    { opType: "Cast", inputs: ["mask/4d"], outputs: ["mask/float"], name: "mask/cast", attributes: { to: { int: DataType.FLOAT } } },
    { opType: "Sub", inputs: [f32("mask/one", 1), "mask/float"], outputs: ["mask/inverted"], name: "mask/sub" },
    { opType: "Mul", inputs: ["mask/inverted", f32("mask/min", -10000)], outputs: ["mask/additive"], name: "mask/mul" },
  );

  const emb = buildEmbeddings(ck, "fp32", "plain").graph;
  let hidden = inline(emb, "E/", "E/", { input_ids: "input_ids", token_type_ids: "token_type_ids" }, out, true)("hidden");
  const blocks = Array.from({ length: c.num_hidden_groups }, (_, g) => buildBlock(ck, g, "fp32", "plain").graph);
  const stored = new Set<number>();
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const g = groupOfLayer(c, i);
    const block = blocks[g] as GraphSpec;
    hidden = inline(block, `L${i}/`, `G${g}/`, { hidden, attention_mask: "mask/additive" }, out, !stored.has(g))("hidden_out");
    stored.add(g);
  }
  const head = buildHead(ck, "fp32", "plain").graph;
  const rename = inline(head, "H/", "H/", { hidden }, out, true);
  const outputs: ValueInfo[] = head.outputs.map((o) => ({ ...o, name: o.name }));
  // Expose the head's outputs under their plain names.
  for (const o of head.outputs) out.nodes.push({ opType: "Identity", inputs: [rename(o.name)], outputs: [o.name], name: `out/${o.name}` });
  return {
    graph: { name: "albert_naive_unrolled", nodes: out.nodes, initializers: out.initializers, inputs, outputs },
    opsets: [{ domain: "", version: OPSET }],
    producerName: "albert-edge-bench",
    producerVersion: "1",
    docString: `naive baseline: ${c.num_hidden_layers} unrolled fp32 ALBERT layers in one graph`,
  };
}

export function naiveModelBytes(ck: Checkpoint): Uint8Array {
  return encodeModel(buildNaiveModel(ck));
}
