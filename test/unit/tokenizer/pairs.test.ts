/**
 * @module test/unit/tokenizer/pairs
 * Sentence pairs: `[CLS] a [SEP] b [SEP]` with token types 0 then 1, equal to the pair goldens
 * (SST-2 pairs, QA question + context); offsets of the second text index into it (the QA
 * golden's answers are recovered from them); truncation is Hugging Face's `longest_first`.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { longestFirst, TokenizerError } from "../../../src/tokenizer/index.ts";
import { albert, errorOf, sharedDir } from "./helpers.ts";
import { mapBackErrors } from "./map-back.ts";

interface PairGolden {
  text: string;
  text_pair: string;
  ids: number[];
  token_type_ids: number[];
}

interface QaGolden {
  question: string;
  context: string;
  ids: number[];
  token_type_ids: number[];
  best: { start_token: number; end_token: number; answer?: string | null };
}

const pairsPath = resolve(sharedDir, "golden/albert-sst2-mini.pairs.jsonl");
const qaPath = resolve(sharedDir, "golden/albert-qa-mini.jsonl");
const present = existsSync(pairsPath) && existsSync(qaPath);
const readJsonl = <T>(path: string): T[] =>
  (present ? readFileSync(path, "utf8") : "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);

/** HF `truncate_sequences(longest_first)` for a pair, as its loop is written: one token at a time. */
function hfLongestFirst(first: number, second: number, remove: number): [number, number] {
  for (let k = 0; k < remove; k++) {
    if (first > second) first--;
    else second--;
  }
  return [first, second];
}

describe.skipIf(!present)("pair goldens", () => {
  it("reproduce the SST-2 pair goldens' ids and token types", () => {
    const goldens = readJsonl<PairGolden>(pairsPath);
    expect(goldens.length).toBe(20);
    for (const g of goldens) {
      const encoding = albert().encode(g.text, { pair: g.text_pair });
      expect(encoding.ids).toEqual(g.ids);
      expect(encoding.typeIds).toEqual(g.token_type_ids);
      expect(encoding.truncated).toBe(false);
    }
  });

  it("reproduce the QA goldens and recover their answers from the context offsets", () => {
    const goldens = readJsonl<QaGolden>(qaPath);
    expect(goldens.length).toBe(40);
    let answers = 0;
    for (const g of goldens) {
      const encoding = albert().encode(g.question, { pair: g.context });
      expect(encoding.ids).toEqual(g.ids);
      expect(encoding.typeIds).toEqual(g.token_type_ids);
      const firstSep = encoding.ids.indexOf(3);
      // Type-1 tokens index into the context and map back to their pieces there.
      const context = encoding.offsets.slice(firstSep + 1, -1) as [number, number][];
      expect(mapBackErrors(g.context, encoding.pieces.slice(firstSep + 1, -1), context)).toEqual([]);
      expect(encoding.offsets[firstSep]).toBeNull();
      if (typeof g.best.answer === "string") {
        const start = encoding.offsets[g.best.start_token]!;
        const end = encoding.offsets[g.best.end_token]!;
        expect(g.context.slice(start[0], end[1])).toBe(g.best.answer);
        answers++;
      }
    }
    expect(answers).toBeGreaterThanOrEqual(30);
  });
});

describe("pairs", () => {
  it("encode [CLS] a [SEP] b [SEP] with token types and offsets into each text", () => {
    const text = "Who met Macron?";
    const pair = "  Merkel met Macron.";
    const encoding = albert().encode(text, { pair });
    expect(encoding.pieces).toEqual(["[CLS]", "▁who", "▁met", "▁macro", "n", "?", "[SEP]", "▁merk", "el", "▁met", "▁macro", "n", ".", "[SEP]"]);
    expect(encoding.typeIds).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(encoding.offsets).toEqual([null, [0, 3], [4, 7], [8, 13], [13, 14], [14, 15], null, [2, 6], [6, 8], [9, 12], [13, 18], [18, 19], [19, 20], null]);
    expect(pair.slice(encoding.offsets[7]![0], encoding.offsets[8]![1])).toBe("Merkel");
    // Eager and lazy offsets agree for pairs too.
    expect(albert().encode(text, { pair, offsets: "eager" })).toEqual(encoding);
    // An empty pair still gets its [SEP].
    expect(albert().encode("hi", { pair: "" }).pieces).toEqual(["[CLS]", "▁hi", "[SEP]", "[SEP]"]);
  });

  it("compute longest_first like Hugging Face's one-token-at-a-time loop", () => {
    for (let first = 0; first <= 12; first++) {
      for (let second = 0; second <= 12; second++) {
        for (let remove = 0; remove <= first + second; remove++) {
          expect(longestFirst(first, second, remove), `${first} ${second} ${remove}`).toEqual(hfLongestFirst(first, second, remove));
        }
      }
    }
    // Ties: the second text gives up the first token.
    expect(longestFirst(10, 10, 5)).toEqual([8, 7]);
  });

  it("truncate pairs with longest_first, keeping the special tokens", () => {
    const tokenizer = albert();
    const text = "the quick brown fox jumps over the lazy dog near the river bank";
    const pair = "a short reply here";
    const a = tokenizer.tokenize(text);
    const b = tokenizer.tokenize(pair);
    for (let maxLength = 3; maxLength <= a.ids.length + b.ids.length + 4; maxLength++) {
      const encoding = tokenizer.encode(text, { pair, maxLength });
      const [keepA, keepB] = hfLongestFirst(a.ids.length, b.ids.length, Math.max(0, a.ids.length + b.ids.length + 3 - maxLength));
      expect(encoding.ids).toEqual([2, ...a.ids.slice(0, keepA), 3, ...b.ids.slice(0, keepB), 3]);
      expect(encoding.typeIds).toEqual([...Array<number>(keepA + 2).fill(0), ...Array<number>(keepB + 1).fill(1)]);
      expect(encoding.offsets).toEqual([null, ...a.offsets.slice(0, keepA), null, ...b.offsets.slice(0, keepB), null]);
      expect(encoding.truncated).toBe(keepA + keepB < a.ids.length + b.ids.length);
      expect(encoding.ids.length).toBeLessThanOrEqual(maxLength);
    }
  });

  it("refuse a pair that is not a string and a maxLength without room for three special tokens", () => {
    const tokenizer = albert();
    expect(errorOf(() => tokenizer.encode("a", { pair: 5 as unknown as string })).message).toMatch(/pair must be a string, got number/);
    expect(errorOf(() => tokenizer.encode("a", { pair: "b", maxLength: 2 })).message).toMatch(/maxLength must be an integer >= 3/);
    expect(tokenizer.encode("a", { pair: "b", maxLength: 3 }).ids).toEqual([2, 3, 3]);
  });
});
