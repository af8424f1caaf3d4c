/**
 * @module routes/entities
 * `POST /v1/entities`: `{"model"?, "input": string | string[], "aggregation"?: "none" | "simple" |
 * "first" | "max", "decoding"?: "argmax" | "bio"}` → `{"model", "results": [{"entities": [{"label", "score", "start", "end",
 * "text"}], "tokens", "truncated"}]}`, one result per input in request order. Entities are merged
 * from the token labels (BIO / IOB2) as Hugging Face's token-classification pipeline does for each
 * strategy (default: the manifest's `aggregation`, else `simple`; `none` gives one row per token
 * not labelled `O`); each token's or word's label is its argmax or, with `decoding: "bio"`, its
 * place in the most probable valid IOB2 sequence (default: the manifest's `decoding`, else
 * `argmax`); `start`/`end` are
 * UTF-16 code unit offsets into the input. Only token-classification models (default: the first
 * served one); others get 400 `unsupported_model`.
 */
import { describeRoute } from "hono-openapi";
import * as v from "valibot";
import { cachePolicy } from "../cache/result-cache.ts";
import { ENTITY_DECODINGS, ENTITY_STRATEGIES } from "../heads/index.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { findEntities } from "../services/entities.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";
import { classifyDeps, reportCached } from "./outcome.ts";
import { resolveForTask } from "./task-model.ts";
import { CacheSourceSchema, ModelFieldSchema, TextInputSchema, textInputs } from "./text-input.ts";
import { jsonObject } from "./validation.ts";

const EntitiesRequest = named(
  jsonObject(
    {
      model: ModelFieldSchema,
      input: TextInputSchema,
      aggregation: v.optional(
        described(v.picklist(ENTITY_STRATEGIES, `must be one of ${ENTITY_STRATEGIES.join(", ")}`), "how token labels become entities (Hugging Face's aggregation_strategy); default: the model's manifest `aggregation`, else simple"),
      ),
      decoding: v.optional(
        described(
          v.picklist(ENTITY_DECODINGS, `must be one of ${ENTITY_DECODINGS.join(", ")}`),
          "how each token's or word's label is chosen: argmax (its most probable label, as Hugging Face) or bio (the most probable valid IOB2 label sequence: no I-X after O or after another type); default: the model's manifest `decoding`, else argmax",
        ),
      ),
    },
    'request body must be a JSON object like {"input": "text"}',
  ),
  "EntitiesRequest",
);

const EntitySchema = named(
  v.object({
    label: described(v.string(), 'the entity type ("PER"); with aggregation none the token\'s own label ("B-PER")'),
    score: described(v.number(), "mean probability of its tokens' or words' labels"),
    start: described(Int, "offset of its first character in the input (UTF-16 code units)"),
    end: described(Int, "offset just past its last character"),
    text: described(v.string(), "input.slice(start, end)"),
  }),
  "Entity",
);

const EntitiesResult = named(
  v.object({
    entities: v.array(EntitySchema),
    tokens: described(Int, "tokens the model read ([CLS] and [SEP] included, after truncation)"),
    truncated: described(v.boolean(), "true when the text was longer than the model's window (entities past it are missing)"),
    cache: v.optional(CacheSourceSchema),
  }),
  "EntitiesResult",
);

const EntitiesAnswer = named(v.object({ model: v.string(), results: v.array(EntitiesResult) }), "EntitiesAnswer");

const describeEntities = describeRoute({
  operationId: "findEntities",
  summary: "Named entities (token classification)",
  responses: {
    200: jsonAnswer(EntitiesAnswer, "one result per input, in request order"),
    ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", "unsupported_model", "too_much_work", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const entities = routeGroup().post("/v1/entities", describeEntities, jsonBody(), jsonRequest(EntitiesRequest), async (c) => {
  const body = c.req.valid("json");
  const request = textInputs(body.input, c.var.config.maxBatch);
  const deps = classifyDeps(c);
  const id = await resolveForTask(c, deps, body.model, ["token_classification"]);
  const outcome = await findEntities(deps, id, request.inputs, { aggregation: body.aggregation, decoding: body.decoding }, cachePolicy(c.req.header("cache-control")));
  reportCached(c, outcome);
  return c.json(
    {
      model: outcome.manifest.id,
      results: outcome.items.map(({ result, cache }) => (request.batch ? { ...result, cache } : result)),
    },
    200,
  );
});
