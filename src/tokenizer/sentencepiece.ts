/**
 * @module tokenizer/sentencepiece
 * A SentencePiece processor for unigram models: builds the normalizer and the unigram model
 * from a parsed ModelProto with the library's validation rules (ModelInterface::
 * InitializePieces), and encodes text to pieces and ids as `sp.encode(text, out_type=str)`
 * followed by `piece_to_id` does: unknown runs merged, byte fallback when the model enables it.
 * `encodeAlignedInto` also gives each piece its span in the input text (UTF-16 code units).
 */
import { TokenizerError } from "./errors.ts";
import { ModelType, PieceType, pieceString, type ModelProto, type Pieces } from "./model-proto.ts";
import { Normalizer } from "./normalizer.ts";
import { PieceHash } from "./piece-hash.ts";
import { VocabKind, UnigramModel, type PieceSink } from "./unigram.ts";

/** float32 max, and FLT_MIN (smallest positive normal float32): the C++ min/max score seeds. */
const FLT_MAX = 3.4028234663852886e38;
const FLT_MIN = 1.1754943508222875e-38;

/** Pieces with their ids, as parallel arrays. */
export interface Encoded {
  ids: number[];
  pieces: string[];
}

/** Pieces with their ids and where each came from in the input text. */
export interface AlignedEncoded extends Encoded {
  /**
   * Per piece, [start, end) in UTF-16 code units of the input text. The whitespace that a
   * leading ▁ stands for is not included; a piece made only of ▁ gets the range of what it
   * stands for (the whitespace, or empty where the text begins for the dummy prefix).
   */
  offsets: [number, number][];
}

/** U+2581 in UTF-8. */
const SPACE_SYMBOL_0 = 0xe2;
const SPACE_SYMBOL_1 = 0x96;
const SPACE_SYMBOL_2 = 0x81;

export class SentencePieceProcessor {
  readonly vocabSize: number;
  readonly unkId: number;
  readonly byteFallback: boolean;
  /** The vocabulary as parsed (bytes, scores, types). */
  readonly vocab: Pieces;
  /** Control, unknown and byte pieces: ModelInterface::reserved_id_map_. */
  private readonly reservedPieces = new Map<string, number>();
  /**
   * Vocabulary ids whose text is also a reserved piece: piece_to_id gives the reserved id for
   * them. Null in sane models.
   */
  private shadowed: Map<number, number> | null = null;
  /** Piece strings, decoded on first use (decoding 30k strings up front costs load time). */
  private readonly strings: (string | undefined)[];
  private readonly normalizer: Normalizer;
  private readonly model: UnigramModel;
  private readonly encoder = new TextEncoder();
  /** ignoreBOM keeps a leading U+FEFF in a piece, as the C++ does. */
  private readonly decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });
  private input = new Uint8Array(1024);
  /**
   * The last encodeAlignedInto's UTF-8 byte offset -> UTF-16 index (at character boundaries),
   * or null when its text was ASCII (the identity).
   */
  private unitAt: Int32Array | null = null;
  private unitBuf = new Int32Array(0);
  /** The last encodeAlignedInto's origins: input bytes [origStart[i], origEnd[i]) per normalized byte. */
  private origStart: Int32Array = new Int32Array(0);
  private origEnd: Int32Array = new Int32Array(0);

  constructor(proto: ModelProto) {
    const { trainerSpec } = proto;
    if (trainerSpec.modelType !== ModelType.Unigram) {
      throw new TokenizerError(
        "unsupported_model",
        `spiece.model: model type ${trainerSpec.modelType} is not supported (only unigram, type 1)`,
      );
    }
    const vocab = proto.pieces;
    const { count: n, types, scores, utf8, starts, ends } = vocab;
    this.vocab = vocab;
    this.vocabSize = n;
    this.strings = new Array<string | undefined>(n);
    let unkId = -1;
    let userDefinedIds: Uint8Array | null = null;
    const byteFound = new Uint8Array(256);
    // One pass over the vocabulary (each pass over 30k pieces costs ms on cold code).
    const kinds = new Uint8Array(n);
    const weights = new Float32Array(n);
    let minScore = FLT_MAX;
    let maxScore = FLT_MIN;
    for (let id = 0; id < n; id++) {
      const type = types[id]!;
      if (type === PieceType.Normal) {
        kinds[id] = VocabKind.Normal;
        const score = scores[id]!;
        if (!Number.isFinite(score)) {
          throw new TokenizerError("invalid_model", `spiece.model: piece #${id} has a non-finite score`);
        }
        weights[id] = score;
        if (score < minScore) minScore = score;
        if (score > maxScore) maxScore = score;
        continue;
      }
      if (type === PieceType.Unused) {
        kinds[id] = VocabKind.Unused;
        weights[id] = -Infinity;
        continue;
      }
      if (type === PieceType.UserDefined) {
        kinds[id] = VocabKind.UserDefined;
        weights[id] = Infinity;
        userDefinedIds ??= new Uint8Array(n);
        userDefinedIds[id] = 1;
        continue;
      }
      const piece = this.idToPiece(id);
      if (this.reservedPieces.has(piece)) {
        throw new TokenizerError("invalid_model", `spiece.model: piece ${JSON.stringify(piece)} is defined twice`);
      }
      this.reservedPieces.set(piece, id);
      if (type === PieceType.Unknown) {
        if (unkId >= 0) throw new TokenizerError("invalid_model", "spiece.model: more than one unknown piece");
        unkId = id;
      } else if (type === PieceType.Byte) {
        if (!trainerSpec.byteFallback) {
          throw new TokenizerError("invalid_model", `spiece.model: byte piece ${piece} found although byte_fallback is false`);
        }
        const m = /^<0x([0-9A-F]{2})>$/.exec(piece);
        if (m === null) throw new TokenizerError("invalid_model", `spiece.model: byte piece ${piece} is invalid`);
        byteFound[parseInt(m[1]!, 16)] = 1;
      }
    }
    if (unkId < 0) throw new TokenizerError("invalid_model", "spiece.model: no unknown piece (<unk>) is defined");
    if (trainerSpec.byteFallback && byteFound.includes(0)) {
      throw new TokenizerError("invalid_model", "spiece.model: byte_fallback is set but the 256 byte pieces are not all there");
    }
    this.unkId = unkId;
    this.byteFallback = trainerSpec.byteFallback;
    this.normalizer = new Normalizer({
      spec: proto.normalizerSpec,
      treatWhitespaceAsSuffix: trainerSpec.treatWhitespaceAsSuffix,
      userDefined: userDefinedIds === null ? null : PieceHash.build(utf8, starts, ends, userDefinedIds).table,
    });
    this.model = new UnigramModel({ pieces: vocab, kinds, weights, minScore, maxScore, unkId });
    for (const [piece, reservedId] of this.reservedPieces) {
      const normalId = this.vocabId(piece);
      if (normalId >= 0) (this.shadowed ??= new Map()).set(normalId, reservedId);
    }
  }

  /** The piece string of `id` (0 <= id < vocabSize). */
  idToPiece(id: number): string {
    let s = this.strings[id];
    if (s === undefined) {
      s = pieceString(this.vocab, id, this.decoder);
      this.strings[id] = s;
    }
    return s;
  }

  /** `piece_to_id`: reserved (control, unknown, byte) pieces first, then the vocabulary, else unk. */
  pieceToId(piece: string): number {
    const reserved = this.reservedPieces.get(piece);
    if (reserved !== undefined) return reserved;
    const id = this.vocabId(piece);
    return id >= 0 ? id : this.unkId;
  }

  /** Encodes `text` (normalization + unigram) and appends pieces and ids to `out`. */
  encodeInto(text: string, out: Encoded): void {
    const needed = text.length * 3;
    if (this.input.length < needed) this.input = new Uint8Array(Math.max(needed, this.input.length * 2));
    const { written } = this.encoder.encodeInto(text, this.input);
    const normalized = this.normalizer.normalize(this.input, written);
    this.model.encode(normalized, normalized.length, this.sinkFor(out));
    if (this.input.length > 1 << 22) this.input = new Uint8Array(1024);
  }

  /**
   * `encodeInto` that also records each piece's span in `text` (see AlignedEncoded).
   * `spanOfNormalized` answers for this call until the next encodeAlignedInto.
   */
  encodeAlignedInto(text: string, out: AlignedEncoded): void {
    const needed = text.length * 3;
    if (this.input.length < needed) this.input = new Uint8Array(Math.max(needed, this.input.length * 2));
    const { written } = this.encoder.encodeInto(text, this.input);
    this.unitAt = null;
    if (written !== text.length) {
      if (this.unitBuf.length < written + 1 || this.unitBuf.length > 4 * (written + 1024)) this.unitBuf = new Int32Array(written + 1);
      fillUnitIndex(text, this.unitBuf);
      this.unitAt = this.unitBuf;
    }
    const normalized = this.normalizer.normalizeAligned(this.input, written);
    const origins = this.normalizer.origins();
    this.origStart = origins.start;
    this.origEnd = origins.end;
    this.model.encode(normalized, normalized.length, this.alignedSinkFor(out, normalized));
    if (this.input.length > 1 << 22) this.input = new Uint8Array(1024);
  }

  /**
   * The input-text span (UTF-16 code units) of normalized bytes [start, end) of the last
   * encodeAlignedInto (start < end, on character boundaries). The normalized text is the
   * concatenation of the pieces' UTF-8 (a byte-fallback piece is one byte).
   */
  spanOfNormalized(start: number, end: number): [number, number] {
    const a = this.origStart[start]!;
    const b = this.origEnd[end - 1]!;
    const unitAt = this.unitAt;
    return unitAt === null ? [a, b] : [unitAt[a]!, unitAt[b]!];
  }

  /**
   * SentencePiece normalization of raw UTF-8 bytes (malformed sequences included: each bad
   * byte becomes U+FFFD), as `NormalizerSpec` + precompiled charsmap define it. Returns a copy.
   */
  normalizeBytes(bytes: Uint8Array): Uint8Array {
    return this.normalizer.normalize(bytes, bytes.length).slice();
  }

  /** Encodes raw UTF-8 bytes (which may be malformed) and appends pieces and ids to `out`. */
  encodeBytesInto(bytes: Uint8Array, out: Encoded): void {
    const normalized = this.normalizer.normalize(bytes, bytes.length);
    this.model.encode(normalized, normalized.length, this.sinkFor(out));
  }

  /** Encodes `text` to new arrays. */
  encode(text: string): Encoded {
    const out: Encoded = { ids: [], pieces: [] };
    this.encodeInto(text, out);
    return out;
  }

  /** Id of a NORMAL / USER_DEFINED / UNUSED piece with exactly this text, or -1. */
  private vocabId(piece: string): number {
    const bytes = this.encoder.encode(piece);
    return this.model.index.get(bytes, 0, bytes.length);
  }

  /** `sinkFor` that also records each piece's normalized start and its span (see AlignedEncoded). */
  private alignedSinkFor(out: AlignedEncoded, normalized: Uint8Array): PieceSink {
    const { ids, pieces, offsets } = out;
    const from = this.origStart;
    const to = this.origEnd;
    const unitAt = this.unitAt;
    const plain = this.sinkFor(out);
    const span = (start: number, end: number): void => {
      // Skip the leading ▁s; a piece of only ▁ keeps the span of what they stand for.
      let s = start;
      while (s + 3 <= end && normalized[s] === SPACE_SYMBOL_0 && normalized[s + 1] === SPACE_SYMBOL_1 && normalized[s + 2] === SPACE_SYMBOL_2) s += 3;
      const b = to[end - 1]!;
      const a = s < end ? from[s]! : from[start]!;
      offsets.push(unitAt === null ? [a, b] : [unitAt[a]!, unitAt[b]!]);
    };
    return {
      known: (id, start, end) => {
        ids.push(this.shadowed === null ? id : (this.shadowed.get(id) ?? id));
        pieces.push(this.strings[id] ?? this.idToPiece(id));
        span(start, end);
      },
      unknown: (bytes, start, end) => {
        const before = ids.length;
        plain.unknown(bytes, start, end);
        if (ids.length === before + 1) span(start, end);
        // Byte fallback: one piece per byte, each with the span of the character it is part of.
        else for (let i = start; i < end; i++) span(i, i + 1);
      },
    };
  }

  private sinkFor(out: Encoded): PieceSink {
    const { ids, pieces } = out;
    return {
      known: (id) => {
        ids.push(this.shadowed === null ? id : (this.shadowed.get(id) ?? id));
        pieces.push(this.strings[id] ?? this.idToPiece(id));
      },
      unknown: (bytes, start, end) => {
        if (this.byteFallback) {
          for (let i = start; i < end; i++) {
            const piece = `<0x${bytes[i]!.toString(16).toUpperCase().padStart(2, "0")}>`;
            ids.push(this.pieceToId(piece));
            pieces.push(piece);
          }
          return;
        }
        const piece = this.decoder.decode(bytes.subarray(start, end));
        ids.push(this.pieceToId(piece));
        pieces.push(piece);
      },
    };
  }
}

/** Fills map[byte offset of each character's UTF-8] = its UTF-16 index (and map[end] = length). */
function fillUnitIndex(text: string, map: Int32Array): void {
  const n = text.length;
  let b = 0;
  for (let u = 0; u < n; u++) {
    map[b] = u;
    const c = text.charCodeAt(u);
    if (c < 0x80) b += 1;
    else if (c < 0x800) b += 2;
    else if (c >= 0xd800 && c <= 0xdbff && u + 1 < n && (text.charCodeAt(u + 1) & 0xfc00) === 0xdc00) {
      b += 4;
      u++;
    } else b += 3; // BMP, or a lone surrogate (encoded as U+FFFD)
  }
  map[b] = n;
}
