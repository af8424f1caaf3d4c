/**
 * @module routes/text-input
 * Validates the `{"model"?: string, "input": string | string[]}` body shared by the text endpoints.
 */
import { ApiError } from "../errors.ts";

export interface TextRequest {
  /** The model named in the body, if any. */
  model: string | undefined;
  /** One entry per input, in request order. */
  inputs: string[];
  /** True when `input` was an array (answers then carry per-item details). */
  batch: boolean;
}

export function parseTextRequest(body: unknown, maxBatch: number): TextRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError(400, "invalid_request", 'request body must be a JSON object like {"input": "text"}');
  }
  const { model, input } = body as Record<string, unknown>;
  if (model !== undefined && (typeof model !== "string" || model === "")) {
    throw new ApiError(400, "invalid_request", '"model" must be a non-empty string when given');
  }
  if (input === undefined || input === null) {
    throw new ApiError(400, "invalid_request", 'missing "input": give a string or an array of strings');
  }
  const inputs = typeof input === "string" ? [input] : input;
  if (!Array.isArray(inputs)) {
    throw new ApiError(400, "invalid_request", '"input" must be a string or an array of strings');
  }
  if (inputs.length === 0) {
    throw new ApiError(400, "invalid_request", '"input" must not be an empty array');
  }
  if (inputs.length > maxBatch) {
    throw new ApiError(400, "too_many_inputs", `"input" has ${inputs.length} items; the maximum is ${maxBatch}`);
  }
  inputs.forEach((item: unknown, index: number) => {
    const where = typeof input === "string" ? '"input"' : `"input"[${index}]`;
    if (typeof item !== "string") throw new ApiError(400, "invalid_request", `${where} must be a string`);
    if (item.trim() === "") throw new ApiError(400, "empty_input", `${where} is empty`);
  });
  return { model: model as string | undefined, inputs: inputs as string[], batch: Array.isArray(input) };
}
