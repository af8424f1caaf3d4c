/**
 * @module routes/moderation-input
 * The body of `POST /v1/moderations` in OpenAI's shapes, as the schemas that validate and document
 * it: `{"model"?, "input"}` with `input` a string, an array of strings (one result each), or an
 * array of content parts `[{"type": "text", "text"}]` (OpenAI's multi-modal form: the parts make one
 * submission, so their texts are joined by "\n" into one input and answered by one result). Image
 * parts are refused (400 `unsupported_input`): the models read text only. Errors name the field at
 * fault (`param`).
 */
import * as v from "valibot";
import { ApiError } from "../errors.ts";
import { described, named } from "./schema-doc.ts";
import { checkBatch, ModelFieldSchema, TextSchema } from "./text-input.ts";
import { codedCheck, jsonObject } from "./validation.ts";

const PART = '{"type": "text", "text": "..."}';
const SHAPES = `a string, an array of strings, or an array of ${PART} parts`;

const TextPart = named(
  jsonObject({ type: v.literal("text", 'must be "text" (images are not supported)'), text: v.string("must be a string") }, `must be a ${PART} part`),
  "ModerationTextPart",
);

const ImagePart = v.pipe(
  jsonObject({ type: v.literal("image_url"), image_url: v.optional(v.unknown()) }, `must be a ${PART} part`),
  codedCheck("unsupported_input", () => false, "is an image part; images are not supported: this service moderates text only"),
  v.description("OpenAI's image part: always refused with 400 unsupported_input"),
  v.metadata({ ref: "ModerationImagePart" }),
);

const Item = v.union([TextSchema, TextPart, ImagePart], `must be a string or a ${PART} part`);

const Items = v.pipe(
  v.array(Item),
  v.minLength(1, "must not be an empty array"),
  v.rawCheck(({ dataset, addIssue }) => {
    if (!dataset.typed) return;
    const items = dataset.value;
    const strings = items.findIndex((item) => typeof item === "string");
    if (strings >= 0 && items.some((item) => typeof item === "object")) {
      addIssue({
        message: `must be a ${PART} part: "input" mixes strings and parts`,
        path: [{ type: "array", origin: "value", input: items, key: strings, value: items[strings] }],
      });
    }
  }),
);

export const ModerationRequestSchema = named(
  jsonObject(
    {
      model: v.optional(
        v.pipe(
          v.unwrap(ModelFieldSchema),
          v.description("MODERATION_MODEL's OpenAI aliases (omni-moderation-latest, …) or a multi-label model's id; MODERATION_MODEL when absent"),
          v.metadata({ example: "omni-moderation-latest" }),
        ),
      ),
      input: described(
        v.union([TextSchema, Items], (issue) => (issue.input === undefined ? `is missing: give ${SHAPES}` : `must be ${SHAPES}`)),
        `${SHAPES}; strings are answered one result each (at most MAX_BATCH), parts are joined by a newline into one submission`,
      ),
    },
    'request body must be a JSON object like {"input": "text"}',
  ),
  "ModerationRequest",
);

type ModerationInput = v.InferOutput<typeof ModerationRequestSchema>["input"];

/** One entry per result, in request order: strings one each (at most `maxBatch`), parts joined into one. */
export function moderationInputs(input: ModerationInput, maxBatch: number): string[] {
  if (typeof input === "string") return [input];
  const strings = input.filter((item): item is string => typeof item === "string");
  if (strings.length === input.length) {
    checkBatch(strings.length, maxBatch);
    return strings;
  }
  const joined = input.map((part) => (typeof part === "object" && part.type === "text" ? part.text : "")).join("\n");
  if (joined.trim() === "") throw new ApiError(400, "empty_input", '"input" has no text in its parts', {}, "input");
  return [joined];
}
