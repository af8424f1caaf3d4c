/**
 * @module routes/moderations
 * `POST /v1/moderations`, OpenAI-compatible: `{"input": string | string[] | [{type: "text", text}],
 * "model"?}` → `{"id", "model", "results": [{"flagged", "categories", "category_scores",
 * "category_applied_input_types"}]}`. Categories are the moderation model's labels plus the OpenAI
 * names they map to (`MODERATION_CATEGORIES`); flags come from the per-category thresholds.
 * OpenAI's model names (`MODERATION_ALIASES`) stand for `MODERATION_MODEL`. Errors are OpenAI's
 * error object (`middleware/openai-errors.ts`).
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { cachePolicy } from "../cache/result-cache.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { moderateTexts } from "../services/moderate.ts";
import { withOpenAICategories } from "../services/openai-categories.ts";
import { moderationInputs, ModerationRequestSchema } from "./moderation-input.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, named } from "./schema-doc.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";

const ModerationResult = named(
  v.object({
    flagged: v.boolean(),
    categories: described(v.record(v.string(), v.boolean()), "the model's labels and the OpenAI names they map to: flagged or not"),
    category_scores: v.record(v.string(), v.number()),
    category_applied_input_types: v.record(v.string(), v.array(v.literal("text"))),
  }),
  "ModerationResult",
);

const ModerationAnswer = named(
  v.object({ id: v.pipe(v.string(), v.metadata({ example: "modr-0b9c…" })), model: v.string(), results: v.array(ModerationResult) }),
  "ModerationAnswer",
);

const describeModerations = describeRoute({
  operationId: "createModeration",
  summary: "Moderate texts (OpenAI-compatible)",
  responses: {
    200: jsonAnswer(ModerationAnswer, "one result per string input, or one for all the text parts"),
    ...errorResponses("openai", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "unsupported_input", "unsupported_model", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const moderations = routeGroup().post("/v1/moderations", describeModerations, jsonBody(), jsonRequest(ModerationRequestSchema), async (c) => {
  const body = c.req.valid("json");
  const inputs = moderationInputs(body.input, c.var.config.maxBatch);
  const { model, thresholds, aliases, categories } = c.var.config.moderation;
  const named = body.model === undefined || aliases.includes(body.model) ? model : body.model;
  let id: string;
  try {
    id = c.var.registry.resolve(named);
  } catch (error) {
    throw error instanceof ApiError ? new ApiError(error.status, error.code, error.message, error.headers, "model") : error;
  }
  const outcome = await moderateTexts(classifyDeps(c), id, inputs, thresholds, cachePolicy(c.req.header("cache-control")));
  reportTimings(c, outcome);
  const results = outcome.results.map((result) => withOpenAICategories(result, categories));
  return c.json({ id: `modr-${crypto.randomUUID()}`, model: outcome.model, results }, 200);
});
