/**
 * @module routes/models
 * `GET /v1/models`: the models this Worker serves, with task, labels, version and whether they are
 * loaded in this isolate. Reads manifests only; never loads a model. A model whose manifest cannot
 * be read is still listed, with `loaded: false` and its `error`; the list waits for every read to
 * settle (no fail-fast: a read left behind would belong to a finished request).
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { deferrer } from "./outcome.ts";

export const models = new Hono<AppEnv>().get("/v1/models", async (c) => {
  const registry = c.var.registry;
  const keepAlive = deferrer(c);
  const settled = await Promise.allSettled(registry.ids.map((id) => registry.describe(id, keepAlive)));
  const data = settled.map((outcome, i) => {
    if (outcome.status === "fulfilled") return outcome.value;
    const error = outcome.reason instanceof ApiError ? outcome.reason : new ApiError(503, "model_unavailable", "model could not be described");
    return { id: registry.ids[i]!, loaded: false, error: { code: error.code, message: error.message } };
  });
  return c.json({ object: "list", default: registry.defaultId, data });
});
