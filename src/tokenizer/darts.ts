/**
 * @module tokenizer/darts
 * Read-only darts-clone double-array trie, as stored in SentencePiece's precompiled charsmap.
 * Only `commonPrefixSearch` is needed: walk the key's bytes from the root and report every
 * prefix that is a key, in increasing length, stopping at the first missing transition.
 */
import { TokenizerError } from "./errors.ts";

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Unit accessors (darts-clone DoubleArrayUnit). */
function hasLeaf(unit: number): boolean {
  return ((unit >>> 8) & 1) === 1;
}
function unitValue(unit: number): number {
  return unit & 0x7fffffff;
}
function unitLabel(unit: number): number {
  return (unit & 0x800000ff) >>> 0;
}
function unitOffset(unit: number): number {
  return (unit >>> 10) << ((unit & (1 << 9)) >>> 6);
}

export class DartsTrie {
  private readonly units: Uint32Array;

  /** `bytes` holds little-endian uint32 units; copied so alignment and endianness never matter. */
  constructor(bytes: Uint8Array) {
    if (bytes.length % 4 !== 0 || bytes.length === 0) {
      throw new TokenizerError("invalid_model", `spiece.model: charsmap trie size ${bytes.length} is not a positive multiple of 4`);
    }
    const n = bytes.length / 4;
    if (LITTLE_ENDIAN) {
      // Copy the bytes (the view may be unaligned), then read them as native uint32s.
      this.units = new Uint32Array(bytes.slice().buffer, 0, n);
    } else {
      const units = new Uint32Array(n);
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      for (let i = 0; i < n; i++) units[i] = view.getUint32(i * 4, true);
      this.units = units;
    }
  }

  /**
   * Longest match among the first `maxResults` common prefixes of key[pos, end), as
   * SentencePiece's normalizer picks it (it keeps at most `maxResults` results and takes the
   * longest of those). Returns the match length in bytes (0 when none) and writes the
   * value into `out[0]`.
   */
  longestPrefix(key: Uint8Array, pos: number, end: number, maxResults: number, out: Int32Array): number {
    const units = this.units;
    const size = units.length;
    let id = unitOffset(units[0]!);
    let found = 0;
    let bestLen = 0;
    for (let i = pos; i < end; i++) {
      const c = key[i]!;
      id ^= c;
      if (id >= size) return bestLen; // corrupt or foreign array: treat as "no transition"
      const unit = units[id]!;
      if (unitLabel(unit) !== c) return bestLen;
      id ^= unitOffset(unit);
      if (hasLeaf(unit)) {
        if (id >= size) return bestLen;
        if (found < maxResults) {
          bestLen = i + 1 - pos;
          out[0] = unitValue(units[id]!);
        }
        found++;
      }
    }
    return bestLen;
  }

  /** The first unit's offset: lets callers precompute which lead bytes can start a match. */
  canStartWith(byte: number): boolean {
    const units = this.units;
    const id = unitOffset(units[0]!) ^ byte;
    return id < units.length && unitLabel(units[id]!) === byte;
  }
}
