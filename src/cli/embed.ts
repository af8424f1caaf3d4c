/**
 * @module cli/embed
 * `albert-edge embed --model <shard-dir> [--max-length N] [--engine wasm|ort] [--pooling mean|cls]`
 * JSONL `{"text"}` → JSONL `{"embedding"}`: a feature_extraction model's vector with its manifest's
 * pooling (or `--pooling`: `mean` of the last hidden states, `cls` the pooled [CLS]), or a sequence
 * classifier's pooled [CLS]. Same code as `POST /v1/embeddings`.
 */
import type { Pooling } from "../model/index.ts";
import { textField } from "./jsonl.ts";
import { runModelCommand } from "./model-command.ts";

const usage = "usage: albert-edge embed --model <shard-dir> [--max-length N] [--engine wasm|ort] [--pooling mean|cls] < in.jsonl > out.jsonl\n";

export async function run(argv: string[]): Promise<number> {
  let pooling: Pooling | undefined;
  return runModelCommand<string>(argv, {
    name: "embed",
    usage,
    options: { pooling: { type: "string" } },
    configure(values) {
      if (values.pooling === undefined) return undefined;
      if (values.pooling !== "mean" && values.pooling !== "cls") return "--pooling must be mean or cls";
      pooling = values.pooling;
      return undefined;
    },
    refuse(model) {
      const task = model.manifest.task;
      return task === "token_classification" || task === "question_answering" ? `model ${model.manifest.id} is a ${task} model; embed needs a feature_extraction model or a sequence classifier` : undefined;
    },
    parse: (value, line) => textField(value, "text", line),
    async handle(model, texts) {
      const results = await model.embed(texts, pooling === undefined ? {} : { pooling });
      return results.map((r) => ({ embedding: r.embedding }));
    },
  });
}
