/**
 * @module routes/classify
 * `POST /v1/classify`: `{"model"?, "input": string | string[], "full_depth"?: boolean}` →
 * `{"model", "results": [{"label", "score", "scores", "tokens", "truncated", "layers"}]}`, one
 * result per input in request order (array input: each result also says `cache`). Text longer
 * than the model's max length is truncated, not refused. `layers` is how many layers ran (fewer
 * than the model's depth when a model with early exit was confident; `full_depth` forces all).
 * `x-cache` says hit-memory | hit-kv | miss.
 */
import { Hono } from "hono";
import { cachePolicy } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { ApiError } from "../errors.ts";
import { classifyTexts } from "../services/classify.ts";
import { classifyDeps, reportTimings } from "./outcome.ts";
import { parseTextRequest } from "./text-input.ts";

export const classify = new Hono<AppEnv>().post("/v1/classify", jsonBody(), async (c) => {
  const body: unknown = await c.req.json();
  const request = parseTextRequest(body, c.var.config.maxBatch);
  const fullDepth = (body as Record<string, unknown>).full_depth;
  if (fullDepth !== undefined && typeof fullDepth !== "boolean") throw new ApiError(400, "invalid_request", '"full_depth" must be true or false when given');
  const id = c.var.registry.resolve(request.model);
  const outcome = await classifyTexts(classifyDeps(c), id, request.inputs, cachePolicy(c.req.header("cache-control")), { fullDepth: fullDepth === true });
  reportTimings(c, { ...outcome, caches: outcome.items.map((item) => item.cache) });
  return c.json({
    model: outcome.model,
    results: outcome.items.map(({ result, cache }) => (request.batch ? { ...result, cache } : result)),
  });
});
