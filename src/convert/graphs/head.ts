/**
 * @module convert/graphs/head
 * The head shard: pooler (dense + tanh on the [CLS] position), then the classifier when the
 * checkpoint has one.
 * I/O: hidden float32 [B,S,H] → pooled float32 [B,H] (+ logits float32 [B,num_labels]).
 */
import type { Checkpoint } from "../checkpoint.ts";
import { GraphBuilder, type LinearScheme } from "../onnx/graph-builder.ts";
import { DataType, type ModelSpec } from "../onnx/model-proto.ts";
import type { GraphForm } from "./block.ts";

export function buildHead(ck: Checkpoint, scheme: LinearScheme, form: GraphForm = "plain"): ModelSpec {
  const H = ck.config.hidden_size;
  const w = ck.weights;
  const g = new GraphBuilder("albert_head", scheme, { contrib: form === "fused" });
  const hidden = g.input("hidden", DataType.FLOAT, ["batch", "sequence", H]);
  const cls = g.node("Gather", [hidden, g.int64s("cls_index", [], [0])], { axis: { int: 1 } }); // [B,H]
  const dense = g.linear("pooler", cls, w.get("pooler.weight", [H, H]), w.get("pooler.bias", [H]), H, H);
  const pooled = g.node("Tanh", [dense], {}, "pooled");
  g.output(pooled, "pooled", DataType.FLOAT, ["batch", H]);
  if (ck.task !== "feature_extraction") {
    const L = ck.labels.length;
    const logits = g.linear("classifier", pooled, w.get("classifier.weight", [L, H], false), w.get("classifier.bias", [L], false), L, H);
    g.output(logits, "logits", DataType.FLOAT, ["batch", L]);
  }
  return g.build(`albert-edge: ALBERT pooler${ck.task === "feature_extraction" ? "" : " + classifier"}`);
}
