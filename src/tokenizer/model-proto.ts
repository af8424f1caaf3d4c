/**
 * @module tokenizer/model-proto
 * Reads a SentencePiece `spiece.model` (ModelProto, sentencepiece_model.proto) into plain
 * data: pieces with scores and types, the trainer-spec fields that change encoding, and the
 * normalizer spec including the precompiled charsmap. Unknown fields are skipped, as protobuf
 * requires; proto2 defaults are applied for fields that are absent.
 */
import { TokenizerError } from "./errors.ts";
import { ProtoReader, WireType } from "./protobuf.ts";

/** SentencePiece.Type (sentencepiece_model.proto). */
export const PieceType = {
  Normal: 1,
  Unknown: 2,
  Control: 3,
  UserDefined: 4,
  Unused: 5,
  Byte: 6,
} as const;
export type PieceType = (typeof PieceType)[keyof typeof PieceType];

/** TrainerSpec.ModelType. */
export const ModelType = { Unigram: 1, Bpe: 2, Word: 3, Char: 4 } as const;

/**
 * The vocabulary, column-wise (30k pieces load without allocating 30k objects, views or
 * strings; strings are decoded on demand with `pieceString`). Piece `id`'s UTF-8 bytes are
 * `utf8[starts[id], ends[id])`, where `utf8` is a private copy of the model file.
 */
export interface Pieces {
  count: number;
  /** float32 scores. */
  scores: Float32Array;
  /** PieceType values. */
  types: Uint8Array;
  utf8: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
}

export interface TrainerSpec {
  modelType: number;
  byteFallback: boolean;
  treatWhitespaceAsSuffix: boolean;
  unkId: number;
  bosId: number;
  eosId: number;
  padId: number;
}

export interface NormalizerSpec {
  name: string;
  /** Empty when the model uses identity normalization. */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
}

export interface ModelProto {
  pieces: Pieces;
  trainerSpec: TrainerSpec;
  normalizerSpec: NormalizerSpec;
}

const PIECES_KEY = (1 << 3) | WireType.LengthDelimited;
const TRAINER_SPEC_KEY = (2 << 3) | WireType.LengthDelimited;
const NORMALIZER_SPEC_KEY = (3 << 3) | WireType.LengthDelimited;

/** Parses ModelProto bytes. Throws TokenizerError("invalid_model") on malformed input. */
export function parseModelProto(input: Uint8Array): ModelProto {
  if (!(input instanceof Uint8Array)) {
    throw new TokenizerError("invalid_model", "spiece.model: expected the model file's bytes as a Uint8Array");
  }
  if (input.length === 0) throw new TokenizerError("invalid_model", "spiece.model: the model file is empty");
  // A private copy: pieces and the charsmap are views into it, so later writes to the
  // caller's buffer cannot change the tokenizer.
  const bytes = input.slice();
  const pieces = new PieceColumns(bytes);
  let trainerSpec: TrainerSpec | undefined;
  let normalizerSpec: NormalizerSpec | undefined;
  const r = new ProtoReader(bytes);
  while (r.more()) {
    if (bytes[r.position] === PIECES_KEY) {
      r.seek(pieces.read(r.position + 1));
      continue;
    }
    const key = r.key();
    if (key === TRAINER_SPEC_KEY) {
      const outer = r.enter();
      trainerSpec = readTrainerSpec(r);
      r.leave(outer);
    } else if (key === NORMALIZER_SPEC_KEY) {
      const outer = r.enter();
      normalizerSpec = readNormalizerSpec(r);
      r.leave(outer);
    } else r.skip(key & 7);
  }
  if (pieces.count === 0) throw new TokenizerError("invalid_model", "spiece.model: the model has no pieces");
  return {
    pieces: pieces.finish(),
    trainerSpec: trainerSpec ?? readTrainerSpec(new ProtoReader(new Uint8Array(0))),
    normalizerSpec: normalizerSpec ?? readNormalizerSpec(new ProtoReader(new Uint8Array(0))),
  };
}

/** Decodes piece `id`'s string (invalid UTF-8 becomes U+FFFD; a leading U+FEFF is kept). */
export function pieceString(pieces: Pieces, id: number, decoder: { decode(input: Uint8Array): string }): string {
  return decoder.decode(pieces.utf8.subarray(pieces.starts[id]!, pieces.ends[id]!));
}

/**
 * Reads SentencePiece messages (field 1 of ModelProto) into growable columns. This is the hot
 * part of loading (one message per vocabulary entry), so it is a flat loop over the bytes
 * rather than calls through ProtoReader; the checks are the same.
 */
class PieceColumns {
  count = 0;
  scores: Float32Array;
  types: Uint8Array;
  starts: Int32Array;
  ends: Int32Array;
  private readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const cap = Math.max(16, bytes.length >> 4);
    this.scores = new Float32Array(cap);
    this.types = new Uint8Array(cap);
    this.starts = new Int32Array(cap);
    this.ends = new Int32Array(cap);
  }

  /**
   * Reads the length-prefixed SentencePiece message at `pos` and every piece field that
   * directly follows it (they are contiguous in real models); returns the offset after the
   * last one. One long loop rather than a call per piece, so V8 optimizes it early.
   */
  read(pos: number): number {
    const bytes = this.bytes;
    const limit = bytes.length;
    let p = pos;
    for (;;) {
      const index = this.count;
      let len: number;
      if (p < limit && bytes[p]! < 0x80) len = bytes[p++]!;
      else {
        len = varint(bytes, p, limit);
        p = varintEnd;
      }
      const end = p + len;
      if (end > limit) malformed(`piece #${index} is truncated`);
      let start = -1;
      let stop = -1;
      let score = 0;
      let type = PieceType.Normal as number;
      while (p < end) {
        let key = bytes[p]!;
        if (key < 0x80) p++;
        else {
          key = varint(bytes, p, end);
          p = varintEnd;
        }
        if (key === 0x0a) {
          // 1: piece (string)
          let n: number;
          if (p < end && bytes[p]! < 0x80) n = bytes[p++]!;
          else {
            n = varint(bytes, p, end);
            p = varintEnd;
          }
          if (n > end - p) malformed(`piece #${index}: string is truncated`);
          start = p;
          stop = p + n;
          p = stop;
        } else if (key === 0x15) {
          // 2: score (float)
          if (p + 4 > end) malformed(`piece #${index}: score is truncated`);
          score = this.view.getFloat32(p, true);
          p += 4;
        } else if (key === 0x18) {
          // 3: type (enum)
          type = int32(bytes, p, end);
          p = varintEnd;
        } else {
          p = skipField(bytes, p, end, key);
        }
      }
      if (start === stop) throw new TokenizerError("invalid_model", `spiece.model: piece #${index} is empty`);
      if (type < PieceType.Normal || type > PieceType.Byte) {
        throw new TokenizerError("invalid_model", `spiece.model: piece #${index} has unknown type ${type}`);
      }
      if (index === this.scores.length) this.grow();
      this.scores[index] = score;
      this.types[index] = type;
      this.starts[index] = start;
      this.ends[index] = stop;
      this.count = index + 1;
      if (p < limit && bytes[p] === PIECES_KEY) p++;
      else return p;
    }
  }

  finish(): Pieces {
    const n = this.count;
    return {
      count: n,
      scores: this.scores.subarray(0, n),
      types: this.types.subarray(0, n),
      utf8: this.bytes,
      starts: this.starts.subarray(0, n),
      ends: this.ends.subarray(0, n),
    };
  }

  private grow(): void {
    const cap = this.scores.length * 2;
    const scores = new Float32Array(cap);
    scores.set(this.scores);
    this.scores = scores;
    const types = new Uint8Array(cap);
    types.set(this.types);
    this.types = types;
    const starts = new Int32Array(cap);
    starts.set(this.starts);
    this.starts = starts;
    const ends = new Int32Array(cap);
    ends.set(this.ends);
    this.ends = ends;
  }
}

/** Where the last `varint`/`int32` call stopped (avoids allocating a result pair). */
let varintEnd = 0;

function varint(bytes: Uint8Array, pos: number, end: number): number {
  let result = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) malformed("truncated varint");
    const b = bytes[pos++]!;
    result += (b & 0x7f) * scale;
    if (b < 0x80) {
      varintEnd = pos;
      return result;
    }
    scale *= 128;
  }
  return malformed("varint longer than 10 bytes");
}

function int32(bytes: Uint8Array, pos: number, end: number): number {
  let low = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= end) malformed("truncated varint");
    const b = bytes[pos++]!;
    if (i < 5) low |= (b & 0x7f) << (7 * i);
    if (b < 0x80) {
      varintEnd = pos;
      return low | 0;
    }
  }
  return malformed("varint longer than 10 bytes");
}

function skipField(bytes: Uint8Array, pos: number, end: number, key: number): number {
  if (key < 8) malformed(`field number 0 at byte ${pos}`);
  let p = pos;
  switch (key & 7) {
    case WireType.Varint:
      varint(bytes, p, end);
      return varintEnd;
    case WireType.Fixed64:
      p += 8;
      break;
    case WireType.LengthDelimited:
      p = varint(bytes, p, end) + varintEnd;
      break;
    case WireType.Fixed32:
      p += 4;
      break;
    default:
      malformed(`unsupported wire type ${key & 7} at byte ${pos}`);
  }
  if (p > end) malformed(`truncated field at byte ${pos}`);
  return p;
}

function malformed(message: string): never {
  throw new TokenizerError("invalid_model", `spiece.model: malformed protobuf: ${message}`);
}

function readTrainerSpec(r: ProtoReader): TrainerSpec {
  // proto2 defaults from sentencepiece_model.proto.
  const spec: TrainerSpec = {
    modelType: ModelType.Unigram,
    byteFallback: false,
    treatWhitespaceAsSuffix: false,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: -1,
  };
  while (r.more()) {
    const key = r.key();
    const field = key >>> 3;
    const wire = key & 7;
    if (wire !== WireType.Varint) {
      r.skip(wire);
      continue;
    }
    switch (field) {
      case 3:
        spec.modelType = r.int32();
        break;
      case 24:
        spec.treatWhitespaceAsSuffix = r.bool();
        break;
      case 35:
        spec.byteFallback = r.bool();
        break;
      case 40:
        spec.unkId = r.int32();
        break;
      case 41:
        spec.bosId = r.int32();
        break;
      case 42:
        spec.eosId = r.int32();
        break;
      case 43:
        spec.padId = r.int32();
        break;
      default:
        r.skip(wire);
    }
  }
  return spec;
}

function readNormalizerSpec(r: ProtoReader): NormalizerSpec {
  const spec: NormalizerSpec = {
    name: "",
    precompiledCharsmap: new Uint8Array(0),
    addDummyPrefix: true,
    removeExtraWhitespaces: true,
    escapeWhitespaces: true,
  };
  while (r.more()) {
    const key = r.key();
    const field = key >>> 3;
    const wire = key & 7;
    if (field === 1 && wire === WireType.LengthDelimited) spec.name = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true }).decode(r.bytesField());
    else if (field === 2 && wire === WireType.LengthDelimited) spec.precompiledCharsmap = r.bytesField();
    else if (field === 3 && wire === WireType.Varint) spec.addDummyPrefix = r.bool();
    else if (field === 4 && wire === WireType.Varint) spec.removeExtraWhitespaces = r.bool();
    else if (field === 5 && wire === WireType.Varint) spec.escapeWhitespaces = r.bool();
    else r.skip(wire);
  }
  return spec;
}
