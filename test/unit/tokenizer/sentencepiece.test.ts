/**
 * @module test/unit/tokenizer/sentencepiece
 * SentencePiece behaviour below the ALBERT layer: normalization of raw (even malformed) UTF-8
 * with the real model's charsmap, and unigram segmentation rules on small hand-built models
 * (unknown merging, byte fallback, UNUSED and USER_DEFINED pieces, tie-breaking, whitespace
 * options).
 */
import { describe, expect, it } from "vitest";
import { SentencePieceProcessor, TokenizerError, parseModelProto } from "../../../src/tokenizer/index.ts";
import { modelBytes } from "./helpers.ts";
import { buildModel, bytePieces, type TestModel } from "./model-builder.ts";

const processor = (model: TestModel): SentencePieceProcessor => new SentencePieceProcessor(parseModelProto(buildModel(model)));
const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe("normalizer with the albert charsmap (nmt_nfkc)", () => {
  const sp = new SentencePieceProcessor(parseModelProto(modelBytes()));
  const norm = (bytes: number[] | string): string =>
    text(sp.normalizeBytes(typeof bytes === "string" ? new TextEncoder().encode(bytes) : new Uint8Array(bytes)));

  it("adds the dummy prefix, collapses and escapes whitespace, trims both ends", () => {
    expect(norm("  Hello   world  ")).toBe("▁Hello▁world");
    expect(norm("a\tb\n")).toBe("▁a▁b");
    expect(norm("\u3000a\u00a0\u00a0b\u3000")).toBe("▁a▁b");
    expect(norm("   ")).toBe("");
    expect(norm("")).toBe("");
  });

  it("applies NFKC-style charsmap rules, longest match first", () => {
    expect(norm("ＡＢ１")).toBe("▁AB1");
    expect(norm("ﬁ")).toBe("▁fi");
    expect(norm([0x61, 0x01, 0x7f, 0x62])).toBe("▁ab"); // control characters are removed
    expect(norm("\u200b")).toBe(""); // zero-width space maps to nothing
    expect(norm("x\u200dy")).toBe("▁x▁y"); // ZWJ maps to a space
  });

  it("turns each malformed UTF-8 byte into U+FFFD, consuming one byte", () => {
    expect(norm([0x61, 0xff, 0x62])).toBe("▁a\ufffdb");
    expect(norm([0x61, 0xc0, 0xaf, 0x62])).toBe("▁a\ufffd\ufffdb"); // overlong
    expect(norm([0x61, 0xed, 0xa0, 0x80, 0x62])).toBe("▁a\ufffd\ufffd\ufffdb"); // surrogate
    expect(norm([0x61, 0xe2, 0x82])).toBe("▁a\ufffd\ufffd"); // truncated at the end
    expect(norm([0x80])).toBe("▁\ufffd"); // stray continuation byte
    // A well-formed U+FFFD goes through the charsmap like any character (here: to a space).
    expect(norm("a\ufffdb")).toBe("▁a▁b");
  });

  it("drops trailing U+2581 even when it was literal input", () => {
    expect(norm("a ▁ ▁")).toBe("▁a");
  });

  it("encodes malformed bytes without throwing", () => {
    const out = { ids: [] as number[], pieces: [] as string[] };
    sp.encodeBytesInto(new Uint8Array([0x61, 0xff, 0xfe, 0x62]), out);
    expect(out.pieces).toEqual(["▁a", "\ufffd\ufffd", "b"]);
    expect(out.ids).toEqual([21, sp.unkId, 220]);
  });
});

describe("unigram segmentation", () => {
  const base: TestModel = {
    pieces: [
      { piece: "<unk>", type: 2 },
      { piece: "<s>", type: 3 },
      { piece: "▁", score: -2 },
      { piece: "a", score: -2 },
      { piece: "b", score: -2 },
      { piece: "ab", score: -1 },
      { piece: "▁ab", score: -1.5 },
      { piece: "▁a", score: -1.8 },
      { piece: "▁b", score: 0, type: 5 }, // UNUSED: never produced
    ],
  };
  const sp = processor(base);

  it("picks the best-scoring path", () => {
    expect(sp.encode("ab")).toEqual({ ids: [6], pieces: ["▁ab"] });
    expect(sp.encode("  a   b  ")).toEqual({ ids: [7, 2, 4], pieces: ["▁a", "▁", "b"] });
  });

  it("gives a character without a piece the unknown id and merges runs of unknowns", () => {
    expect(sp.encode("abc ab")).toEqual({ ids: [6, 0, 6], pieces: ["▁ab", "c", "▁ab"] });
    expect(sp.encode("ccç")).toEqual({ ids: [2, 0], pieces: ["▁", "ccç"] });
  });

  it("never uses UNUSED pieces but still maps their text to their id", () => {
    expect(sp.encode("b").pieces).toEqual(["▁", "b"]);
    expect(sp.pieceToId("▁b")).toBe(8);
    expect(sp.pieceToId("<s>")).toBe(1);
    expect(sp.pieceToId("nope")).toBe(0);
  });

  it("keeps the earlier candidate on equal path scores", () => {
    const tie = processor({
      pieces: [
        { piece: "<unk>", type: 2 },
        { piece: "▁", score: -1 },
        { piece: "x", score: -1 },
        { piece: "y", score: -1 },
        { piece: "xy", score: -2 },
      ],
    });
    // ▁ + x + y and ▁ + xy both score -3: xy (found first, from the same start) stays.
    expect(tie.encode("xy").pieces).toEqual(["▁", "xy"]);
  });

  it("matches user-defined symbols as single pieces", () => {
    const ud = processor({
      pieces: [{ piece: "<unk>", type: 2 }, { piece: "▁", score: -1 }, { piece: "x", score: -1 }, { piece: "[x]", type: 4 }],
    });
    expect(ud.encode("[x]x")).toEqual({ ids: [1, 3, 2], pieces: ["▁", "[x]", "x"] });
    expect(ud.encode("[y]").pieces).toEqual(["▁", "[y]"]);
  });

  it("stays exact when two pieces share a 32-bit hash", () => {
    // FNV-1a("sfclrbb") === FNV-1a("ozdlng") === 0xdd984c43; "kzvtljx" / "dvty" collide too.
    const letters = [..."abcdefghijklmnopqrstuvwxyz"].map((c) => ({ piece: c, score: -5 }));
    const both = processor({
      pieces: [{ piece: "<unk>", type: 2 }, { piece: "▁", score: -1 }, { piece: "sfclrbb", score: -1 }, { piece: "ozdlng", score: -1 }, ...letters],
    });
    expect(both.encode("sfclrbb ozdlng").pieces).toEqual(["▁", "sfclrbb", "▁", "ozdlng"]);
    expect(both.pieceToId("sfclrbb")).toBe(2);
    expect(both.pieceToId("ozdlng")).toBe(3);
    const one = processor({ pieces: [{ piece: "<unk>", type: 2 }, { piece: "▁", score: -1 }, { piece: "kzvtljx", score: -1 }, ...letters] });
    expect(one.pieceToId("dvty")).toBe(0);
    expect(one.encode("dvty").pieces).toEqual(["▁", "d", "v", "t", "y"]);
    expect(one.encode("kzvtljx").pieces).toEqual(["▁", "kzvtljx"]);
  });

  it("spells unknown characters as byte pieces when byte_fallback is on", () => {
    const bf = processor({
      pieces: [{ piece: "<unk>", type: 2 }, { piece: "▁", score: -1 }, { piece: "a", score: -1 }, ...bytePieces()],
      byteFallback: true,
    });
    const byteId = (b: number): number => 3 + b;
    expect(bf.encode("aé")).toEqual({ ids: [1, 2, byteId(0xc3), byteId(0xa9)], pieces: ["▁", "a", "<0xC3>", "<0xA9>"] });
    expect(bf.encode("éa").ids).toEqual([1, byteId(0xc3), byteId(0xa9), 2]);
  });
});

describe("normalizer spec options (identity normalizer)", () => {
  const pieces = [{ piece: "<unk>", type: 2 }, { piece: "a", score: -1 }];
  const norm = (model: TestModel, s: string): string => text(processor(model).normalizeBytes(new TextEncoder().encode(s)));

  it("defaults: dummy prefix, collapse, escape", () => {
    expect(norm({ pieces }, "  a  b ")).toBe("▁a▁b");
  });
  it("treat_whitespace_as_suffix moves the dummy space to the end", () => {
    expect(norm({ pieces, treatWhitespaceAsSuffix: true }, " a  b ")).toBe("a▁b▁");
  });
  it("add_dummy_prefix=false", () => {
    expect(norm({ pieces, normalizer: { addDummyPrefix: false } }, " a b")).toBe("a▁b");
  });
  it("remove_extra_whitespaces=false keeps every space", () => {
    expect(norm({ pieces, normalizer: { removeExtraWhitespaces: false } }, "  a  b ")).toBe("▁▁▁a▁▁b▁");
  });
  it("escape_whitespaces=false keeps plain spaces", () => {
    expect(norm({ pieces, normalizer: { escapeWhitespaces: false } }, "a  b ")).toBe(" a b");
  });
});

describe("model validation", () => {
  const expectModelError = (model: TestModel, code: string, message: RegExp): void => {
    let error: unknown;
    try {
      processor(model);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TokenizerError);
    expect((error as TokenizerError).code).toBe(code);
    expect((error as TokenizerError).message).toMatch(message);
  };

  it("requires an unknown piece", () => {
    expectModelError({ pieces: [{ piece: "a", score: -1 }] }, "invalid_model", /unknown piece/);
  });
  it("rejects duplicate pieces", () => {
    expectModelError(
      { pieces: [{ piece: "<unk>", type: 2 }, { piece: "a" }, { piece: "a" }] },
      "invalid_model",
      /piece #2 duplicates/,
    );
  });
  it("rejects byte pieces without byte_fallback, and byte_fallback without all 256 bytes", () => {
    expectModelError({ pieces: [{ piece: "<unk>", type: 2 }, { piece: "<0x41>", type: 6 }] }, "invalid_model", /byte_fallback is false/);
    expectModelError({ pieces: [{ piece: "<unk>", type: 2 }, { piece: "<0x41>", type: 6 }], byteFallback: true }, "invalid_model", /256 byte pieces/);
  });
  it("supports only unigram models", () => {
    expectModelError({ pieces: [{ piece: "<unk>", type: 2 }], modelType: 2 }, "unsupported_model", /only unigram/);
  });
});
