/**
 * POST /v1/tokenize in workerd: the exact tokenizer reproduces golden ids (unicode edge cases,
 * SST-2, IMDB, tweets) inside the Worker, truncates at the model's max length, answers each
 * token's offsets (UTF-16 code units of its input), and never loads the model (no ORT start-up
 * for tokenizing).
 */
import { env } from "cloudflare:test";
import { describe, expect, inject, it } from "vitest";
import { createApp } from "../../src/app.ts";

interface Tokens {
  model: string;
  tokens: { ids: number[]; pieces: string[]; offsets: ([number, number] | null)[]; truncated: boolean }[];
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
      // Offsets: null for [CLS]/[SEP], else inside the text and never going backwards.
      const text = cases[i]!.text;
      expect(tokens.offsets).toHaveLength(tokens.ids.length);
      expect([tokens.offsets[0], tokens.offsets.at(-1)]).toEqual([null, null]);
      const spans = tokens.offsets.slice(1, -1) as [number, number][];
      spans.forEach(([s, e], k) => {
        expect(0 <= s && s <= e && e <= text.length, `${text.slice(0, 40)} token ${k}`).toBe(true);
        if (k > 0) expect(s >= spans[k - 1]![0] && e >= spans[k - 1]![1]).toBe(true);
      });
    });
  });

  it("answers offsets through whitespace, NFKD, the charsmap and astral characters", async () => {
    const text = "  Café\t１２３ 😀, 1,000,";
    const body = (await (await tokenize([text])).json()) as Tokens;
    const [tokens] = body.tokens;
    expect(tokens!.pieces).toEqual(["[CLS]", "▁cafe", "▁12", "3", "▁", "😀", ",", "▁1,000", ",", "[SEP]"]);
    expect(tokens!.offsets).toEqual([null, [2, 6], [7, 9], [9, 10], [11, 11], [11, 13], [13, 14], [15, 20], [20, 21], null]);
    expect(tokens!.offsets.slice(1, -1).map((o) => text.slice(...o!))).toEqual(["Café", "１２", "３", "", "😀", ",", "1,000", ","]);
  });

  it("answers with pieces and the x-model header, without loading the model", async () => {
    const response = await tokenize("Hello, world!");
    expect(await response.json()).toEqual({
      model: "sentiment",
      tokens: [
        {
          ids: [2, 10975, 15, 126, 187, 3],
          pieces: ["[CLS]", "▁hello", ",", "▁world", "!", "[SEP]"],
          offsets: [null, [0, 5], [5, 6], [7, 12], [12, 13], null],
          truncated: false,
        },
      ],
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
    expect(body.data.map((m) => m.id)).toEqual(["sentiment", "moderation", "ner"]);
    expect(body.data[0]).toMatchObject({ task: "single_label_classification", labels: ["negative", "positive"], loaded: false });
    expect(body.data[1]).toMatchObject({ task: "multi_label_classification", labels: ["hate", "offensive"], loaded: false });
    expect(body.data[2]).toMatchObject({ task: "token_classification", labels: ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"], loaded: false });
    for (const model of body.data) expect(model.version).toMatch(/^[0-9a-f]{16}$/);
  });
});
