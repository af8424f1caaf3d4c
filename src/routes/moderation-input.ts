/**
 * @module routes/moderation-input
 * Validates the body of `POST /v1/moderations` in OpenAI's shapes: `{"model"?, "input"}` with
 * `input` a string, an array of strings (one result each), or an array of content parts
 * `[{"type": "text", "text"}]` (OpenAI's multi-modal form: the parts make one submission, so their
 * texts are joined by "\n" into one input and answered by one result). Image parts are refused
 * (400 `unsupported_input`): the models read text only. Errors name the field at fault (`param`).
 */
import { ApiError } from "../errors.ts";

export interface ModerationRequest {
  /** The model named in the body, if any (an alias is resolved by the route). */
  model: string | undefined;
  /** One entry per result, in request order. */
  inputs: string[];
}

const SHAPES = 'a string, an array of strings, or an array of {"type": "text", "text": "..."} parts';

function bad(code: string, message: string, param: string | undefined): ApiError {
  return new ApiError(400, code, message, {}, param);
}

function textOfParts(parts: unknown[]): string {
  const texts = parts.map((part, index) => {
    const param = `input[${index}]`;
    if (typeof part !== "object" || part === null || Array.isArray(part)) throw bad("invalid_request", `"${param}" must be a {"type": "text", "text": "..."} part: "input" mixes strings and parts`, param);
    const { type, text } = part as Record<string, unknown>;
    if (type === "image_url") throw bad("unsupported_input", `"${param}" is an image part; images are not supported: this service moderates text only`, param);
    if (type !== "text") throw bad("invalid_request", `"${param}".type must be "text" (images are not supported), got ${JSON.stringify(type)}`, param);
    if (typeof text !== "string") throw bad("invalid_request", `"${param}".text must be a string`, param);
    return text;
  });
  const joined = texts.join("\n");
  if (joined.trim() === "") throw bad("empty_input", '"input" has no text in its parts', "input");
  return joined;
}

export function parseModerationRequest(body: unknown, maxBatch: number): ModerationRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw bad("invalid_request", 'request body must be a JSON object like {"input": "text"}', undefined);
  }
  const { model, input } = body as Record<string, unknown>;
  if (model !== undefined && (typeof model !== "string" || model === "")) {
    throw bad("invalid_request", '"model" must be a non-empty string when given', "model");
  }
  const name = model as string | undefined;
  if (input === undefined || input === null) throw bad("invalid_request", `missing "input": give ${SHAPES}`, "input");
  if (typeof input === "string") {
    if (input.trim() === "") throw bad("empty_input", '"input" is empty', "input");
    return { model: name, inputs: [input] };
  }
  if (!Array.isArray(input)) throw bad("invalid_request", `"input" must be ${SHAPES}`, "input");
  if (input.length === 0) throw bad("invalid_request", '"input" must not be an empty array', "input");
  if (input.some((item) => typeof item === "object" && item !== null)) return { model: name, inputs: [textOfParts(input)] };
  if (input.length > maxBatch) {
    throw bad("too_many_inputs", `"input" has ${input.length} items; the maximum is ${maxBatch}`, "input");
  }
  input.forEach((item: unknown, index: number) => {
    if (typeof item !== "string") throw bad("invalid_request", `"input"[${index}] must be a string`, `input[${index}]`);
    if (item.trim() === "") throw bad("empty_input", `"input"[${index}] is empty`, `input[${index}]`);
  });
  return { model: name, inputs: input as string[] };
}
