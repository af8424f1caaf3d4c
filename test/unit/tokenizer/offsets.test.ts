/**
 * @module test/unit/tokenizer/offsets
 * Token offsets into the caller's string (UTF-16 code units): equal to the NER golden's wherever
 * it gives them, mapping back to their pieces on every golden text (map-back.ts says what that
 * means), the same lazily and eagerly, and exact on hand cases for every preprocessing step.
 */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { AlbertTokenizer, type Offset } from "../../../src/tokenizer/index.ts";
import { albert, goldenPath, modelBytes, sharedDir } from "./helpers.ts";
import { mapBackErrors } from "./map-back.ts";

interface NerGolden {
  text: string;
  ids: number[];
  offsets: (Offset | null)[] | null;
}

const nerPath = resolve(sharedDir, "golden/albert-ner-mini.jsonl");
const present = existsSync(goldenPath) && existsSync(nerPath);
const readJsonl = <T>(path: string): T[] =>
  (present ? readFileSync(path, "utf8") : "")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as T);
const texts = readJsonl<{ text: string }>(goldenPath).map((g) => g.text);
const ner = readJsonl<NerGolden>(nerPath);

/** Each token as `piece@[start,end)="original text"`, to read failures easily. */
function spans(text: string): string[] {
  const { pieces, offsets } = albert().tokenize(text);
  return pieces.map((p, i) => `${p}@${JSON.stringify(offsets[i])}=${JSON.stringify(text.slice(...offsets[i]!))}`);
}

describe.skipIf(!present)("offsets on the goldens", () => {
  it("equal the NER golden's offsets wherever it gives them", () => {
    const tokenizer = albert();
    const given = ner.filter((g) => g.offsets !== null);
    expect(given.length).toBeGreaterThanOrEqual(60);
    for (const g of given) {
      const encoding = tokenizer.encode(g.text);
      expect(encoding.ids).toEqual(g.ids);
      expect(encoding.offsets, g.text).toEqual(g.offsets);
    }
  });

  it("map back to their pieces on every NER golden text, including those without golden offsets", () => {
    const tokenizer = albert();
    expect(ner.filter((g) => g.offsets === null).length).toBeGreaterThan(0);
    for (const g of ner) {
      const { ids, pieces, offsets } = tokenizer.tokenize(g.text);
      expect([2, ...ids, 3]).toEqual(g.ids);
      expect(mapBackErrors(g.text, pieces, offsets), g.text).toEqual([]);
    }
  });

  it("map back to their pieces on all 1,241 tokenizer goldens", () => {
    const tokenizer = albert();
    expect(texts.length).toBe(1241);
    const failures: string[] = [];
    let tokens = 0;
    for (const [i, text] of texts.entries()) {
      const { pieces, offsets } = tokenizer.tokenize(text);
      tokens += pieces.length;
      const errors = mapBackErrors(text, pieces, offsets);
      if (errors.length > 0) failures.push(`line ${i + 1}: ${errors.slice(0, 2).join("; ")}`);
    }
    expect(failures).toEqual([]);
    expect(tokens).toBeGreaterThan(90_000);
  });

  it("are the same computed lazily (the default) and eagerly", () => {
    const tokenizer = albert();
    for (const text of texts) {
      const lazy = tokenizer.encode(text, { maxLength: 64 });
      const eager = tokenizer.encode(text, { maxLength: 64, offsets: "eager" });
      expect(lazy.offsets).toEqual(eager.offsets);
      expect(lazy.offsets).toEqual([null, ...tokenizer.tokenize(text).offsets.slice(0, lazy.ids.length - 2), null]);
    }
  });
});

describe("offsets on hand cases", () => {
  it("exclude the whitespace a leading ▁ stands for, across spaces, tabs and newlines", () => {
    expect(spans("  Hello,\t\tworld!  ")).toEqual(['▁hello@[2,7]="Hello"', ',@[7,8]=","', '▁world@[10,15]="world"', '!@[15,16]="!"']);
    expect(spans("a\nb\r\n\u3000c")).toEqual(['▁a@[0,1]="a"', '▁b@[2,3]="b"', '▁c@[6,7]="c"']);
    expect(albert().tokenize("   ").offsets).toEqual([]);
  });

  it("give a lone ▁ the empty span where the following text begins", () => {
    // "``" is rewritten to '"', which needs a piece of its own after the dummy-prefix ▁.
    expect(spans("``quoted'' text")).toEqual([
      '▁@[0,0]=""',
      '"@[0,2]="``"',
      'quo@[2,5]="quo"',
      'ted@[5,8]="ted"',
      '"@[8,10]="\'\'"',
      '▁text@[11,15]="text"',
    ]);
    // After a run of spaces: empty at the run's end.
    expect(spans("x  (y)")).toEqual(['▁x@[0,1]="x"', '▁@[3,3]=""', '(@[3,4]="("', 'y@[4,5]="y"', ')@[5,6]=")"']);
    expect(spans("in  2024")).toEqual(['▁in@[0,2]="in"', '▁20@[4,6]="20"', '24@[6,8]="24"']);
  });

  it("cover accents, decomposed marks and NFKD expansions", () => {
    expect(spans("Café naïve")).toEqual(['▁cafe@[0,4]="Café"', '▁naive@[5,10]="naïve"']);
    // A combining mark dropped by preprocessing belongs to the letter before it.
    expect(spans("cafe\u0301 x")[0]).toBe('▁cafe@[0,5]="cafe\u0301"');
    expect(spans("İstanbul")).toEqual(['▁istanbul@[0,8]="İstanbul"']);
    // With accents kept, İ lowercases to two code units ("i" + U+0307): both keep İ's span.
    const kept = AlbertTokenizer.fromModel(modelBytes(), { keepAccents: true }).tokenize("İİ  İstanbul");
    expect(kept.pieces).toEqual(["▁i", "\u0307", "i", "\u0307", "▁i", "\u0307", "stan", "bul"]);
    expect(kept.offsets).toEqual([[0, 1], [0, 1], [1, 2], [1, 2], [4, 5], [4, 5], [5, 9], [9, 12]]);
    // One character, several pieces: they share its span.
    expect(spans("½")).toEqual(['▁1@[0,1]="½"', '⁄@[0,1]="½"', '2@[0,1]="½"']);
    expect(spans("ﬁne")).toEqual(['▁fine@[0,3]="ﬁne"']);
  });

  it("follow the precompiled charsmap (full-width forms)", () => {
    expect(spans("ＡＢＣ １２３")).toEqual(['▁abc@[0,3]="ＡＢＣ"', '▁12@[4,6]="１２"', '3@[6,7]="３"']);
  });

  it("count UTF-16 code units and never split a surrogate pair", () => {
    const text = "emoji 😀👍🏽 ok";
    const { ids, offsets } = albert().tokenize(text);
    expect(spans(text)).toEqual(['▁em@[0,2]="em"', 'oji@[2,5]="oji"', '▁@[6,6]=""', '😀👍🏽@[6,12]="😀👍🏽"', '▁ok@[13,15]="ok"']);
    // The emoji are one <unk> covering the original characters.
    expect(ids[3]).toBe(albert().pieceToId("<unk>"));
    expect(offsets[3]).toEqual([6, 12]);
    expect(spans("a 𝐀𝐁 b")).toEqual(['▁a@[0,1]="a"', '▁ab@[2,6]="𝐀𝐁"', '▁b@[7,8]="b"']);
  });

  it("follow the digit-comma split", () => {
    expect(spans("1,000, 2")).toEqual(['▁1,000@[0,5]="1,000"', ',@[5,6]=","', '▁2@[7,8]="2"']);
    expect(spans("12,34,56")).toEqual(['▁12@[0,2]="12"', ',@[2,3]=","', '34@[3,5]="34"', ',@[5,6]=","', '56@[6,8]="56"']);
    expect(spans("in 1999, then")).toEqual(['▁in@[0,2]="in"', '▁1999@[3,7]="1999"', ',@[7,8]=","', '▁then@[9,13]="then"']);
    expect(spans("é1,")).toEqual(['▁@[0,0]=""', 'e@[0,1]="é"', '1@[1,2]="1"', ',@[2,3]=","']);
    // Full-width digits and comma: each split piece still covers its own characters.
    expect(spans("１９９９，")).toEqual(['▁1999@[0,4]="１９９９"', ',@[4,5]="，"']);
  });

  it("are checked by a map-back test that rejects wrong spans", () => {
    const text = "Hello, wonderful world";
    const { pieces, offsets } = albert().tokenize(text);
    expect(mapBackErrors(text, pieces, offsets)).toEqual([]);
    const shifted = offsets.map(([s, e]): Offset => [s + 1, e + 1]);
    expect(mapBackErrors(text, pieces, shifted).length).toBeGreaterThan(0);
    // Taking in the space before "▁wonderful" breaks the ▁ convention.
    const withSpace = offsets.map(([s, e], i): Offset => (i === 2 ? [s - 1, e] : [s, e]));
    expect(pieces[2]).toBe("▁wonderful");
    expect(mapBackErrors(text, pieces, withSpace)).toEqual(["token 2: span [6, 16) starts or ends with whitespace"]);
  });

  it("keep the map-back property on awkward strings", () => {
    const tokenizer = albert();
    for (const text of ["a\u00a8b", "x\u200by", "ΟΔΟΣ Σ", "\ud800 lone", "ǅemo ǈ", "①②③ ⑴", "ﾊﾝｶｸ ｶﾀｶﾅ", "a\u0301\u0302b", " ``'' ''`` "]) {
      const { pieces, offsets } = tokenizer.tokenize(text);
      expect(mapBackErrors(text, pieces, offsets), text).toEqual([]);
    }
  });
});
