/**
 * @module routes/classify
 * `POST /v1/classify`: `{"model"?, "input": string | string[]}` →
 * `{"model", "results": [{"label", "score", "scores", "tokens", "truncated"}]}`, one result per
 * input in request order (array input: each result also says `cache`). Text longer than the
 * model's max length is truncated, not refused. `x-cache` says hit-memory | hit-kv | miss.
 */
import { Hono } from "hono";
import { cachePolicy } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { classifyTexts } from "../services/classify.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";
import { parseTextRequest } from "./text-input.ts";

export const classify = new Hono<AppEnv>().post("/v1/classify", jsonBody(), async (c) => {
  const request = parseTextRequest(await c.req.json(), c.var.config.maxBatch);
  const id = c.var.registry.resolve(request.model);
  const outcome = await classifyTexts(classifyDeps(c), id, request.inputs, cachePolicy(c.req.header("cache-control")));
  reportTimings(c, { ...outcome, caches: outcome.items.map((item) => item.cache) });
  return c.json({
    model: outcome.model,
    results: outcome.items.map(({ result, cache }) => (request.batch ? { ...result, cache } : result)),
  });
});
