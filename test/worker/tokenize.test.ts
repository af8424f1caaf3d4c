/**
 * POST /v1/tokenize in workerd: the exact tokenizer reproduces golden ids (unicode edge cases,
 * SST-2, IMDB, tweets) inside the Worker, truncates at the model's max length, and never loads
 * the model (no ORT start-up for tokenizing).
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app.ts";

interface Tokens {
  model: string;
  tokens: { ids: number[]; pieces: string[]; truncated: boolean }[];
}

const app = createApp();
const tokenize = async (input: unknown) =>
  app.request("/v1/tokenize", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input }) }, env);

describe("POST /v1/tokenize", () => {
  // The goldens come from ../shared (global-setup.ts); without it this one skips.
  it.skipIf(inject("tokenizerCases").length === 0)("reproduces golden ids inside workerd", async () => {
    // Whitespace-only texts are refused by the API (`empty_input`); the rest must match exactly.
    const cases = inject("tokenizerCases").filter((c) => c.text.trim() !== "");
    expect(cases.length).toBeGreaterThanOrEqual(25);
    const response = await tokenize(cases.map((c) => c.text));
    expect(response.status).toBe(200);
    const body = (await response.json()) as Tokens;
    expect(body.model).toBe("sentiment");
    body.tokens.forEach((tokens, i) => {
      const expected = cases[i]!.ids;
      // The API truncates at the model's max length (512); the goldens are untruncated.
      if (expected.length <= 512) expect([tokens.ids, tokens.truncated]).toEqual([expected, false]);
      else expect([tokens.ids, tokens.truncated]).toEqual([[...expected.slice(0, 511), 3], true]);
      expect(tokens.pieces).toHaveLength(tokens.ids.length);
    });
  });

  it("answers with pieces and the x-model header, without loading the model", async () => {
    const response = await tokenize("Hello, world!");
    expect(await response.json()).toEqual({
      model: "sentiment",
      tokens: [{ ids: [2, 10975, 15, 126, 187, 3], pieces: ["[CLS]", "▁hello", ",", "▁world", "!", "[SEP]"], truncated: false }],
    });
    expect(response.headers.get("x-model")).toMatch(/^sentiment@[0-9a-f]{16}$/);
    const models = (await (await app.request("/v1/models", {}, env)).json()) as { data: { id: string; loaded: boolean }[] };
    expect(models.data.find((m) => m.id === "sentiment")!.loaded).toBe(false);
  });

  it("lists the served models from their manifests without loading them", async () => {
    const body = (await (await app.request("/v1/models", {}, env)).json()) as {
      default: string;
      data: { id: string; task: string; labels: string[]; version: string; loaded: boolean }[];
    };
    expect(body.default).toBe("sentiment");
    expect(body.data.map((m) => m.id)).toEqual(["sentiment", "moderation"]);
    expect(body.data[0]).toMatchObject({ task: "single_label_classification", labels: ["negative", "positive"], loaded: false });
    expect(body.data[1]).toMatchObject({ task: "multi_label_classification", labels: ["hate", "offensive"], loaded: false });
    for (const model of body.data) expect(model.version).toMatch(/^[0-9a-f]{16}$/);
  });
});
