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
import { createRoute, z } from "@hono/zod-openapi";
import { cachePolicy } from "../cache/result-cache.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { answerWithCache } from "../services/qa.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { classifyDeps, reportCached } from "./outcome.ts";
import { resolveForTask } from "./task-model.ts";
import { checkBatch, CacheSourceSchema, ModelFieldSchema, TextSchema } from "./text-input.ts";

const QuestionSchema = z.object({ question: TextSchema, context: TextSchema }, { error: 'must be an object like {"question", "context"}' }).openapi("Question");

const QaRequest = z
  .object(
    {
      model: ModelFieldSchema,
      question: TextSchema.optional(),
      context: TextSchema.optional(),
      input: z.array(QuestionSchema).min(1, { error: "must not be an empty array" }).optional().openapi({ description: 'several questions at once (instead of "question" and "context"), answered in order' }),
      top_k: z.int({ error: "must be an integer from 1 to 20" }).min(1, { error: "must be an integer from 1 to 20" }).max(20, { error: "must be an integer from 1 to 20" }).optional().openapi({ description: "answers per question, best first (default 1)" }),
      max_answer_tokens: z.int({ error: "must be an integer from 1 to 512" }).min(1, { error: "must be an integer from 1 to 512" }).max(512, { error: "must be an integer from 1 to 512" }).optional().openapi({ description: "longest answer in tokens (default 30)" }),
    },
    { error: 'request body must be a JSON object like {"question": "…", "context": "…"}' },
  )
  .refine((b) => (b.input === undefined ? b.question !== undefined && b.context !== undefined : b.question === undefined && b.context === undefined), {
    message: 'give "question" and "context", or "input": [{"question", "context"}, …], not both',
  })
  .openapi("QaRequest");

const AnswerSchema = z
  .object({
    answer: z.string().openapi({ description: "context.slice(start, end)" }),
    score: z.number().openapi({ description: "start probability × end probability, within the window it came from" }),
    start: z.int().openapi({ description: "offset of the answer in the context (UTF-16 code units)" }),
    end: z.int(),
  })
  .openapi("Answer");

const QaResult = AnswerSchema.extend({
  answers: z.array(AnswerSchema).optional().openapi({ description: "the best top_k answers, best first (top_k > 1 only)" }),
  tokens: z.int().openapi({ description: "tokens run over all windows" }),
  windows: z.int().openapi({ description: "windows the context was cut into" }),
  cache: CacheSourceSchema.optional(),
}).openapi("QaResult");

const QaAnswer = z.object({ model: z.string(), results: z.array(QaResult) }).openapi("QaAnswer");

const route = createRoute({
  method: "post",
  path: "/v1/qa",
  operationId: "answerQuestions",
  summary: "Extractive question answering",
  middleware: [jsonBody()],
  request: jsonRequest(QaRequest),
  responses: {
    200: jsonAnswer(QaAnswer, "one result per question, in request order"),
    ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "unsupported_model", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const qa = routeGroup().openapi(route, async (c) => {
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
