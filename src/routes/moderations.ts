/**
 * @module routes/moderations
 * `POST /v1/moderations`, OpenAI-compatible: `{"input": string | string[] | [{type: "text", text}],
 * "model"?}` → `{"id", "model", "results": [{"flagged", "categories", "category_scores",
 * "category_applied_input_types"}]}`. Categories are the moderation model's labels plus the OpenAI
 * names they map to (`MODERATION_CATEGORIES`); flags come from the per-category thresholds.
 * OpenAI's model names (`MODERATION_ALIASES`) stand for `MODERATION_MODEL`.
 */
import { Hono } from "hono";
import { cachePolicy } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { moderateTexts } from "../services/moderate.ts";
import { withOpenAICategories } from "../services/openai-categories.ts";
import { parseModerationRequest } from "./moderation-input.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";

export const moderations = new Hono<AppEnv>().post("/v1/moderations", jsonBody(), async (c) => {
  const request = parseModerationRequest(await c.req.json(), c.var.config.maxBatch);
  const { model, thresholds, aliases, categories } = c.var.config.moderation;
  const named = request.model === undefined || aliases.includes(request.model) ? model : request.model;
  let id: string;
  try {
    id = c.var.registry.resolve(named);
  } catch (error) {
    throw error instanceof ApiError ? new ApiError(error.status, error.code, error.message, error.headers, "model") : error;
  }
  const outcome = await moderateTexts(classifyDeps(c), id, request.inputs, thresholds, cachePolicy(c.req.header("cache-control")));
  reportTimings(c, outcome);
  const results = outcome.results.map((result) => withOpenAICategories(result, categories));
  return c.json({ id: `modr-${crypto.randomUUID()}`, model: outcome.model, results });
});
