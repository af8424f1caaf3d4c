/**
 * @module routes/qa
 * `POST /v1/qa`: `{"model"?, "question", "context", "top_k"?, "max_answer_tokens"?}`, or an array
 * of `{"question", "context"}` as `"input"` → `{"model", "results": [{"answer", "score", "start",
 * "end", "answers"?, "tokens", "windows"}]}`. The answer is a span of the context (`start`/`end`
 * in UTF-16 code units); `score` is Hugging Face's (start × end probability within its window).
 * A context longer than the model's window is cut into overlapping windows (`[CLS] question [SEP]
 * context-slice [SEP]`, 128 context tokens shared by consecutive windows, or half a window's room
 * when that is less) and the best span over all windows wins. With `top_k` > 1, `answers` lists
 * the best `top_k`, best first. Only question-answering models; others get 400 `unsupported_model`.
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { cachePolicy } from "../cache/result-cache.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { answerWithCache } from "../services/qa.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";
import { classifyDeps, reportCached } from "./outcome.ts";
import { resolveForTask } from "./task-model.ts";
import { checkBatch, CacheSourceSchema, ModelFieldSchema, TextSchema } from "./text-input.ts";
import { jsonObject } from "./validation.ts";

const QuestionSchema = named(jsonObject({ question: TextSchema, context: TextSchema }, 'must be an object like {"question", "context"}'), "Question");

/** An optional integer from `min` to `max`, every failure saying so. */
function intIn(min: number, max: number, description: string) {
  const message = `must be an integer from ${min} to ${max}`;
  return v.optional(described(v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message)), description));
}

const QaRequest = named(
  v.pipe(
    jsonObject(
      {
        model: ModelFieldSchema,
        question: v.optional(TextSchema),
        context: v.optional(TextSchema),
        input: v.optional(
          described(v.pipe(v.array(QuestionSchema), v.minLength(1, "must not be an empty array")), 'several questions at once (instead of "question" and "context"), answered in order'),
        ),
        top_k: intIn(1, 20, "answers per question, best first (default 1)"),
        max_answer_tokens: intIn(1, 512, "longest answer in tokens (default 30)"),
      },
      'request body must be a JSON object like {"question": "…", "context": "…"}',
    ),
    v.check(
      (b) => (b.input === undefined ? b.question !== undefined && b.context !== undefined : b.question === undefined && b.context === undefined),
      'give "question" and "context", or "input": [{"question", "context"}, …], not both',
    ),
  ),
  "QaRequest",
);

const answerEntries = {
  answer: described(v.string(), "context.slice(start, end)"),
  score: described(v.number(), "start probability × end probability, within the window it came from"),
  start: described(Int, "offset of the answer in the context (UTF-16 code units)"),
  end: Int,
};

const AnswerSchema = named(v.object(answerEntries), "Answer");

const QaResult = named(
  v.object({
    ...answerEntries,
    answers: v.optional(described(v.array(AnswerSchema), "the best top_k answers, best first (top_k > 1 only)")),
    tokens: described(Int, "tokens run over all windows"),
    windows: described(Int, "windows the context was cut into"),
    cache: v.optional(CacheSourceSchema),
  }),
  "QaResult",
);

const QaAnswer = named(v.object({ model: v.string(), results: v.array(QaResult) }), "QaAnswer");

const describeQa = describeRoute({
  operationId: "answerQuestions",
  summary: "Extractive question answering",
  responses: {
    200: jsonAnswer(QaAnswer, "one result per question, in request order"),
    ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "unsupported_model", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const qa = routeGroup().post("/v1/qa", describeQa, jsonBody(), jsonRequest(QaRequest), async (c) => {
  const body = c.req.valid("json");
  const batch = body.input !== undefined;
  const inputs = body.input ?? [{ question: body.question!, context: body.context! }];
  checkBatch(inputs.length, c.var.config.maxBatch);
  const deps = classifyDeps(c);
  const id = await resolveForTask(c, deps, body.model, ["question_answering"]);
  const topK = body.top_k ?? 1;
  const outcome = await answerWithCache(deps, id, inputs, { topK, ...(body.max_answer_tokens === undefined ? {} : { maxAnswerTokens: body.max_answer_tokens }) }, cachePolicy(c.req.header("cache-control")));
  reportCached(c, outcome);
  return c.json(
    {
      model: outcome.manifest.id,
      results: outcome.items.map(({ result, cache }) => ({
        ...result.answers[0]!,
        ...(topK > 1 ? { answers: result.answers } : {}),
        tokens: result.tokens,
        windows: result.windows,
        ...(batch ? { cache } : {}),
      })),
    },
    200,
  );
});
