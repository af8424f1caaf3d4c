/**
 * @module routes/embeddings
 * `POST /v1/embeddings`, OpenAI-compatible: `{"model"?, "input": string | string[],
 * "encoding_format"?: "float" | "base64", "dimensions"?}` → `{"object": "list", "data": [{"object":
 * "embedding", "index", "embedding"}], "model", "usage": {"prompt_tokens", "total_tokens"}}`.
 * The vector is a feature_extraction model's (mean of the last hidden states or pooled [CLS], as
 * its manifest says) or a sequence classifier's pooled [CLS]; `base64` is the little-endian
 * float32 bytes, as OpenAI sends them. `dimensions` is refused unless it equals the model's size
 * (no truncation). Errors are OpenAI's error object.
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { cachePolicy } from "../cache/result-cache.ts";
import { ApiError } from "../errors.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { canEmbed, embedTexts } from "../services/embed.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";
import { classifyDeps, reportCached } from "./outcome.ts";
import { resolveForTask } from "./task-model.ts";
import { ModelFieldSchema, TextInputSchema, textInputs } from "./text-input.ts";
import { jsonObject } from "./validation.ts";

const EmbeddingsRequest = named(
  jsonObject(
    {
      model: ModelFieldSchema,
      input: TextInputSchema,
      encoding_format: v.optional(described(v.picklist(["float", "base64"], "must be float or base64"), "default float")),
      dimensions: v.optional(described(v.pipe(v.number("must be an integer"), v.integer("must be an integer")), "accepted only when equal to the model's size (no truncation)")),
      user: v.optional(described(v.string(), "accepted and ignored (OpenAI compatibility)")),
    },
    'request body must be a JSON object like {"input": "text"}',
  ),
  "EmbeddingsRequest",
);

const EmbeddingSchema = named(
  v.object({
    object: v.literal("embedding"),
    index: Int,
    embedding: described(v.union([v.array(v.number()), v.string()]), "floats, or base64 of little-endian float32 with encoding_format base64"),
  }),
  "Embedding",
);

const EmbeddingsAnswer = named(
  v.object({
    object: v.literal("list"),
    data: v.array(EmbeddingSchema),
    model: v.string(),
    usage: v.object({ prompt_tokens: Int, total_tokens: Int }),
  }),
  "EmbeddingsAnswer",
);

const describeEmbeddings = describeRoute({
  operationId: "createEmbedding",
  summary: "Sentence embeddings (OpenAI-compatible)",
  responses: {
    200: jsonAnswer(EmbeddingsAnswer, "one embedding per input, in request order"),
    ...errorResponses("openai", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "unsupported_model", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

/** OpenAI's base64 form: the float32 values' little-endian bytes. */
function base64Floats(values: readonly number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export const embeddings = routeGroup().post("/v1/embeddings", describeEmbeddings, jsonBody(), jsonRequest(EmbeddingsRequest), async (c) => {
  const body = c.req.valid("json");
  const request = textInputs(body.input, c.var.config.maxBatch);
  const deps = classifyDeps(c);
  const id = await resolveForTask(c, deps, body.model, ["feature_extraction", "single_label_classification", "multi_label_classification"]);
  const manifest = await c.var.registry.manifest(id, deps.defer);
  if (canEmbed(manifest) && body.dimensions !== undefined && body.dimensions !== manifest.config.hidden_size) {
    throw new ApiError(400, "invalid_request", `"dimensions" is ${body.dimensions} but model ${manifest.id} gives ${manifest.config.hidden_size}-dimensional embeddings (no truncation): leave it out`, {}, "dimensions");
  }
  const outcome = await embedTexts(deps, id, request.inputs, cachePolicy(c.req.header("cache-control")));
  reportCached(c, outcome);
  const base64 = body.encoding_format === "base64";
  return c.json(
    {
      object: "list" as const,
      data: outcome.items.map(({ result }, index) => ({ object: "embedding" as const, index, embedding: base64 ? base64Floats(result.embedding) : result.embedding })),
      model: outcome.manifest.id,
      usage: { prompt_tokens: outcome.tokens, total_tokens: outcome.tokens },
    },
    200,
  );
});
