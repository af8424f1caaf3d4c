/**
 * @module routes/classify
 * `POST /v1/classify`: `{"model"?, "input": string | string[], "full_depth"?: boolean}` →
 * `{"model", "results": [{"label", "score", "scores", "tokens", "truncated", "layers"}]}`, one
 * result per input in request order (array input: each result also says `cache`). Text longer
 * than the model's max length is truncated, not refused. `layers` is how many layers ran (fewer
 * than the model's depth when a model with early exit was confident; `full_depth` forces all).
 * `x-cache` says hit-memory | hit-kv | miss.
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { cachePolicy } from "../cache/result-cache.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { classifyTexts } from "../services/classify.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";
import { CacheSourceSchema, checkBatch, ModelFieldSchema, TextSchema } from "./text-input.ts";
import { jsonObject } from "./validation.ts";

const PAIR = 'must be a string or a sentence pair {"text", "text_pair"}';

/** A sentence pair for pair classifiers: `[CLS] text [SEP] text_pair [SEP]`, token types 0 / 1. */
const PairSchema = named(
  jsonObject({ text: TextSchema, text_pair: TextSchema }, PAIR),
  "TextPair",
  "a sentence pair, for models fine-tuned on pairs (NLI, paraphrase); the longer text is cut first when the pair is too long",
);

const ClassifyInputSchema = v.union([TextSchema, PairSchema], PAIR);

const ClassifyRequest = named(
  jsonObject(
    {
      model: ModelFieldSchema,
      input: described(
        v.union([ClassifyInputSchema, v.pipe(v.array(ClassifyInputSchema), v.minLength(1, "must not be an empty array"))], (issue) =>
          issue.input === undefined ? "is missing: give a string, a sentence pair or an array of them" : "must be a string, a sentence pair or an array of them",
        ),
        'one text or sentence pair {"text", "text_pair"}, or an array of at most MAX_BATCH (default 32) answered in order',
      ),
      full_depth: v.optional(described(v.boolean("must be true or false when given"), "run every layer even when the model could exit early (default false)")),
    },
    'request body must be a JSON object like {"input": "text"}',
  ),
  "ClassifyRequest",
);

const ClassifyResult = named(
  v.object({
    label: described(v.string(), "the most likely label"),
    score: described(v.number(), "its probability"),
    scores: described(v.record(v.string(), v.number()), "probability of every label"),
    tokens: described(Int, "tokens the model read ([CLS] and [SEP] included, after truncation)"),
    truncated: v.boolean(),
    layers: described(Int, "layers that ran (fewer than the model's depth after an early exit)"),
    cache: v.optional(CacheSourceSchema),
  }),
  "ClassifyResult",
);

const ClassifyAnswer = named(v.object({ model: v.string(), results: v.array(ClassifyResult) }), "ClassifyAnswer");

export const classify = routeGroup().post(
  "/v1/classify",
  describeRoute({
    operationId: "classify",
    summary: "Classify texts",
    responses: {
      200: jsonAnswer(ClassifyAnswer, "one result per input, in request order"),
      ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
    },
    security: V1_SECURITY,
  }),
  jsonBody(),
  jsonRequest(ClassifyRequest),
  async (c) => {
    const body = c.req.valid("json");
    const batch = Array.isArray(body.input);
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    checkBatch(inputs.length, c.var.config.maxBatch);
    const request = { inputs, batch };
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
  },
);
