/**
 * The request schemas and the validation hook together: what a bad body answers (code, message
 * naming the field, `param`) is decided here, before any handler runs. The Worker tests drive the
 * same through HTTP; these pin each shape's answer.
 */
import * as v from "valibot";
import { describe, expect, it } from "vitest";
import { ApiError } from "../../../src/errors.ts";
import { moderationInputs, ModerationRequestSchema } from "../../../src/routes/moderation-input.ts";
import { TextRequestSchema, textInputs } from "../../../src/routes/text-input.ts";
import { fieldName, validationError } from "../../../src/routes/validation.ts";

function failure(schema: typeof TextRequestSchema | typeof ModerationRequestSchema, body: unknown) {
  const result = v.safeParse(schema, body);
  expect(result.success, JSON.stringify(body)).toBe(false);
  const error = validationError(result.issues!);
  return { status: error.status, code: error.code, message: error.message, param: error.param };
}

function thrown(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error("expected an ApiError");
}

describe("text request validation", () => {
  const cases: [unknown, string, string, string | undefined][] = [
    [{}, "invalid_request", '"input" is missing: give a string or an array of strings', "input"],
    [{ input: null }, "invalid_request", '"input" must be a string or an array of strings', "input"],
    [{ input: 42 }, "invalid_request", '"input" must be a string or an array of strings', "input"],
    [{ input: ["ok", 7] }, "invalid_request", '"input[1]" must be a string', "input[1]"],
    [{ input: [] }, "invalid_request", '"input" must not be an empty array', "input"],
    [{ input: "" }, "empty_input", '"input" is empty', "input"],
    [{ input: ["fine", "   "] }, "empty_input", '"input[1]" is empty', "input[1]"],
    [["not", "an", "object"], "invalid_request", 'request body must be a JSON object like {"input": "text"}', undefined],
    [null, "invalid_request", 'request body must be a JSON object like {"input": "text"}', undefined],
    [{ input: "x", model: 3 }, "invalid_request", '"model" must be a non-empty string when given', "model"],
    [{ input: "x", model: "" }, "invalid_request", '"model" must be a non-empty string when given', "model"],
    [{ model: 3 }, "invalid_request", '"model" must be a non-empty string when given', "model"],
  ];
  for (const [body, code, message, param] of cases) {
    it(`${JSON.stringify(body)} → 400 ${code}`, () => {
      expect(failure(TextRequestSchema, body)).toEqual({ status: 400, code, message, param });
    });
  }

  it("accepts strings and arrays, ignores unknown fields, and checks the batch limit after validation", () => {
    expect(v.parse(TextRequestSchema, { input: "hi", extra: 1 })).toEqual({ input: "hi" });
    expect(textInputs(v.parse(TextRequestSchema, { input: ["a", "b"] }).input, 2)).toEqual({ inputs: ["a", "b"], batch: true });
    expect(textInputs("a", 0)).toEqual({ inputs: ["a"], batch: false });
    const error = thrown(() => textInputs(["a", "b", "c"], 2));
    expect([error.status, error.code, error.message, error.param]).toEqual([400, "too_many_inputs", '"input" has 3 items; the maximum is 2', "input"]);
  });
});

describe("moderation request validation (OpenAI's shapes)", () => {
  const part = (text: unknown) => ({ type: "text", text });
  const cases: [unknown, string, RegExp, string | undefined][] = [
    [{ input: 7 }, "invalid_request", /^"input" must be a string, an array of strings, or an array of/, "input"],
    [{}, "invalid_request", /^"input" is missing: give a string/, "input"],
    [{ input: ["fine", part("x")] }, "invalid_request", /^"input\[0\]" must be a \{"type": "text", "text": "\.\.\."\} part: "input" mixes strings and parts$/, "input[0]"],
    [{ input: [part("look"), { type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }, "unsupported_input", /^"input\[1\]" is an image part; images are not supported/, "input[1]"],
    [{ input: [{ type: "video" }] }, "invalid_request", /^"input\[0\]\.type" must be "text" \(images are not supported\)$/, "input[0].type"],
    [{ input: [part(3)] }, "invalid_request", /^"input\[0\]\.text" must be a string$/, "input[0].text"],
    [{ input: [7] }, "invalid_request", /^"input\[0\]" must be a string or a \{"type": "text"/, "input[0]"],
    [{ input: [["an array is not a part"]] }, "invalid_request", /^"input\[0\]" must be a string or a \{"type": "text"/, "input[0]"],
    [{ input: ["fine", " "] }, "empty_input", /^"input\[1\]" is empty$/, "input[1]"],
    [{ input: [] }, "invalid_request", /^"input" must not be an empty array$/, "input"],
  ];
  for (const [body, code, message, param] of cases) {
    it(`${JSON.stringify(body)} → 400 ${code}`, () => {
      const got = failure(ModerationRequestSchema, body);
      expect([got.status, got.code, got.param]).toEqual([400, code, param]);
      expect(got.message).toMatch(message);
    });
  }

  it("joins text parts into one input, answers strings one each, and refuses parts without text", () => {
    const parts = v.parse(ModerationRequestSchema, { input: [part("one"), part("two")] }).input;
    expect(moderationInputs(parts, 1)).toEqual(["one\ntwo"]);
    expect(moderationInputs(v.parse(ModerationRequestSchema, { input: ["a", "b"] }).input, 2)).toEqual(["a", "b"]);
    expect(thrown(() => moderationInputs(v.parse(ModerationRequestSchema, { input: ["a", "b"] }).input, 1)).code).toBe("too_many_inputs");
    const empty = thrown(() => moderationInputs(v.parse(ModerationRequestSchema, { input: [part(" "), part("")] }).input, 32));
    expect([empty.code, empty.param]).toEqual(["empty_input", "input"]);
  });
});

it("names fields as OpenAI's param does", () => {
  expect(fieldName(["input"])).toBe("input");
  expect(fieldName(["input", 2])).toBe("input[2]");
  expect(fieldName(["input", 0, "text"])).toBe("input[0].text");
});
