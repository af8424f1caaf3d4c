/**
 * @module test/unit/tokenizer/case-types
 * `caseTokenTypes`: token types that carry the capitalisation lowercasing removes (1 where the
 * token's first character in the text is an uppercase letter). Hand-worked pieces and types,
 * the rules for special tokens, lone ▁, truncation and pairs; off by default.
 */
import { describe, expect, it } from "vitest";
import { AlbertTokenizer, caseTypeOf } from "../../../src/tokenizer/index.ts";
import { albert, errorOf, modelBytes } from "./helpers.ts";

const cased = (): AlbertTokenizer => AlbertTokenizer.fromModel(modelBytes(), { caseTokenTypes: true });
const pairsOf = (t: AlbertTokenizer, text: string, maxLength?: number): [string, number][] => {
  const e = t.encode(text, maxLength === undefined ? {} : { maxLength });
  return e.pieces.map((p, i) => [p, e.typeIds[i]!]);
};

describe("case token types", () => {
  it("mark tokens that begin with an uppercase letter in the caller's text", () => {
    expect(pairsOf(cased(), "Alan Shearer scored for Newcastle (Reuters) in L.A., USA")).toEqual([
      ["[CLS]", 0], ["▁alan", 1], ["▁shear", 1], ["er", 0], ["▁scored", 0], ["▁for", 0], ["▁newcastle", 1],
      ["▁", 0], ["(", 0], ["r", 1], ["euter", 0], ["s", 0], [")", 0], ["▁in", 0],
      ["▁l", 1], [".", 0], ["a", 1], [".", 0], [",", 0], ["▁usa", 1], ["[SEP]", 0],
    ]);
  });

  it("see the original letter through accent stripping", () => {
    expect(pairsOf(cased(), "ÉCOLE d'été McDonald's")).toEqual([
      ["[CLS]", 0], ["▁ecole", 1], ["▁", 0], ["d", 0], ["'", 0], ["ete", 0], ["▁mcdonald", 1], ["'", 0], ["s", 0], ["[SEP]", 0],
    ]);
  });

  it("leave the ids, pieces and offsets as without them, and follow truncation", () => {
    const text = "The European Commission said on Thursday it disagreed with German advice.";
    const plain = albert().encode(text, { maxLength: 8, offsets: "eager" });
    const withCase = cased().encode(text, { maxLength: 8 });
    expect(withCase.ids).toEqual(plain.ids);
    expect(withCase.offsets).toEqual(plain.offsets);
    expect(withCase.truncated).toBe(true);
    expect(withCase.typeIds).toEqual([0, 1, 1, 1, 0, 0, 1, 0]);
    expect(plain.typeIds.every((t) => t === 0)).toBe(true);
  });

  it("are refused for pairs (the types already mean capitalisation)", () => {
    const e = errorOf(() => cased().encode("Who?", { pair: "Alan." }));
    expect(e.code).toBe("invalid_input");
    expect(e.message).toMatch(/case_token_types/);
  });

  it("caseTypeOf: null, empty, non-letters, astral characters", () => {
    expect([caseTypeOf("Ab", null), caseTypeOf("Ab", [1, 1]), caseTypeOf("1A", [0, 2]), caseTypeOf("ßA", [0, 1])]).toEqual([0, 0, 0, 0]);
    expect([caseTypeOf("x\u{10400}", [1, 3]), caseTypeOf("x\u{10428}", [1, 3]), caseTypeOf("Σ", [0, 1])]).toEqual([1, 0, 1]);
  });
});
