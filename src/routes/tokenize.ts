/**
 * @module routes/tokenize
 * `POST /v1/tokenize`: `{"model"?, "input": string | string[]}` →
 * `{"model", "tokens": [{"ids", "pieces", "offsets", "truncated"}]}`, using the model's own
 * tokenizer and max length (without loading the model itself). `offsets` gives each token's
 * `[start, end)` in UTF-16 code units of its input string (null for [CLS] and [SEP]).
 */
import { Hono } from "hono";
import { setMetric } from "hono/timing";
import type { AppEnv } from "../env.ts";
import { jsonBody } from "../middleware/json-body.ts";
import { recordUsage } from "../middleware/usage.ts";
import { deferrer } from "./outcome.ts";
import { parseTextRequest } from "./text-input.ts";

export const tokenize = new Hono<AppEnv>().post(
  "/v1/tokenize",
  jsonBody(),
  async (c) => {
    const request = parseTextRequest(await c.req.json(), c.var.config.maxBatch);
    const registry = c.var.registry;
    const id = registry.resolve(request.model);
    const tokenizer = await registry.tokenizer(id, deferrer(c));
    const started = performance.now();
    const tokens = request.inputs.map((text) => {
      const { ids, pieces, offsets, truncated } = tokenizer.encode(text);
      return { ids, pieces, offsets, truncated };
    });
    setMetric(c, "tokenize", performance.now() - started);
    c.header("x-model", `${id}@${tokenizer.version}`);
    recordUsage(c, { model: `${id}@${tokenizer.version}`, inputs: tokens.length, tokens: tokens.reduce((sum, t) => sum + t.ids.length, 0), cache: null });
    return c.json({ model: id, tokens });
  },
);
