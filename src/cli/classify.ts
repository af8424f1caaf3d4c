/**
 * @module cli/classify
 * `albert-edge classify --model <shard-dir> [--max-length N] [--engine wasm|ort] [--aggregation S]`
 * JSONL in → JSONL out, one line per input, in order (see cli/model-command for the streaming
 * contract). Same runtime as the Worker: our WASM engine by default, onnxruntime-web with
 * `--engine ort` (the independent reference).
 * - Sequence classifiers: `{"text"}` or, for sentence-pair models, `{"text", "text_pair"}` →
 *   `{"label", "score", "logits"}`.
 * - Token classifiers (NER): `{"text"}` → `{"ids", "offsets", "token_logits", "entities"}`:
 *   `offsets` one `[start, end]` per position (UTF-16 code units, null for [CLS]/[SEP]),
 *   `token_logits` one row per position, `entities` aggregated with `--aggregation` (default simple).
 */
import { isEntityStrategy, type EntityStrategy } from "../heads/index.ts";
import { recognizeEntities } from "../model/entities.ts";
import type { ClassifyInput } from "../model/index.ts";
import { InputLineError, textField } from "./jsonl.ts";
import { runModelCommand } from "./model-command.ts";

const usage =
  "usage: albert-edge classify --model <shard-dir> [--max-length N] [--engine wasm|ort] [--aggregation none|simple|first|max] < in.jsonl > out.jsonl\n";

export async function run(argv: string[]): Promise<number> {
  let aggregation: EntityStrategy = "simple";
  return runModelCommand<ClassifyInput>(argv, {
    name: "classify",
    usage,
    options: { aggregation: { type: "string" } },
    configure(values) {
      const a = values.aggregation ?? "simple";
      if (!isEntityStrategy(a)) return "--aggregation must be one of none, simple, first, max";
      aggregation = a;
      return undefined;
    },
    refuse(model) {
      const task = model.manifest.task;
      if (task === "feature_extraction") return `model ${model.manifest.id} has no classifier head (task feature_extraction); use \`albert-edge embed\``;
      if (task === "question_answering") return `model ${model.manifest.id} is a question_answering model; use \`albert-edge qa\``;
      return undefined;
    },
    parse(value, line) {
      const text = textField(value, "text", line);
      if (value.text_pair === undefined) return text;
      if (typeof value.text_pair !== "string") throw new InputLineError(`stdin line ${line}: "text_pair" must be a string`);
      return { text, text_pair: value.text_pair };
    },
    async handle(model, inputs) {
      if (model.manifest.task === "token_classification") {
        const texts = inputs.map((input) => {
          if (typeof input !== "string") throw new InputLineError(`a token-classification model takes single texts, not "text_pair"`);
          return input;
        });
        const results = await recognizeEntities(model, texts, aggregation);
        return results.map((r) => ({ ids: r.ids, offsets: r.offsets, token_logits: r.tokenLogits, entities: r.entities }));
      }
      const results = await model.classify(inputs);
      return results.map((r) => ({ label: r.label, score: r.score, logits: r.logits }));
    },
  });
}
