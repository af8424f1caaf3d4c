/**
 * @module routes/models
 * `GET /v1/models`: the models this Worker serves, in OpenAI's list shape (`object: "model"`,
 * `created`, `owned_by`) plus task, labels, version and whether they are loaded in this isolate;
 * the moderation model also lists the OpenAI names it answers to (`aliases`). `created` is 0: the
 * shards carry no creation time. Reads manifests only; never loads a model. A model whose manifest
 * cannot be read is still listed, with `loaded: false` and its `error`; the list waits for every
 * read to settle (no fail-fast: a read left behind would belong to a finished request).
 */
import { Hono } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { deferrer } from "./outcome.ts";

/** `owned_by` of every model listed. */
export const OWNED_BY = "albert-edge";

export const models = new Hono<AppEnv>().get("/v1/models", async (c) => {
  const registry = c.var.registry;
  const { model: moderationModel, aliases } = c.var.config.moderation;
  const keepAlive = deferrer(c);
  const settled = await Promise.allSettled(registry.ids.map((id) => registry.describe(id, keepAlive)));
  const data = settled.map((outcome, i) => {
    const id = registry.ids[i]!;
    const base = { id, object: "model" as const, created: 0, owned_by: OWNED_BY, ...(id === moderationModel && aliases.length > 0 ? { aliases } : {}) };
    if (outcome.status === "fulfilled") return { ...base, ...outcome.value };
    const error = outcome.reason instanceof ApiError ? outcome.reason : new ApiError(503, "model_unavailable", "model could not be described");
    return { ...base, loaded: false, error: { code: error.code, message: error.message } };
  });
  return c.json({ object: "list", default: registry.defaultId, data });
});
