/**
 * @module routes/classify
 * `POST /v1/classify`: `{"model"?, "input": string | string[], "full_depth"?: boolean}` →
 * `{"model", "results": [{"label", "score", "scores", "tokens", "truncated", "layers"}]}`, one
 * result per input in request order (array input: each result also says `cache`). Text longer
 * than the model's max length is truncated, not refused. `layers` is how many layers ran (fewer
 * than the model's depth when a model with early exit was confident; `full_depth` forces all).
 * `x-cache` says hit-memory | hit-kv | miss.
 */
import { createRoute, z } from "@hono/zod-openapi";
import { cachePolicy } from "../cache/result-cache.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { classifyTexts } from "../services/classify.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";
import { TextRequestSchema, textInputs } from "./text-input.ts";

const ClassifyRequest = TextRequestSchema.extend({
  full_depth: z
    .boolean({ error: "must be true or false when given" })
    .optional()
    .openapi({ description: "run every layer even when the model could exit early (default false)" }),
}).openapi("ClassifyRequest");

const CacheSourceSchema = z.enum(["hit-memory", "hit-kv", "miss"]).openapi("CacheSource");

const ClassifyResult = z
  .object({
    label: z.string().openapi({ description: "the most likely label" }),
    score: z.number().openapi({ description: "its probability" }),
    scores: z.record(z.string(), z.number()).openapi({ description: "probability of every label" }),
    tokens: z.int().openapi({ description: "tokens the model read ([CLS] and [SEP] included, after truncation)" }),
    truncated: z.boolean(),
    layers: z.int().openapi({ description: "layers that ran (fewer than the model's depth after an early exit)" }),
    cache: CacheSourceSchema.optional().openapi({ description: "where this result came from (array input only)" }),
  })
  .openapi("ClassifyResult");

const ClassifyAnswer = z.object({ model: z.string(), results: z.array(ClassifyResult) }).openapi("ClassifyAnswer");

const route = createRoute({
  method: "post",
  path: "/v1/classify",
  operationId: "classify",
  summary: "Classify texts",
  middleware: [jsonBody()],
  request: jsonRequest(ClassifyRequest),
  responses: {
    200: jsonAnswer(ClassifyAnswer, "one result per input, in request order"),
    ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const classify = routeGroup().openapi(route, async (c) => {
  const body = c.req.valid("json");
  const request = textInputs(body.input, c.var.config.maxBatch);
  const id = c.var.registry.resolve(body.model);
  const outcome = await classifyTexts(classifyDeps(c), id, request.inputs, cachePolicy(c.req.header("cache-control")), { fullDepth: body.full_depth === true });
  reportTimings(c, { ...outcome, caches: outcome.items.map((item) => item.cache) });
  return c.json(
    {
      model: outcome.model,
      results: outcome.items.map(({ result, cache }) => (request.batch ? { ...result, cache } : result)),
    },
    200,
  );
});
