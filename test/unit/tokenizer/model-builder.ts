/**
 * @module test/unit/tokenizer/model-builder
 * Writes small SentencePiece ModelProto files for tests (protobuf wire format by hand), so
 * features the albert model does not use (byte fallback, UNUSED pieces, identity normalizer,
 * whitespace options) can be exercised.
 */

export interface TestPiece {
  piece: string;
  score?: number;
  /** 1 NORMAL, 2 UNKNOWN, 3 CONTROL, 4 USER_DEFINED, 5 UNUSED, 6 BYTE. */
  type?: number;
}

export interface TestModel {
  pieces: TestPiece[];
  modelType?: number;
  byteFallback?: boolean;
  treatWhitespaceAsSuffix?: boolean;
  normalizer?: {
    name?: string;
    charsmap?: Uint8Array;
    addDummyPrefix?: boolean;
    removeExtraWhitespaces?: boolean;
    escapeWhitespaces?: boolean;
  };
}

class Writer {
  private bytes: number[] = [];

  varint(v: number): this {
    let x = v;
    if (x < 0) x += 2 ** 64; // int32 negatives: 10-byte two's complement (approximate is fine here)
    while (x >= 0x80) {
      this.bytes.push((x % 128) | 0x80);
      x = Math.floor(x / 128);
    }
    this.bytes.push(x);
    return this;
  }

  key(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }

  lengthDelimited(field: number, payload: Uint8Array): this {
    this.key(field, 2).varint(payload.length);
    for (const b of payload) this.bytes.push(b);
    return this;
  }

  float(field: number, v: number): this {
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setFloat32(0, v, true);
    this.key(field, 5);
    for (const b of buf) this.bytes.push(b);
    return this;
  }

  finish(): Uint8Array {
    return new Uint8Array(this.bytes);
  }
}

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** Serializes a ModelProto. */
export function buildModel(model: TestModel): Uint8Array {
  const top = new Writer();
  for (const p of model.pieces) {
    const w = new Writer().lengthDelimited(1, utf8(p.piece)).float(2, p.score ?? 0);
    if (p.type !== undefined) w.key(3, 0).varint(p.type);
    top.lengthDelimited(1, w.finish());
  }
  const trainer = new Writer().key(3, 0).varint(model.modelType ?? 1);
  if (model.treatWhitespaceAsSuffix !== undefined) trainer.key(24, 0).varint(model.treatWhitespaceAsSuffix ? 1 : 0);
  if (model.byteFallback !== undefined) trainer.key(35, 0).varint(model.byteFallback ? 1 : 0);
  top.lengthDelimited(2, trainer.finish());
  const n = model.normalizer ?? {};
  const norm = new Writer().lengthDelimited(1, utf8(n.name ?? "identity"));
  if (n.charsmap !== undefined) norm.lengthDelimited(2, n.charsmap);
  if (n.addDummyPrefix !== undefined) norm.key(3, 0).varint(n.addDummyPrefix ? 1 : 0);
  if (n.removeExtraWhitespaces !== undefined) norm.key(4, 0).varint(n.removeExtraWhitespaces ? 1 : 0);
  if (n.escapeWhitespaces !== undefined) norm.key(5, 0).varint(n.escapeWhitespaces ? 1 : 0);
  top.lengthDelimited(3, norm.finish());
  return top.finish();
}

/** The 256 `<0xXX>` byte pieces. */
export function bytePieces(): TestPiece[] {
  return Array.from({ length: 256 }, (_, b) => ({
    piece: `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`,
    type: 6,
  }));
}
