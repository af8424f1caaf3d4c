/**
 * @module test/unit/tokenizer/golden
 * Every line of shared/golden/tokenizer.jsonl (made with the SentencePiece library plus
 * Hugging Face AlbertTokenizer preprocessing) must give identical ids.
 */
import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { albert, goldenPath } from "./helpers.ts";

interface Golden {
  text: string;
  ids: number[];
}

// The goldens are in ../shared; without it this file skips (test/support/shared-check.ts says so).
const present = existsSync(goldenPath);
const goldens: Golden[] = (present ? readFileSync(goldenPath, "utf8") : "")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as Golden);

describe.skipIf(!present)("tokenizer goldens", () => {
  it("has the 1,241 golden texts", () => {
    expect(goldens.length).toBe(1241);
  });

  it("reproduces every golden exactly", () => {
    const tokenizer = albert();
    const mismatches: string[] = [];
    for (const [i, golden] of goldens.entries()) {
      const { ids, pieces, truncated } = tokenizer.encode(golden.text);
      expect(pieces.length).toBe(ids.length);
      expect(truncated).toBe(false);
      if (ids.length !== golden.ids.length || ids.some((id, k) => id !== golden.ids[k])) {
        mismatches.push(`line ${i + 1}: ${JSON.stringify(golden.text.slice(0, 60))}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("gives the documented ids for a few readable cases", () => {
    const tokenizer = albert();
    expect(tokenizer.encode("Hello, world!")).toEqual({
      ids: [2, 10975, 15, 126, 187, 3],
      pieces: ["[CLS]", "▁hello", ",", "▁world", "!", "[SEP]"],
      offsets: [null, [0, 5], [5, 6], [7, 12], [12, 13], null],
      typeIds: [0, 0, 0, 0, 0, 0],
      truncated: false,
    });
    // Consecutive unknown characters merge into one <unk> (SentencePiece's behaviour).
    expect(tokenizer.encode("emoji 😀👍🏽").pieces).toEqual(["[CLS]", "▁em", "oji", "▁", "😀👍🏽", "[SEP]"]);
    expect(tokenizer.encode("").ids).toEqual([2, 3]);
  });
});
