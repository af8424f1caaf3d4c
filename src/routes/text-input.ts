/**
 * @module routes/text-input
 * The `{"model"?: string, "input": string | string[]}` body shared by the text endpoints, as the
 * schemas that validate it and document it, and the batch limit (`MAX_BATCH`, known at run time
 * only) checked after validation.
 */
import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors.ts";

/** A text: any string with something besides whitespace (else 400 `empty_input`). */
export const TextSchema = z
  .string({ error: "must be a string" })
  .refine((text) => text.trim() !== "", { message: "is empty", params: { code: "empty_input" } })
  .openapi("Text", { description: "a text, not only whitespace; longer than the model's maximum length is truncated, not refused", example: "a gorgeous, witty, seductive movie." });

export const ModelFieldSchema = z
  .string({ error: "must be a non-empty string when given" })
  .min(1, { error: "must be a non-empty string when given" })
  .optional()
  .openapi({ description: "a model id from GET /v1/models; the default model when absent", example: "sentiment" });

export const TextInputSchema = z
  .union([TextSchema, z.array(TextSchema).min(1, { error: "must not be an empty array" })], {
    error: (issue) => (issue.input === undefined ? "is missing: give a string or an array of strings" : "must be a string or an array of strings"),
  })
  .openapi({ description: "one text, or an array of at most MAX_BATCH (default 32) texts answered in order" });

export const TextRequestSchema = z
  .object({ model: ModelFieldSchema, input: TextInputSchema }, { error: 'request body must be a JSON object like {"input": "text"}' })
  .openapi("TextRequest");

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
