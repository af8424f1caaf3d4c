/**
 * @module routes/classify
 * `POST /v1/classify`: `{"model"?, "input": string | string[]}` →
 * `{"model", "results": [{"label", "score", "scores", "tokens", "truncated"}]}`, one result per
 * input in request order. Text longer than the model's max length is truncated, not refused.
 */
import { Hono } from "hono";
import { setMetric } from "hono/timing";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { parseTextRequest } from "./text-input.ts";

export const classify = new Hono<AppEnv>().post("/v1/classify", jsonBody(), async (c) => {
  const request = parseTextRequest(await c.req.json(), c.var.config.maxBatch);
  const registry = c.var.registry;
  const id = registry.resolve(request.model);
  const loadStarted = performance.now();
  const model = await registry.model(id);
  setMetric(c, "load", performance.now() - loadStarted, "model load (0 when warm)");
  const output = await model.classify(request.inputs);
  setMetric(c, "tokenize", output.timings.tokenizeMs);
  setMetric(c, "model", output.timings.modelMs);
  c.header("x-model", `${id}@${model.manifest.version}`);
  return c.json({
    model: id,
    results: output.results.map(({ label, score, scores, tokens, truncated }) => ({ label, score, scores, tokens, truncated })),
  });
});
