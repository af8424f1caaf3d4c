/**
 * @module routes/models
 * `GET /v1/models`: the models this Worker serves, with task, labels, version and whether they are
 * loaded in this isolate. Reads manifests only; never loads a model.
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";

export const models = new Hono<AppEnv>().get("/v1/models", async (c) => {
  const registry = c.var.registry;
  const data = await Promise.all(registry.ids.map((id) => registry.describe(id)));
  return c.json({ object: "list", default: registry.defaultId, data });
});
