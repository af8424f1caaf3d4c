/**
 * @module test/unit/tokenizer/preprocess
 * HF AlbertTokenizer.preprocess_text with Python semantics. Expected strings were produced by
 * CPython 3.11 (Unicode 14) running the reference steps:
 *   " ".join(t.strip().split()); .replace("``", '"').replace("''", '"');
 *   NFKD + drop unicodedata.combining(c) != 0 (unless keep_accents); .lower() (if lowercase)
 */
import { describe, expect, it } from "vitest";
import { collapseWhitespace, isCombining, isPythonDigit, preprocessText } from "../../../src/tokenizer/preprocess.ts";

interface Case {
  text: string;
  /** lowercase, accents stripped (the ALBERT default) */
  lower: string;
  /** lowercase, keep_accents */
  keep: string;
  /** no lowercase, accents stripped */
  nolower: string;
}

const cases: Case[] = [
  { text: "  a \t b\n\nc \u000b\f\r d  ", lower: "a b c d", keep: "a b c d", nolower: "a b c d" },
  { text: "x\u001cy\u001dz\u001ew\u001fv", lower: "x y z w v", keep: "x y z w v", nolower: "x y z w v" },
  {
    text: "a\u0085b\u00a0c\u1680d\u2000e\u200af\u2028g\u2029h\u202fi\u205fj\u3000k",
    lower: "a b c d e f g h i j k",
    keep: "a b c d e f g h i j k",
    nolower: "a b c d e f g h i j k",
  },
  {
    // Not Python whitespace (though U+FEFF and U+180E are JS \s).
    text: "keep\u200bzero\ufeffwidth\u180eMongolian",
    lower: "keep\u200bzero\ufeffwidth\u180emongolian",
    keep: "keep\u200bzero\ufeffwidth\u180emongolian",
    nolower: "keep\u200bzero\ufeffwidth\u180eMongolian",
  },
  {
    text: "``quote'' and '''triple''' ````",
    lower: "\"quote\" and \"'triple\"' \"\"",
    keep: "\"quote\" and \"'triple\"' \"\"",
    nolower: "\"quote\" and \"'triple\"' \"\"",
  },
  { text: "Caf\u00e9 na\u00efve r\u00e9sum\u00e9", lower: "cafe naive resume", keep: "caf\u00e9 na\u00efve r\u00e9sum\u00e9", nolower: "Cafe naive resume" },
  { text: "\u0130stanbul", lower: "istanbul", keep: "i\u0307stanbul", nolower: "Istanbul" },
  {
    // Final sigma: Python's str.lower() and JS toLowerCase() share the Final_Sigma rule.
    text: "\u039f\u0394\u039f\u03a3 \u039f\u0394\u039f\u03a3. \u03a3\u0391 \u03a3 a\u03a3 A\u03a3'B A\u03a3\u0301 \u03a3\u0345",
    lower: "\u03bf\u03b4\u03bf\u03c2 \u03bf\u03b4\u03bf\u03c2. \u03c3\u03b1 \u03c3 a\u03c2 a\u03c3'b a\u03c2 \u03c3",
    keep: "\u03bf\u03b4\u03bf\u03c2 \u03bf\u03b4\u03bf\u03c2. \u03c3\u03b1 \u03c3 a\u03c2 a\u03c3'b a\u03c2\u0301 \u03c3\u0345",
    nolower: "\u039f\u0394\u039f\u03a3 \u039f\u0394\u039f\u03a3. \u03a3\u0391 \u03a3 a\u03a3 A\u03a3'B A\u03a3 \u03a3",
  },
  { text: "\u038c\u03a3\u039f\u03a3", lower: "\u03bf\u03c3\u03bf\u03c2", keep: "\u03cc\u03c3\u03bf\u03c2", nolower: "\u039f\u03a3\u039f\u03a3" },
  {
    text: "\u00df \u1e9e \u01c5 \u01c8 \u01cb \ufb00 \ufb01",
    lower: "\u00df \u00df dz lj nj ff fi",
    keep: "\u00df \u00df \u01c6 \u01c9 \u01cc \ufb00 \ufb01",
    nolower: "\u00df \u1e9e Dz Lj Nj ff fi",
  },
  // U+1D165 (astral, class 216, category Mc) is dropped; U+1D16 + "5" is not a combining mark.
  { text: "\u1d165x\ud834\udd65y", lower: "\u1d165xy", keep: "\u1d165x\ud834\udd65y", nolower: "\u1d165xy" },
  // U+0345 is dropped (class 240); U+034F and U+0941 are Mn with class 0 and stay.
  { text: "a\u0345b \u034f c \u0941 d", lower: "ab \u034f c \u0941 d", keep: "a\u0345b \u034f c \u0941 d", nolower: "ab \u034f c \u0941 d" },
  { text: "\u2460\u2461\u2462 \u00b9\u00b2\u00b3 \u00bd", lower: "123 123 1\u20442", keep: "\u2460\u2461\u2462 \u00b9\u00b2\u00b3 \u00bd", nolower: "123 123 1\u20442" },
  {
    text: "\ud83d\ude00\ud83d\udc4d\ud83c\udffd",
    lower: "\ud83d\ude00\ud83d\udc4d\ud83c\udffd",
    keep: "\ud83d\ude00\ud83d\udc4d\ud83c\udffd",
    nolower: "\ud83d\ude00\ud83d\udc4d\ud83c\udffd",
  },
];

describe("preprocessText (Python semantics)", () => {
  it.each(cases.map((c, i) => [i, c] as const))("case %i", (_, c) => {
    expect(preprocessText(c.text, { lowercase: true, keepAccents: false })).toBe(c.lower);
    expect(preprocessText(c.text, { lowercase: true, keepAccents: true })).toBe(c.keep);
    expect(preprocessText(c.text, { lowercase: false, keepAccents: false })).toBe(c.nolower);
  });

  it("collapses whitespace like str.split(), not like JS \\s", () => {
    expect(collapseWhitespace(" a  b ")).toBe("a b");
    expect(collapseWhitespace("a b")).toBe("a b");
    expect(collapseWhitespace("   ")).toBe("");
    expect(collapseWhitespace("a\ufeffb")).toBe("a\ufeffb");
  });
});

describe("Unicode tables", () => {
  it("combining class != 0 (canonical combining class, not category Mn)", () => {
    expect(isCombining(0x0301)).toBe(true);
    expect(isCombining(0x0345)).toBe(true);
    expect(isCombining(0x1d165)).toBe(true);
    expect(isCombining(0x034f)).toBe(false);
    expect(isCombining(0x0941)).toBe(false);
    expect(isCombining(0x61)).toBe(false);
  });
  it("matches str.isdigit()", () => {
    for (const c of "0123456789\u0660\u00b2\u2460\u2776\u{1d7ce}") expect(isPythonDigit(c.codePointAt(0)!)).toBe(true);
    for (const c of "a,\u00bd\u2155\u216b") expect(isPythonDigit(c.codePointAt(0)!)).toBe(false);
  });
  it("matches JS \\p{Nd} on ASCII and Latin-1 digits", () => {
    for (let c = 0; c < 0x100; c++) if (/\p{Nd}/u.test(String.fromCodePoint(c))) expect(isPythonDigit(c)).toBe(true);
  });
});
