/**
 * @module test/unit/tokenizer/albert
 * The public AlbertTokenizer API: [CLS]/[SEP], pieces beside ids, truncation, the HF
 * digit-comma split, options, and typed errors for bad input and bad model files.
 */
import { describe, expect, it } from "vitest";
import { AlbertTokenizer, TokenizerError } from "../../../src/tokenizer/index.ts";
import { albert, errorOf, modelBytes } from "./helpers.ts";

describe("AlbertTokenizer.encode", () => {
  const tokenizer = albert();

  it("exposes the vocabulary", () => {
    expect(tokenizer.vocabSize).toBe(30000);
    expect(tokenizer.idToPiece(2)).toBe("[CLS]");
    expect(tokenizer.idToPiece(3)).toBe("[SEP]");
    expect(tokenizer.idToPiece(10975)).toBe("▁hello");
    expect(tokenizer.pieceToId("▁hello")).toBe(10975);
    expect(tokenizer.pieceToId("not-a-piece")).toBe(1);
    expect(tokenizer.clsId).toBe(2);
    expect(tokenizer.sepId).toBe(3);
  });

  it("maps every piece back to its own id", () => {
    for (let id = 0; id < tokenizer.vocabSize; id++) {
      if (tokenizer.pieceToId(tokenizer.idToPiece(id)) !== id) throw new Error(`piece ${id} does not round-trip`);
    }
  });

  it("splits pieces that end in digit + comma as HF _tokenize does", () => {
    // "▁1," is a vocabulary piece; HF re-encodes "1" and appends ",".
    expect(tokenizer.encode("1, 2").pieces).toEqual(["[CLS]", "▁1", ",", "▁2", "[SEP]"]);
    expect(tokenizer.encode("12,34,56").pieces).toEqual(["[CLS]", "▁12", ",", "34", ",", "56", "[SEP]"]);
    expect(tokenizer.encode("in 1999, then").pieces).toEqual(["[CLS]", "▁in", "▁1999", ",", "▁then", "[SEP]"]);
    // "1," (no ▁) re-encodes as "▁1", whose ▁ is then dropped: the piece "1".
    expect(tokenizer.encode("é1,").pieces).toEqual(["[CLS]", "▁", "e", "1", ",", "[SEP]"]);
    expect(tokenizer.encode("3,a 4, 5,").ids).toEqual([2, 203, 15, 58, 268, 15, 331, 15, 3]);
  });

  it("truncates to maxLength keeping [CLS] first and [SEP] last", () => {
    const full = tokenizer.encode("the quick brown fox jumps over the lazy dog");
    expect(full.truncated).toBe(false);
    const cut = tokenizer.encode("the quick brown fox jumps over the lazy dog", { maxLength: 5 });
    expect(cut).toEqual({
      ids: [...full.ids.slice(0, 4), 3],
      pieces: [...full.pieces.slice(0, 4), "[SEP]"],
      offsets: [...full.offsets.slice(0, 4), null],
      typeIds: [0, 0, 0, 0, 0],
      truncated: true,
    });
    expect(tokenizer.encode("the quick", { maxLength: 2 })).toEqual({ ids: [2, 3], pieces: ["[CLS]", "[SEP]"], offsets: [null, null], typeIds: [0, 0], truncated: true });
    expect(tokenizer.encode("the quick", { maxLength: full.ids.length }).truncated).toBe(false);
    expect(tokenizer.encode("", { maxLength: 2 }).truncated).toBe(false);
  });

  it("honours lowercase and keepAccents", () => {
    const cased = AlbertTokenizer.fromModel(modelBytes(), { lowercase: false });
    expect(cased.encode("Hello").pieces).toEqual(["[CLS]", "▁", "H", "ello", "[SEP]"]);
    const accents = AlbertTokenizer.fromModel(modelBytes(), { keepAccents: true });
    expect(accents.encode("café").pieces).not.toEqual(tokenizer.encode("café").pieces);
    expect(tokenizer.encode("café").pieces).toEqual(tokenizer.encode("cafe").pieces);
  });

  it("treats lone surrogates as U+FFFD instead of failing", () => {
    expect(tokenizer.encode("a\ud800b").ids).toEqual(tokenizer.encode("a\ufffdb").ids);
  });
});

describe("errors", () => {
  const tokenizer = albert();

  it("rejects text that is not a string", () => {
    for (const bad of [undefined, null, 42, {}, ["a"], new Uint8Array(1)]) {
      const e = errorOf(() => tokenizer.encode(bad as unknown as string));
      expect(e.code).toBe("invalid_input");
      expect(e.message).toMatch(/text must be a string/);
    }
  });

  it("rejects a bad maxLength", () => {
    for (const bad of [0, 1, 2.5, Number.NaN, -3]) {
      expect(errorOf(() => tokenizer.encode("x", { maxLength: bad })).code).toBe("invalid_input");
    }
  });

  it("rejects ids outside the vocabulary", () => {
    expect(errorOf(() => tokenizer.idToPiece(30000)).code).toBe("invalid_input");
    expect(errorOf(() => tokenizer.idToPiece(-1)).code).toBe("invalid_input");
  });

  it("rejects model bytes that are not a SentencePiece model", () => {
    const cases: [unknown, RegExp][] = [
      ["spiece.model", /Uint8Array/],
      [new Uint8Array(0).buffer, /Uint8Array/],
      [new Uint8Array(0), /empty/],
      [new TextEncoder().encode("hello, this is not a model"), /malformed protobuf/],
      [new Uint8Array([0x0a, 0x05, 0x0a, 0x01]), /truncated/],
      [new Uint8Array([0x08, 0x01]), /no pieces/],
    ];
    for (const [bytes, message] of cases) {
      const e = errorOf(() => AlbertTokenizer.fromModel(bytes as Uint8Array));
      expect(e.code).toBe("invalid_model");
      expect(e.message).toMatch(message);
    }
  });

  it("rejects a truncated spiece.model at any cut point", () => {
    const bytes = modelBytes();
    for (const cut of [1, 2, 7, 100, 1000, 400_000, bytes.length - 237_000, bytes.length - 10, bytes.length - 1]) {
      const e = errorOf(() => AlbertTokenizer.fromModel(bytes.subarray(0, cut)));
      expect(e.code).toBe("invalid_model");
    }
  });

  it("does not depend on the caller's buffer after loading", () => {
    const copy = modelBytes().slice();
    const t = AlbertTokenizer.fromModel(copy);
    copy.fill(0);
    expect(t.encode("Hello, world!").ids).toEqual([2, 10975, 15, 126, 187, 3]);
  });
});
