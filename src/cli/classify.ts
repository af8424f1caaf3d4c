/**
 * @module cli/classify
 * `albert-edge classify --model <shard-dir> [--max-length N] [--engine wasm|ort] [--aggregation S] [--decoding D] [--full-depth | --patience N]`
 * JSONL in → JSONL out, one line per input, in order (see cli/model-command for the streaming
 * contract). Same runtime as the Worker: our WASM engine by default, onnxruntime-web with
 * `--engine ort` (the independent reference).
 * - Sequence classifiers: `{"text"}` or, for sentence-pair models, `{"text", "text_pair"}` →
 *   `{"label", "score", "logits", "layers"}` (`layers`: block passes that ran; models with early
 *   exit stop early unless `--full-depth`; `--patience N` replaces the manifest's patience, to
 *   measure what each setting costs).
 * - Token classifiers (NER): `{"text"}` → `{"ids", "offsets", "token_logits", "entities"}`:
 *   `offsets` one `[start, end]` per position (UTF-16 code units, null for [CLS]/[SEP]),
 *   `token_logits` one row per position, `entities` aggregated with `--aggregation` (default: the
 *   manifest's `aggregation`, else simple) and labels chosen by `--decoding` (default: the
 *   manifest's `decoding`, else argmax; `bio`: the most probable valid IOB2 sequence).
 */
import { ENTITY_DECODINGS, isEntityDecoding, isEntityStrategy, type EntityDecoding, type EntityStrategy } from "../heads/index.ts";
import { entitySettings, recognizeEntities } from "../model/entities.ts";
import type { ClassifyInput, ForwardOptions } from "../model/index.ts";
import { InputLineError, textField } from "./jsonl.ts";
import { runModelCommand } from "./model-command.ts";

const usage =
  "usage: albert-edge classify --model <shard-dir> [--max-length N] [--engine wasm|ort] [--aggregation none|simple|first|max] [--decoding argmax|bio] [--full-depth | --patience N] < in.jsonl > out.jsonl\n";

export async function run(argv: string[]): Promise<number> {
  let aggregation: EntityStrategy | undefined;
  let decoding: EntityDecoding | undefined;
  let depth: ForwardOptions = {};
  return runModelCommand<ClassifyInput>(argv, {
    name: "classify",
    usage,
    options: { aggregation: { type: "string" }, decoding: { type: "string" }, "full-depth": { type: "boolean" }, patience: { type: "string" } },
    configure(values) {
      const a = values.aggregation;
      if (a !== undefined && !isEntityStrategy(a)) return "--aggregation must be one of none, simple, first, max";
      aggregation = a;
      const d = values.decoding;
      if (d !== undefined && !isEntityDecoding(d)) return `--decoding must be one of ${ENTITY_DECODINGS.join(", ")}`;
      decoding = d;
      if (values["full-depth"] === true && values.patience !== undefined) return "--full-depth and --patience exclude each other";
      if (values.patience !== undefined) {
        const p = Number(values.patience);
        if (!Number.isInteger(p) || p < 1) return `--patience must be an integer >= 1 (got ${JSON.stringify(values.patience)})`;
        depth = { patience: p };
      }
      if (values["full-depth"] === true) depth = { fullDepth: true };
      return undefined;
    },
    refuse(model) {
      const task = model.manifest.task;
      if (task === "feature_extraction") return `model ${model.manifest.id} has no classifier head (task feature_extraction); use \`albert-edge embed\``;
      if (task === "question_answering") return `model ${model.manifest.id} is a question_answering model; use \`albert-edge qa\``;
      if (task === "token_classification" && Object.keys(depth).length > 0) return "--full-depth and --patience are for sequence classifiers (early exit)";
      if (task !== "token_classification" && (aggregation !== undefined || decoding !== undefined)) return "--aggregation and --decoding are for token classifiers (entities)";
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
        const settings = entitySettings(model.manifest, { aggregation, decoding });
        const results = await recognizeEntities(model, texts, settings.aggregation, settings.decoding);
        return results.map((r) => ({ ids: r.ids, offsets: r.offsets, token_logits: r.tokenLogits, entities: r.entities }));
      }
      const results = await model.classify(inputs, depth);
      return results.map((r) => ({ label: r.label, score: r.score, logits: r.logits, layers: r.layers }));
    },
  });
}
