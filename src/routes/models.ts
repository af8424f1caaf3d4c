/**
 * @module routes/models
 * `GET /v1/models`: the models this Worker serves, in OpenAI's list shape (`object: "model"`,
 * `created`, `owned_by`) plus task, labels, version, the manifest's early exit and thresholds when it
 * has them, and whether they are loaded in this isolate;
 * the moderation model also lists the OpenAI names it answers to (`aliases`). `created` is 0: the
 * shards carry no creation time. Reads manifests only; never loads a model. A model whose manifest
 * cannot be read is still listed, with `loaded: false` and its `error`; the list waits for every
 * read to settle (no fail-fast: a read left behind would belong to a finished request).
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { ApiError } from "../errors.ts";
import { ErrorCodeSchema, errorResponses, jsonAnswer, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";
import { deferrer } from "./outcome.ts";

/** `owned_by` of every model listed. */
export const OWNED_BY = "albert-edge";

const ModelEntry = named(
  v.object({
    id: v.string(),
    object: v.literal("model"),
    created: described(Int, "always 0: the shards carry no creation time"),
    owned_by: v.literal(OWNED_BY),
    task: v.optional(v.pipe(v.string(), v.metadata({ example: "single_label_classification" }))),
    labels: v.optional(v.array(v.string())),
    version: v.optional(described(v.string(), "content hash of the shards")),
    loaded: described(v.boolean(), "loaded in this isolate"),
    early_exit: v.optional(described(v.object({ patience: Int }), "adaptive depth: the model stops once its prediction has held for `patience` layers (requests can ask for `full_depth`)")),
    thresholds: v.optional(described(v.record(v.string(), v.number()), "a multi-label model's own flag threshold per label (moderation uses them unless MODERATION_THRESHOLDS names the category)")),
    aliases: v.optional(described(v.array(v.string()), "the OpenAI model names that stand for this model (the moderation model)")),
    error: v.optional(described(v.object({ code: ErrorCodeSchema, message: v.string() }), "why the manifest could not be read (then only id and loaded are known)")),
  }),
  "Model",
);

const ModelList = named(v.object({ object: v.literal("list"), default: v.string(), data: v.array(ModelEntry) }), "ModelList");

const describeModels = describeRoute({
  operationId: "listModels",
  summary: "List the served models (OpenAI-compatible)",
  responses: {
    200: jsonAnswer(ModelList, "every served model; `default` answers requests that name none"),
    ...errorResponses("openai", V1_ERRORS),
  },
  security: V1_SECURITY,
});

export const models = routeGroup().get("/v1/models", describeModels, async (c) => {
  const registry = c.var.registry;
  const { model: moderationModel, aliases } = c.var.config.moderation;
  const keepAlive = deferrer(c);
  const settled = await Promise.allSettled(registry.ids.map((id) => registry.describe(id, keepAlive)));
  const data = settled.map((outcome, i) => {
    const id = registry.ids[i]!;
    const base = { id, object: "model" as const, created: 0, owned_by: OWNED_BY as typeof OWNED_BY, ...(id === moderationModel && aliases.length > 0 ? { aliases } : {}) };
    if (outcome.status === "fulfilled") return { ...base, ...outcome.value };
    const error = outcome.reason instanceof ApiError ? outcome.reason : new ApiError(503, "model_unavailable", "model could not be described");
    return { ...base, loaded: false, error: { code: error.code, message: error.message } };
  });
  return c.json({ object: "list" as const, default: registry.defaultId, data }, 200);
});
