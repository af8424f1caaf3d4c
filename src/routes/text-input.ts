/**
 * @module routes/text-input
 * The `{"model"?: string, "input": string | string[]}` body shared by the text endpoints, as the
 * schemas that validate it and document it, and the batch limit (`MAX_BATCH`, known at run time
 * only) checked after validation.
 */
import * as v from "valibot";
import { ApiError } from "../errors.ts";
import { described, named } from "./schema-doc.ts";
import { codedCheck, jsonObject } from "./validation.ts";

/** A text: any string with something besides whitespace (else 400 `empty_input`). */
export const TextSchema = v.pipe(
  v.string("must be a string"),
  codedCheck("empty_input", (text: string) => text.trim() !== "", "is empty"),
  v.description("a text, not only whitespace; longer than the model's maximum length is truncated, not refused"),
  v.metadata({ ref: "Text", example: "a gorgeous, witty, seductive movie." }),
);

export const ModelFieldSchema = v.optional(
  v.pipe(
    v.string("must be a non-empty string when given"),
    v.minLength(1, "must be a non-empty string when given"),
    v.description("a model id from GET /v1/models; the default model when absent"),
    v.metadata({ example: "sentiment" }),
  ),
);

export const TextInputSchema = described(
  v.union([TextSchema, v.pipe(v.array(TextSchema), v.minLength(1, "must not be an empty array"))], (issue) =>
    issue.input === undefined ? "is missing: give a string or an array of strings" : "must be a string or an array of strings",
  ),
  "one text, or an array of at most MAX_BATCH (default 32) texts answered in order",
);

export const TextRequestSchema = named(jsonObject({ model: ModelFieldSchema, input: TextInputSchema }, 'request body must be a JSON object like {"input": "text"}'), "TextRequest");

/** Where a result came from (`x-cache` per item), on the items of array inputs. */
export const CacheSourceSchema = named(v.picklist(["hit-memory", "hit-kv", "miss"]), "CacheSource", "where this result came from (array input only)");

export interface TextInputs {
  /** One entry per input, in request order. */
  inputs: string[];
  /** True when `input` was an array (answers then carry per-item details). */
  batch: boolean;
}

/** The texts of a validated `input`; more than `maxBatch` is 400 `too_many_inputs`. */
export function textInputs(input: string | string[], maxBatch: number): TextInputs {
  if (typeof input === "string") return { inputs: [input], batch: false };
  checkBatch(input.length, maxBatch);
  return { inputs: input, batch: true };
}

export function checkBatch(count: number, maxBatch: number): void {
  if (count > maxBatch) throw new ApiError(400, "too_many_inputs", `"input" has ${count} items; the maximum is ${maxBatch}`, {}, "input");
}
