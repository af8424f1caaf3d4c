/**
 * @module routes/moderations
 * `POST /v1/moderations`, OpenAI-compatible: `{"input": string | string[], "model"?}` →
 * `{"id", "model", "results": [{"flagged", "categories", "category_scores"}]}`, categories from
 * the moderation model's labels, flags from the configured per-category thresholds.
 */
import { Hono } from "hono";
import { cachePolicy } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { moderateTexts } from "../services/moderate.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";
import { parseTextRequest } from "./text-input.ts";

export const moderations = new Hono<AppEnv>().post("/v1/moderations", jsonBody(), async (c) => {
  const request = parseTextRequest(await c.req.json(), c.var.config.maxBatch);
  const { model, thresholds } = c.var.config.moderation;
  const id = c.var.registry.resolve(request.model ?? model);
  const outcome = await moderateTexts(classifyDeps(c), id, request.inputs, thresholds, cachePolicy(c.req.header("cache-control")));
  reportTimings(c, outcome);
  return c.json({ id: `modr-${crypto.randomUUID()}`, model: outcome.model, results: outcome.results });
});
