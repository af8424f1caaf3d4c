/**
 * @module convert/graphs/embeddings
 * The embeddings shard: word (V×E, int8 rows + per-row scales when quantized) + position
 * (ids 0..S-1 computed in-graph) + token type, LayerNorm over E, then the factorized
 * projection `encoder.embedding_hidden_mapping_in` E→H.
 * I/O: input_ids int64 [B,S], token_type_ids int64 [B,S] → hidden float32 [B,S,H].
 */
import type { Checkpoint } from "../checkpoint.ts";
import { GraphBuilder, type LinearScheme } from "../onnx/graph-builder.ts";
import { DataType, type ModelSpec } from "../onnx/model-proto.ts";
import type { GraphForm } from "./block.ts";

export function buildEmbeddings(ck: Checkpoint, scheme: LinearScheme, form: GraphForm = "plain"): ModelSpec {
  const { vocab_size: V, embedding_size: E, hidden_size: H, max_position_embeddings: P, type_vocab_size: T } = ck.config;
  const w = ck.weights;
  const quantize = scheme !== "fp32";
  const g = new GraphBuilder("albert_embeddings", scheme, { contrib: form === "fused" });
  const ids = g.input("input_ids", DataType.INT64, ["batch", "sequence"]);
  const types = g.input("token_type_ids", DataType.INT64, ["batch", "sequence"]);

  const word = g.embedding("embeddings.word_embeddings", ids, w.get("embeddings.word_embeddings.weight", [V, E]), V, E, quantize);

  const shape = g.node("Shape", [ids]);
  const seq = g.node("Gather", [shape, g.int64s("one", [], [1])], { axis: { int: 0 } });
  const positions = g.node("Range", [g.int64s("zero", [], [0]), seq, g.int64s("step", [], [1])]);
  const pos = g.embedding("embeddings.position_embeddings", positions, w.get("embeddings.position_embeddings.weight", [P, E]), P, E, quantize);

  const typeTable = g.floats("embeddings.token_type_embeddings.weight", [T, E], w.get("embeddings.token_type_embeddings.weight", [T, E]));
  const type = g.node("Gather", [typeTable, types], { axis: { int: 0 } });

  const sum = g.node("Add", [g.node("Add", [word, pos]), type]);
  const norm = g.layerNorm("embeddings.LayerNorm", sum, w.get("embeddings.LayerNorm.weight", [E]), w.get("embeddings.LayerNorm.bias", [E]), ck.config.layer_norm_eps);
  const hidden = g.linear(
    "encoder.embedding_hidden_mapping_in",
    norm,
    w.get("encoder.embedding_hidden_mapping_in.weight", [H, E]),
    w.get("encoder.embedding_hidden_mapping_in.bias", [H]),
    H,
    E,
  );
  g.output(hidden, "hidden", DataType.FLOAT, ["batch", "sequence", H]);
  return g.build("albert-edge: ALBERT embeddings (factorized) + E→H projection");
}
