/**
 * @module convert/graphs/head
 * The head shard, one graph per task (see the shard contract in model/manifest.ts):
 * - sequence classification: pooler (dense + tanh on [CLS]) → pooled [B,H], classifier → logits [B,L]
 * - token_classification: `classifier` on every position → token_logits [B,S,L]
 * - question_answering: `qa_outputs` on every position → token_logits [B,S,2] (start, end)
 * - feature_extraction: mean over all positions → mean [B,H], plus pooled [B,H] with a pooler
 * Linears follow the weight scheme (int8 per output channel unless fp32), like every other shard.
 */
import type { Checkpoint } from "../checkpoint.ts";
import { GraphBuilder, type LinearScheme } from "../onnx/graph-builder.ts";
import { DataType, type ModelSpec } from "../onnx/model-proto.ts";
import type { GraphForm } from "./block.ts";

/** tanh(pooler(hidden[:, 0])) → output `pooled` [B,H]. */
function pooler(g: GraphBuilder, ck: Checkpoint, hidden: string): string {
  const H = ck.config.hidden_size;
  const w = ck.weights;
  const cls = g.node("Gather", [hidden, g.int64s("cls_index", [], [0])], { axis: { int: 1 } }); // [B,H]
  const dense = g.linear("pooler", cls, w.get("pooler.weight", [H, H]), w.get("pooler.bias", [H]), H, H);
  const pooled = g.node("Tanh", [dense], {}, "pooled");
  g.output(pooled, "pooled", DataType.FLOAT, ["batch", H]);
  return pooled;
}

export function buildHead(ck: Checkpoint, scheme: LinearScheme, form: GraphForm = "plain"): ModelSpec {
  const H = ck.config.hidden_size;
  const w = ck.weights;
  const g = new GraphBuilder("albert_head", scheme, { contrib: form === "fused" });
  const hidden = g.input("hidden", DataType.FLOAT, ["batch", "sequence", H]);
  switch (ck.task) {
    case "token_classification": {
      const L = ck.labels.length;
      const logits = g.linear("classifier", hidden, w.get("classifier.weight", [L, H], false), w.get("classifier.bias", [L], false), L, H);
      g.output(logits, "token_logits", DataType.FLOAT, ["batch", "sequence", L]);
      return g.build("albert-edge: ALBERT token classifier");
    }
    case "question_answering": {
      const logits = g.linear("qa_outputs", hidden, w.get("qa_outputs.weight", [2, H], false), w.get("qa_outputs.bias", [2], false), 2, H);
      g.output(logits, "token_logits", DataType.FLOAT, ["batch", "sequence", 2]);
      return g.build("albert-edge: ALBERT question answering (start, end logits)");
    }
    case "feature_extraction": {
      const mean = g.node("ReduceMean", [hidden], { axes: { ints: [1] }, keepdims: { int: 0 } }, "mean");
      g.output(mean, "mean", DataType.FLOAT, ["batch", H]);
      if (ck.hasPooler) pooler(g, ck, hidden);
      return g.build(`albert-edge: ALBERT mean pooling${ck.hasPooler ? " + pooler" : ""}`);
    }
    default: {
      const pooled = pooler(g, ck, hidden);
      const L = ck.labels.length;
      const logits = g.linear("classifier", pooled, w.get("classifier.weight", [L, H], false), w.get("classifier.bias", [L], false), L, H);
      g.output(logits, "logits", DataType.FLOAT, ["batch", L]);
      return g.build("albert-edge: ALBERT pooler + classifier");
    }
  }
}
