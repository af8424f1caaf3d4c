/**
 * @module routes/tokenize
 * `POST /v1/tokenize`: `{"model"?, "input": string | string[]}` →
 * `{"model", "tokens": [{"ids", "pieces", "offsets", "truncated"}]}`, using the model's own
 * tokenizer and max length (without loading the model itself). `offsets` gives each token's
 * `[start, end)` in UTF-16 code units of its input string (null for [CLS] and [SEP]).
 */
import { describeRoute } from "hono-openapi";
import { setMetric } from "hono/timing";
import * as v from "valibot";
import { jsonBody } from "../middleware/json-body.ts";
import { recordUsage } from "../middleware/usage.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { described, Int, named } from "./schema-doc.ts";
import { deferrer } from "./outcome.ts";
import { TextRequestSchema, textInputs } from "./text-input.ts";

const Encoding = named(
  v.object({
    ids: described(v.array(Int), "[CLS], the text's ids, [SEP]"),
    pieces: described(v.array(v.string()), "the piece of each id"),
    offsets: described(
      v.array(v.nullable(v.tuple([Int, Int]))),
      "each id's [start, end) in UTF-16 code units of its input (what String.slice takes); null for [CLS] and [SEP]; a leading ▁ does not cover the whitespace it stands for",
    ),
    truncated: described(v.boolean(), "ids were dropped to fit the model's maximum length"),
  }),
  "Encoding",
);

const TokenizeAnswer = named(v.object({ model: v.string(), tokens: v.array(Encoding) }), "TokenizeAnswer");

const describeTokenize = describeRoute({
  operationId: "tokenize",
  summary: "Tokenize texts with a model's tokenizer",
  responses: {
    200: jsonAnswer(TokenizeAnswer, "one encoding per input, in request order"),
    ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const tokenize = routeGroup().post("/v1/tokenize", describeTokenize, jsonBody(), jsonRequest(TextRequestSchema), async (c) => {
  const body = c.req.valid("json");
  const request = textInputs(body.input, c.var.config.maxBatch);
  const registry = c.var.registry;
  const id = registry.resolve(body.model);
  const tokenizer = await registry.tokenizer(id, deferrer(c));
  const started = performance.now();
  const tokens = request.inputs.map((text) => {
    const { ids, pieces, offsets, truncated } = tokenizer.encode(text, { offsets: "eager" });
    return { ids, pieces, offsets, truncated };
  });
  setMetric(c, "tokenize", performance.now() - started);
  c.header("x-model", `${id}@${tokenizer.version}`);
  recordUsage(c, { model: `${id}@${tokenizer.version}`, inputs: tokens.length, tokens: tokens.reduce((sum, t) => sum + t.ids.length, 0), cache: null });
  return c.json({ model: id, tokens }, 200);
});
