/**
 * @module routes/tokenize
 * `POST /v1/tokenize`: `{"model"?, "input": string | string[]}` →
 * `{"model", "tokens": [{"ids", "pieces", "offsets", "truncated"}]}`, using the model's own
 * tokenizer and max length (without loading the model itself). `offsets` gives each token's
 * `[start, end)` in UTF-16 code units of its input string (null for [CLS] and [SEP]).
 */
import { createRoute, z } from "@hono/zod-openapi";
import { setMetric } from "hono/timing";
import { jsonBody } from "../middleware/json-body.ts";
import { recordUsage } from "../middleware/usage.ts";
import { errorResponses, JSON_BODY_ERRORS, jsonAnswer, jsonRequest, MODEL_ERRORS, routeGroup, V1_ERRORS, V1_SECURITY } from "./openapi.ts";
import { deferrer } from "./outcome.ts";
import { TextRequestSchema, textInputs } from "./text-input.ts";

const Encoding = z
  .object({
    ids: z.array(z.int()).openapi({ description: "[CLS], the text's ids, [SEP]" }),
    pieces: z.array(z.string()).openapi({ description: "the piece of each id" }),
    offsets: z.array(z.tuple([z.int(), z.int()]).nullable()).openapi({
      description:
        "each id's [start, end) in UTF-16 code units of its input (what String.slice takes); null for [CLS] and [SEP]; a leading ▁ does not cover the whitespace it stands for",
    }),
    truncated: z.boolean().openapi({ description: "ids were dropped to fit the model's maximum length" }),
  })
  .openapi("Encoding");

const TokenizeAnswer = z.object({ model: z.string(), tokens: z.array(Encoding) }).openapi("TokenizeAnswer");

const route = createRoute({
  method: "post",
  path: "/v1/tokenize",
  operationId: "tokenize",
  summary: "Tokenize texts with a model's tokenizer",
  middleware: [jsonBody()],
  request: jsonRequest(TextRequestSchema),
  responses: {
    200: jsonAnswer(TokenizeAnswer, "one encoding per input, in request order"),
    ...errorResponses("plain", [...JSON_BODY_ERRORS, "empty_input", "too_many_inputs", ...MODEL_ERRORS, ...V1_ERRORS]),
  },
  security: V1_SECURITY,
});

export const tokenize = routeGroup().openapi(route, async (c) => {
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
