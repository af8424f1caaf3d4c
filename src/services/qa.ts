/**
 * @module services/qa
 * Extractive QA through the result cache (keyed on the exact question and context: answers carry
 * offsets into the context, and on top_k / max_answer_tokens). Only question-answering models;
 * others get 400 `unsupported_model`. The work budget counts every window's tokens.
 */
import type { CachePolicy } from "../cache/result-cache.ts";
import type { Answer } from "../heads/index.ts";
import { answerPrepared, prepareQuestion, type AnswerOptions, type QuestionInput } from "../model/answer.ts";
import { isObject, isProbability, runCached, wrongModel, type CachedOutcome, type RunDeps } from "./cached-run.ts";

export interface QaItem {
  answers: Answer[];
  /** Tokens run over all windows. */
  tokens: number;
  windows: number;
}

function isAnswer(value: unknown): value is Answer {
  if (!isObject(value)) return false;
  const { answer, score, start, end } = value;
  return typeof answer === "string" && isProbability(score) && Number.isInteger(start) && Number.isInteger(end);
}

function isQaItem(value: unknown): value is QaItem {
  if (!isObject(value)) return false;
  const { answers, tokens, windows } = value;
  return Array.isArray(answers) && answers.length > 0 && answers.every(isAnswer) && Number.isInteger(tokens) && Number.isInteger(windows);
}

export async function answerWithCache(deps: RunDeps, id: string, inputs: readonly QuestionInput[], options: AnswerOptions, policy: CachePolicy): Promise<CachedOutcome<QaItem>> {
  const manifest = await deps.registry.manifest(id, deps.defer);
  if (manifest.task !== "question_answering") throw wrongModel(manifest, "/v1/qa needs a question_answering model (AlbertForQuestionAnswering)");
  return runCached(
    deps,
    id,
    inputs,
    policy,
    {
      name: "qa",
      exact: true,
      options: { top_k: options.topK ?? 1, max_answer_tokens: options.maxAnswerTokens ?? 0 },
      keyText: (input) => JSON.stringify([input.question, input.context]),
      accept: (value): value is QaItem => isQaItem(value),
      tokensOf: (result) => result.tokens,
      prepare: (model, input) => prepareQuestion(model, input, options),
      cost: (prepared) => prepared.tokens,
      async compute(model, prepared) {
        const output = await answerPrepared(model, prepared, options);
        return { results: output.results.map(({ answers, tokens, windows }) => ({ answers, tokens, windows: windows.length })), timings: output.timings };
      },
    },
    manifest,
  );
}
