/**
 * @module cli/qa
 * `albert-edge qa --model <shard-dir> [--engine wasm|ort] [--top-k K] [--max-answer-tokens N] [--stride S]`
 * JSONL `{"question", "context"}` → JSONL `{"answer", "score", "start", "end", "ids",
 * "start_logits", "end_logits"}`: the best answer over all windows of the context (start/end in
 * UTF-16 code units of the context; with `--top-k` > 1 also `answers`, best first), and the ids
 * and logits of the first window, one per position. Same code as `POST /v1/qa`.
 */
import { answerQuestions, type AnswerOptions, type QuestionInput } from "../model/answer.ts";
import { textField } from "./jsonl.ts";
import { runModelCommand } from "./model-command.ts";

const usage = "usage: albert-edge qa --model <shard-dir> [--engine wasm|ort] [--top-k K] [--max-answer-tokens N] [--stride S] < in.jsonl > out.jsonl\n";

function positiveInt(value: string | boolean | undefined, name: string, min: number): number | string | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= min ? n : `--${name} must be an integer >= ${min}`;
}

export async function run(argv: string[]): Promise<number> {
  const options: AnswerOptions = {};
  return runModelCommand<QuestionInput>(argv, {
    name: "qa",
    usage,
    options: { "top-k": { type: "string" }, "max-answer-tokens": { type: "string" }, stride: { type: "string" } },
    configure(values) {
      const checks: [keyof AnswerOptions, string, number][] = [["topK", "top-k", 1], ["maxAnswerTokens", "max-answer-tokens", 1], ["stride", "stride", 0]];
      for (const [key, name, min] of checks) {
        const v = positiveInt(values[name], name, min);
        if (typeof v === "string") return v;
        if (v !== undefined) options[key] = v;
      }
      return undefined;
    },
    refuse: (model) => (model.manifest.task === "question_answering" ? undefined : `model ${model.manifest.id} is a ${model.manifest.task} model; qa needs a question_answering model`),
    parse: (value, line) => ({ question: textField(value, "question", line), context: textField(value, "context", line) }),
    async handle(model, inputs) {
      const results = await answerQuestions(model, inputs, options);
      return results.map((r) => {
        const best = r.answers[0]!;
        const first = r.windows[0]!;
        return {
          answer: best.answer,
          score: best.score,
          start: best.start,
          end: best.end,
          ...((options.topK ?? 1) > 1 ? { answers: r.answers } : {}),
          ids: first.ids,
          start_logits: first.startLogits,
          end_logits: first.endLogits,
        };
      });
    },
  });
}
