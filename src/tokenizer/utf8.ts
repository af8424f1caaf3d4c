/**
 * @module tokenizer/utf8
 * UTF-8 helpers with SentencePiece's exact semantics (util.h / util.cc): the lead-byte length
 * table used to step through normalized text, and the strict decoder that decides when a byte
 * is "malformed" (then the normalizer emits U+FFFD and consumes one byte).
 */

/** `string_util::OneCharLen`: length implied by the lead byte alone (1 for stray trail bytes). */
export function oneCharLen(lead: number): number {
  // "\1\1\1\1\1\1\1\1\1\1\1\1\2\2\3\4"[lead >> 4]
  const hi = lead >> 4;
  return hi < 12 ? 1 : hi < 14 ? 2 : hi === 14 ? 3 : 4;
}

function isTrail(b: number): boolean {
  return (b & 0xc0) === 0x80;
}

function isValidCodepoint(c: number): boolean {
  return c < 0xd800 || (c >= 0xe000 && c <= 0x10ffff);
}

/**
 * `string_util::IsValidDecodeUTF8` over bytes[pos, end): returns the length of the valid
 * character starting at pos, or 0 when the bytes there are malformed (overlong forms,
 * surrogates, code points above U+10FFFF, missing trail bytes, stray trail bytes).
 */
export function validCharLen(bytes: Uint8Array, pos: number, end: number): number {
  const b0 = bytes[pos]!;
  if (b0 < 0x80) return 1;
  const len = end - pos;
  if (len >= 2 && (b0 & 0xe0) === 0xc0) {
    const b1 = bytes[pos + 1]!;
    const cp = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    return isTrail(b1) && cp >= 0x80 && isValidCodepoint(cp) ? 2 : 0;
  }
  if (len >= 3 && (b0 & 0xf0) === 0xe0) {
    const b1 = bytes[pos + 1]!;
    const b2 = bytes[pos + 2]!;
    const cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    return isTrail(b1) && isTrail(b2) && cp >= 0x800 && isValidCodepoint(cp) ? 3 : 0;
  }
  if (len >= 4 && (b0 & 0xf8) === 0xf0) {
    const b1 = bytes[pos + 1]!;
    const b2 = bytes[pos + 2]!;
    const b3 = bytes[pos + 3]!;
    const cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
    return isTrail(b1) && isTrail(b2) && isTrail(b3) && cp >= 0x10000 && isValidCodepoint(cp) ? 4 : 0;
  }
  return 0;
}
