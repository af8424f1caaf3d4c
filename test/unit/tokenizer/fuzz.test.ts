/**
 * @module test/unit/tokenizer/fuzz
 * Seeded random strings (control characters, lone surrogates, combining marks, emoji, Python
 * whitespace, digits and commas, CJK, ...) plus a few 1 MB inputs: the tokenizer never throws
 * and always returns well-formed encodings with ids inside the vocabulary. Deterministic.
 */
import { describe, expect, it } from "vitest";
import { AlbertTokenizer, type Encoding } from "../../../src/tokenizer/index.ts";
import { preprocessText } from "../../../src/tokenizer/preprocess.ts";
import { preprocessAligned } from "../../../src/tokenizer/preprocess-aligned.ts";
import { albert, modelBytes } from "./helpers.ts";
import { mapBackErrors } from "./map-back.ts";

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Code point ranges to draw from, with weights. */
const POOLS: [number, number, number][] = [
  [0x20, 0x7e, 30], // printable ASCII
  [0x00, 0x1f, 4], // C0 controls
  [0x7f, 0x9f, 2], // DEL, C1 controls
  [0xa0, 0x24f, 6], // Latin-1, Latin Extended
  [0x300, 0x36f, 5], // combining diacritics
  [0x370, 0x3ff, 3], // Greek (final sigma)
  [0x400, 0x4ff, 2], // Cyrillic
  [0x590, 0x6ff, 2], // Hebrew, Arabic
  [0x900, 0x97f, 1], // Devanagari
  [0x1100, 0x11ff, 1], // Hangul jamo
  [0x1e00, 0x1eff, 2], // Latin Extended Additional
  [0x2000, 0x206f, 4], // General punctuation: spaces, ZW*, bidi controls
  [0x2070, 0x218f, 2], // super/subscripts, letterlike, number forms
  [0x2460, 0x24ff, 1], // enclosed alphanumerics
  [0x2581, 0x2581, 2], // the SentencePiece space symbol itself
  [0x3000, 0x303f, 2], // CJK punctuation, ideographic space
  [0x4e00, 0x9fff, 3], // CJK
  [0xac00, 0xd7a3, 1], // Hangul
  [0xd800, 0xdfff, 3], // lone surrogates
  [0xe000, 0xf8ff, 1], // private use
  [0xfb00, 0xfb4f, 1], // ligatures
  [0xfe00, 0xfe0f, 1], // variation selectors
  [0xfeff, 0xfeff, 1], // BOM
  [0xff00, 0xffef, 2], // fullwidth
  [0xfff0, 0xffff, 1], // specials, noncharacters, U+FFFD
  [0x1d400, 0x1d7ff, 1], // math alphanumerics
  [0x1f300, 0x1faff, 4], // emoji
  [0x1f3fb, 0x1f3ff, 1], // skin tones
  [0xe0000, 0xe007f, 1], // tags
  [0x10fff0, 0x10ffff, 1], // end of the code space
];
const TOTAL = POOLS.reduce((n, p) => n + p[2], 0);
const SNIPPETS = ["1,", "12,345,", " 3, ", "``", "''", "[CLS]", "<unk>", "  ", "\u200d", "İ", "ΑΣ ", "ﷺ", "e\u0301", "\r\n"];

function randomString(rand: () => number, maxLength: number): string {
  const length = Math.floor(rand() * rand() * maxLength);
  const parts: string[] = [];
  for (let i = 0; i < length; i++) {
    if (rand() < 0.05) {
      parts.push(SNIPPETS[Math.floor(rand() * SNIPPETS.length)]!);
      continue;
    }
    let pick = rand() * TOTAL;
    let pool = POOLS[0]!;
    for (const p of POOLS) {
      pool = p;
      pick -= p[2];
      if (pick < 0) break;
    }
    const cp = pool[0] + Math.floor(rand() * (pool[1] - pool[0] + 1));
    // String.fromCharCode keeps lone surrogates lone; fromCodePoint for the rest.
    parts.push(cp <= 0xffff ? String.fromCharCode(cp) : String.fromCodePoint(cp));
  }
  return parts.join("");
}

function checkEncoding(tokenizer: AlbertTokenizer, enc: Encoding, maxLength?: number): void {
  const { ids, pieces } = enc;
  if (ids.length !== pieces.length) throw new Error(`ids/pieces length mismatch`);
  if (ids[0] !== 2 || ids[ids.length - 1] !== 3) throw new Error(`missing [CLS]/[SEP]`);
  if (maxLength !== undefined && ids.length > maxLength) throw new Error(`longer than maxLength`);
  for (const id of ids) {
    if (!Number.isInteger(id) || id < 0 || id >= tokenizer.vocabSize) throw new Error(`id ${id} outside the vocabulary`);
  }
  for (const p of pieces) if (typeof p !== "string" || p.length === 0) throw new Error(`empty piece`);
}

describe("fuzz", () => {
  it("encodes 100,000 random strings without throwing, ids in the vocabulary", () => {
    const tokenizer = albert();
    const rand = prng(20240601);
    let failures = 0;
    const examples: string[] = [];
    for (let i = 0; i < 100_000; i++) {
      const text = randomString(rand, i % 100 === 0 ? 400 : 48);
      try {
        const full = tokenizer.encode(text);
        checkEncoding(tokenizer, full);
        if (i % 10 === 0) {
          const maxLength = 2 + Math.floor(rand() * 12);
          const cut = tokenizer.encode(text, { maxLength });
          checkEncoding(tokenizer, cut, maxLength);
          const expected = full.ids.length > maxLength ? [...full.ids.slice(0, maxLength - 1), 3] : full.ids;
          if (cut.ids.join() !== expected.join() || cut.truncated !== full.ids.length > maxLength) {
            throw new Error("truncation is not a prefix of the full encoding");
          }
        }
      } catch (e) {
        failures++;
        if (examples.length < 5) examples.push(`${JSON.stringify(text)}: ${(e as Error).message}`);
      }
    }
    expect(examples).toEqual([]);
    expect(failures).toBe(0);
  });

  it("gives offsets that map back to their pieces on 5,000 random strings", () => {
    const tokenizer = albert();
    const rand = prng(15);
    const failures: string[] = [];
    for (let i = 0; i < 5000; i++) {
      const text = randomString(rand, 64);
      const { ids, pieces, offsets } = tokenizer.tokenize(text);
      if (ids.join() !== tokenizer.encode(text).ids.slice(1, -1).join()) failures.push(`${JSON.stringify(text)}: ids differ from encode`);
      const errors = mapBackErrors(text, pieces, offsets);
      if (errors.length > 0) failures.push(`${JSON.stringify(text)}: ${errors[0]}`);
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it("aligned preprocessing gives exactly preprocess_text's text, for all four settings", () => {
    const rand = prng(99);
    const failures: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const text = randomString(rand, 48);
      const options = { lowercase: i % 2 === 0, keepAccents: i % 4 >= 2 };
      const aligned = preprocessAligned(text, options);
      if (aligned.text !== preprocessText(text, options)) failures.push(`${JSON.stringify(text)} ${JSON.stringify(options)}`);
      if (aligned.starts !== null && (aligned.starts.length !== aligned.text.length || aligned.ends!.length !== aligned.text.length)) {
        failures.push(`${JSON.stringify(text)}: alignment length`);
      }
    }
    expect(failures.slice(0, 5)).toEqual([]);
  });

  it("gives offsets with keepAccents and without lowercasing too", () => {
    const rand = prng(3);
    for (const options of [{ keepAccents: true }, { lowercase: false }]) {
      const tokenizer = AlbertTokenizer.fromModel(modelBytes(), options);
      for (let i = 0; i < 500; i++) {
        const text = randomString(rand, 48);
        const { pieces, offsets } = tokenizer.tokenize(text);
        expect(offsets.length).toBe(pieces.length);
        for (let k = 0; k < offsets.length; k++) {
          const [s, e] = offsets[k]!;
          expect(0 <= s && s <= e && e <= text.length && (k === 0 || s >= offsets[k - 1]![0])).toBe(true);
        }
      }
      const text = "Café ``Naïve''";
      expect(tokenizer.tokenize(text).offsets.map(([s, e]) => text.slice(s, e)).join("|")).toBe(
        options.keepAccents === true ? "Ca|f|é||``|Na|ï|ve|''" : "|C|af|é||``|N|a|ïve|''",
      );
    }
  });

  it("handles 1 MB inputs", () => {
    const tokenizer = albert();
    const rand = prng(7);
    const mb = 1 << 20;
    const words = ["the", "movie", "was", "great,", "1,000", "<br />", "naïve", "😀", "ΣΑΣ", "\u3000", "\t"];
    const inputs = [
      Array.from({ length: mb / 6 }, () => words[Math.floor(rand() * words.length)]).join(" ").slice(0, mb),
      "a".repeat(mb),
      " \t\n".repeat(mb / 3),
      "😀".repeat(mb / 2),
      "\ud800".repeat(mb),
      randomString(rand, 2 * mb).slice(0, mb),
    ];
    for (const text of inputs) {
      const enc = tokenizer.encode(text);
      checkEncoding(tokenizer, enc);
      expect(tokenizer.encode(text, { maxLength: 512 }).ids.length).toBeLessThanOrEqual(512);
    }
    // Whitespace only: just [CLS] [SEP]; one run of unknown emoji: a single <unk>.
    expect(tokenizer.encode(inputs[2]!).ids).toEqual([2, 3]);
    expect(tokenizer.encode(inputs[3]!).ids).toEqual([2, 13, 1, 3]);
  });
});
