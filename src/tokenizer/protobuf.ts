/**
 * @module tokenizer/protobuf
 * A minimal protobuf wire-format reader, just enough to walk `spiece.model` (a ModelProto);
 * the hot loop over the ~30k SentencePiece messages lives in model-proto.ts.
 *
 * Why hand-written instead of a protobuf library: we read three small messages with a dozen
 * known fields, the reader must run unchanged in workerd and Node with no code generation
 * or runtime reflection (some protobuf runtimes use `eval`/`new Function`, which workerd
 * forbids), and it must turn truncated or corrupt bytes into a typed error instead of a
 * crash or a silent partial read. That is ~100 lines; a dependency would be far larger.
 */
import { TokenizerError } from "./errors.ts";

/** Protobuf wire types (the low 3 bits of a field key). */
export const WireType = {
  Varint: 0,
  Fixed64: 1,
  LengthDelimited: 2,
  StartGroup: 3,
  EndGroup: 4,
  Fixed32: 5,
} as const;

/**
 * Sequential reader over a message's bytes. Every read checks bounds. Embedded messages are
 * read in place: `enter()` narrows the reader to the submessage and returns a token that
 * `leave()` takes to restore the outer limit, so no objects are allocated per message.
 */
export class ProtoReader {
  private readonly bytes: Uint8Array;
  private pos = 0;
  private end: number;
  private readonly fail: (message: string) => never;

  /** `onError` turns a malformed-input message into the caller's error (default: TokenizerError). */
  constructor(bytes: Uint8Array, onError: (message: string) => never = failSpiece) {
    this.bytes = bytes;
    this.end = bytes.length;
    this.fail = onError;
  }

  /** True while there are bytes left in the current message. */
  more(): boolean {
    return this.pos < this.end;
  }

  /** Reads a field key: `key >>> 3` is the field number, `key & 7` the wire type. */
  key(): number {
    // One-byte keys (fields 1..15) are the common case.
    const k = this.pos < this.end && this.bytes[this.pos]! < 0x80 ? this.bytes[this.pos++]! : this.varint();
    if (k < 8) this.fail(`field number 0 at byte ${this.pos}`);
    return k;
  }

  /**
   * Reads a base-128 varint as a JS number. Values above 2^53 lose precision, which is fine
   * for the fields read as plain varints (bools, lengths); int32/enum fields use `int32()`.
   */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.bytes[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
    return this.fail("varint longer than 10 bytes");
  }

  /**
   * Reads a varint and keeps its low 32 bits as a signed int32 (protobuf int32/enum; negative
   * values are sign-extended to 10 bytes on the wire, so the high bytes are dropped here).
   */
  int32(): number {
    let low = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail("truncated varint");
      const b = this.bytes[this.pos++]!;
      if (i < 5) low |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return low | 0;
    }
    return this.fail("varint longer than 10 bytes");
  }

  bool(): boolean {
    return this.varint() !== 0;
  }

  /** Reads a length-delimited field's payload as a subarray (no copy). */
  bytesField(): Uint8Array {
    const len = this.varint();
    this.need(len);
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  /** Moves to an absolute offset inside the current message (after a caller read in place). */
  seek(pos: number): void {
    if (pos < 0 || pos > this.end) this.fail(`seek to ${pos} outside the message`);
    this.pos = pos;
  }

  /** Current byte offset in the underlying buffer. */
  get position(): number {
    return this.pos;
  }

  /** Enters a length-delimited embedded message; returns the token for `leave()`. */
  enter(): number {
    const len = this.varint();
    this.need(len);
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  /** Leaves the embedded message entered with `enter()` (its unread bytes are skipped). */
  leave(outer: number): void {
    this.pos = this.end;
    this.end = outer;
  }

  /** Skips a field's value of the given wire type. */
  skip(wireType: number): void {
    switch (wireType) {
      case WireType.Varint:
        this.varint();
        return;
      case WireType.Fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WireType.LengthDelimited: {
        const len = this.varint();
        this.need(len);
        this.pos += len;
        return;
      }
      case WireType.Fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wireType} at byte ${this.pos}`);
    }
  }

  private need(n: number): void {
    if (n > this.end - this.pos) this.fail(`truncated field: need ${n} bytes at byte ${this.pos}, message ends at ${this.end}`);
  }
}

function failSpiece(message: string): never {
  throw new TokenizerError("invalid_model", `spiece.model: malformed protobuf: ${message}`);
}
