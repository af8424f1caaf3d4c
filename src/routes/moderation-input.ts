/**
 * @module routes/moderation-input
 * The body of `POST /v1/moderations` in OpenAI's shapes, as the schemas that validate and document
 * it: `{"model"?, "input"}` with `input` a string, an array of strings (one result each), or an
 * array of content parts `[{"type": "text", "text"}]` (OpenAI's multi-modal form: the parts make one
 * submission, so their texts are joined by "\n" into one input and answered by one result). Image
 * parts are refused (400 `unsupported_input`): the models read text only. Errors name the field at
 * fault (`param`).
 */
import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors.ts";
import { checkBatch, ModelFieldSchema, TextSchema } from "./text-input.ts";

const PART = '{"type": "text", "text": "..."}';
const SHAPES = `a string, an array of strings, or an array of ${PART} parts`;

const TextPart = z
  .object(
    {
      type: z.literal("text", { error: 'must be "text" (images are not supported)' }),
      text: z.string({ error: "must be a string" }),
    },
    { error: `must be a ${PART} part` },
  )
  .openapi("ModerationTextPart");

const ImagePart = z
  .object({ type: z.literal("image_url"), image_url: z.unknown().optional() })
  .refine(() => false, { message: "is an image part; images are not supported: this service moderates text only", params: { code: "unsupported_input" } })
  .openapi("ModerationImagePart", { description: "OpenAI's image part: always refused with 400 unsupported_input" });

const Item = z.union([TextSchema, TextPart, ImagePart], { error: `must be a string or a ${PART} part` });

const Items = z
  .array(Item)
  .min(1, { error: "must not be an empty array" })
  .superRefine((items, ctx) => {
    const strings = items.findIndex((item) => typeof item === "string");
    if (strings >= 0 && items.some((item) => typeof item === "object")) {
      ctx.addIssue({ code: "custom", path: [strings], message: `must be a ${PART} part: "input" mixes strings and parts` });
    }
  });

export const ModerationRequestSchema = z
  .object(
    {
      model: ModelFieldSchema.openapi({
        description: "MODERATION_MODEL's OpenAI aliases (omni-moderation-latest, …) or a multi-label model's id; MODERATION_MODEL when absent",
        example: "omni-moderation-latest",
      }),
      input: z
        .union([TextSchema, Items], { error: (issue) => (issue.input === undefined ? `is missing: give ${SHAPES}` : `must be ${SHAPES}`) })
        .openapi({ description: `${SHAPES}; strings are answered one result each (at most MAX_BATCH), parts are joined by a newline into one submission` }),
    },
    { error: 'request body must be a JSON object like {"input": "text"}' },
  )
  .openapi("ModerationRequest");

type ModerationInput = z.infer<typeof ModerationRequestSchema>["input"];

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
