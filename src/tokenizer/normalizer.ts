/**
 * @module tokenizer/normalizer
 * SentencePiece's Normalizer (normalizer.cc) over UTF-8 bytes, byte for byte:
 *
 * - NormalizePrefix: at each position, a user-defined symbol (longest match) is copied
 *   unnormalized; otherwise the precompiled charsmap's longest rule (darts-clone
 *   commonPrefixSearch, first 32 results) gives the replacement, a NUL-terminated string in
 *   the normalized-strings blob; otherwise one valid UTF-8 character is copied, and a
 *   malformed byte becomes U+FFFD while consuming exactly one byte.
 * - Normalize: drops leading whitespace, adds the dummy prefix U+2581 (or suffix when
 *   treat_whitespace_as_suffix), collapses runs of spaces (a rule output's leading spaces are
 *   dropped after a space), escapes ' ' as U+2581, then drops trailing U+2581s.
 *
 * `normalizeAligned` also records, per normalized byte, the input bytes it came from (the C++
 * `norm_to_orig`, as a [start, end) range): every byte of a rule's or a character's output gets
 * the whole consumed input; the dummy prefix gets the empty range where the text begins.
 */
import { DartsTrie } from "./darts.ts";
import { TokenizerError } from "./errors.ts";
import type { NormalizerSpec } from "./model-proto.ts";
import type { PieceHash } from "./piece-hash.ts";
import { validCharLen } from "./utf8.ts";

const SPACE = 0x20;
/** U+2581 LOWER ONE EIGHTH BLOCK, the escaped space. */
const SPACE_SYMBOL = new Uint8Array([0xe2, 0x96, 0x81]);
/** U+FFFD, emitted for one malformed input byte. */
const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);
/** normalizer.cc keeps at most this many commonPrefixSearch results. */
const MAX_TRIE_RESULTS = 32;

export interface NormalizerOptions {
  spec: NormalizerSpec;
  treatWhitespaceAsSuffix: boolean;
  /** User-defined symbols: matched before the charsmap and never normalized. */
  userDefined: PieceHash | null;
}

export class Normalizer {
  private readonly trie: DartsTrie | null;
  private readonly strings: Uint8Array;
  private readonly matcher: PieceHash | null;
  private readonly addDummyPrefix: boolean;
  private readonly removeExtraWhitespaces: boolean;
  private readonly escapeWhitespaces: boolean;
  private readonly treatWhitespaceAsSuffix: boolean;
  /** 1 for ASCII bytes that no rule or user symbol can start with: copied as they are. */
  private readonly plainAscii = new Uint8Array(128);
  private readonly result = new Int32Array(1);
  // The current NormalizePrefix output segment: seg[segStart, segEnd).
  private seg: Uint8Array = REPLACEMENT;
  private segStart = 0;
  private segEnd = 0;
  private out = new Uint8Array(1024);
  private outLen = 0;
  /** Whether the current call records origins. */
  private track = false;
  /** Per normalized byte, the input byte range [origStart, origEnd) it came from (normalizeAligned). */
  private origStart = new Int32Array(0);
  private origEnd = new Int32Array(0);
  // The input range of the NormalizePrefix call being appended.
  private curStart = 0;
  private curEnd = 0;

  constructor(options: NormalizerOptions) {
    const { spec } = options;
    this.matcher = options.userDefined;
    this.addDummyPrefix = spec.addDummyPrefix;
    this.removeExtraWhitespaces = spec.removeExtraWhitespaces;
    this.escapeWhitespaces = spec.escapeWhitespaces;
    this.treatWhitespaceAsSuffix = options.treatWhitespaceAsSuffix;
    const blob = spec.precompiledCharsmap;
    if (blob.length === 0) {
      // No charsmap: identity normalization (whitespace handling still applies).
      this.trie = null;
      this.strings = new Uint8Array(0);
    } else {
      // Blob layout (DecodePrecompiledCharsMap): uint32 LE trie size, trie units, strings.
      if (blob.length <= 4) throw new TokenizerError("invalid_model", "spiece.model: precompiled charsmap is broken");
      const trieSize = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0, true);
      if (trieSize >= blob.length || trieSize > blob.length - 4) {
        throw new TokenizerError("invalid_model", "spiece.model: charsmap trie size exceeds the blob size");
      }
      this.trie = new DartsTrie(blob.subarray(4, 4 + trieSize));
      this.strings = blob.subarray(4 + trieSize);
    }
    for (let b = 0; b < 128; b++) {
      const ruleStarts = this.trie !== null && this.trie.canStartWith(b);
      const userStarts = this.matcher !== null && this.matcher.mayStartWith(b);
      this.plainAscii[b] = ruleStarts || userStarts ? 0 : 1;
    }
  }

  /**
   * Normalizes input[0, length). Returns a view of an internal buffer that is overwritten by
   * the next call: copy it (or finish with it) first.
   */
  normalize(input: Uint8Array, length: number): Uint8Array {
    this.track = false;
    return this.run(input, length);
  }

  /**
   * `normalize`, recording the origin of every output byte: `origins()` gives, for output byte
   * i, the input bytes [start[i], end[i]) it came from. Valid until the next normalizeAligned.
   */
  normalizeAligned(input: Uint8Array, length: number): Uint8Array {
    this.track = true;
    if (this.origStart.length < this.out.length) this.growOrigins(this.out.length);
    try {
      return this.run(input, length);
    } finally {
      this.track = false;
    }
  }

  /** The origin ranges recorded by the last normalizeAligned (views over internal buffers). */
  origins(): { start: Int32Array; end: Int32Array } {
    return { start: this.origStart, end: this.origEnd };
  }

  private run(input: Uint8Array, length: number): Uint8Array {
    this.outLen = 0;
    // Do not keep a huge buffer alive after one huge input.
    if (this.out.length > 1 << 22 && length < 1 << 20) {
      this.out = new Uint8Array(1024);
      if (this.track) this.growOrigins(1024, true);
    }
    const track = this.track;
    let pos = 0;
    const removeExtra = this.removeExtraWhitespaces;

    if (removeExtra) {
      // Ignores heading space: whole NormalizePrefix outputs equal to " ".
      while (pos < length) {
        const consumed = this.prefix(input, pos, length);
        if (this.segEnd - this.segStart !== 1 || this.seg[this.segStart] !== SPACE) break;
        pos += consumed;
      }
    }
    if (pos >= length) return this.out.subarray(0, 0);

    // The dummy prefix stands for no input: the empty range where the text begins.
    this.curStart = this.curEnd = pos;
    if (!this.treatWhitespaceAsSuffix && this.addDummyPrefix) this.addWhitespace();

    let isPrevSpace = removeExtra;
    const escape = this.escapeWhitespaces;
    const plain = this.plainAscii;
    // The fast path works on locals; they are synced with this.out / this.outLen around the
    // general path.
    let out = this.out;
    let n = this.outLen;
    while (pos < length) {
      const b = input[pos]!;
      if (b < 0x80 && plain[b] === 1) {
        // Fast path: an ASCII byte no rule touches normalizes to itself.
        if (n + 3 > out.length) {
          this.outLen = n;
          this.grow(3);
          out = this.out;
        }
        const from = n;
        pos++;
        if (b === SPACE) {
          if (!isPrevSpace) {
            if (escape) {
              out[n++] = 0xe2;
              out[n++] = 0x96;
              out[n++] = 0x81;
            } else out[n++] = SPACE;
            isPrevSpace = removeExtra;
          }
        } else {
          out[n++] = b;
          isPrevSpace = false;
        }
        if (track) {
          for (let i = from; i < n; i++) {
            this.origStart[i] = pos - 1;
            this.origEnd[i] = pos;
          }
        }
        continue;
      }
      this.outLen = n;
      const consumed = this.prefix(input, pos, length);
      this.curStart = pos;
      this.curEnd = pos + consumed;
      const seg = this.seg;
      let s = this.segStart;
      const e = this.segEnd;
      if (isPrevSpace) while (s < e && seg[s] === SPACE) s++;
      if (s < e) {
        for (let i = s; i < e; i++) {
          const c = seg[i]!;
          if (escape && c === SPACE) this.append(SPACE_SYMBOL, 0, 3);
          else this.appendByte(c);
        }
        isPrevSpace = seg[e - 1] === SPACE;
      }
      pos += consumed;
      if (!removeExtra) isPrevSpace = false;
      out = this.out;
      n = this.outLen;
    }
    this.outLen = n;

    if (removeExtra) {
      // Ignores trailing space (escaped or not).
      const out = this.out;
      if (escape) {
        while (this.outLen >= 3 && out[this.outLen - 3] === 0xe2 && out[this.outLen - 2] === 0x96 && out[this.outLen - 1] === 0x81) {
          this.outLen -= 3;
        }
      } else {
        while (this.outLen >= 1 && out[this.outLen - 1] === SPACE) this.outLen--;
      }
    }

    if (this.treatWhitespaceAsSuffix && this.addDummyPrefix) {
      this.curStart = this.curEnd = this.outLen > 0 ? this.origEnd[this.outLen - 1]! : pos;
      this.addWhitespace();
    }
    return this.out.subarray(0, this.outLen);
  }

  /** NormalizePrefix: sets the output segment, returns the number of input bytes consumed. */
  private prefix(input: Uint8Array, pos: number, end: number): number {
    if (this.matcher !== null) {
      const len = this.matcher.longestPrefix(input, pos, end);
      if (len > 0) {
        this.setSegment(input, pos, pos + len);
        return len;
      }
    }
    if (this.trie !== null) {
      const len = this.trie.longestPrefix(input, pos, end, MAX_TRIE_RESULTS, this.result);
      if (len > 0) {
        const start = this.result[0]!;
        const strings = this.strings;
        if (start >= strings.length) {
          throw new TokenizerError("invalid_model", "spiece.model: charsmap rule points outside the normalized strings");
        }
        let stop = strings.indexOf(0, start);
        if (stop < 0) stop = strings.length;
        this.setSegment(strings, start, stop);
        return len;
      }
    }
    const len = validCharLen(input, pos, end);
    if (len === 0) {
      this.setSegment(REPLACEMENT, 0, 3);
      return 1;
    }
    this.setSegment(input, pos, pos + len);
    return len;
  }

  private setSegment(src: Uint8Array, start: number, end: number): void {
    this.seg = src;
    this.segStart = start;
    this.segEnd = end;
  }

  private addWhitespace(): void {
    if (this.escapeWhitespaces) this.append(SPACE_SYMBOL, 0, 3);
    else this.appendByte(SPACE);
  }

  private appendByte(b: number): void {
    if (this.outLen === this.out.length) this.grow(1);
    if (this.track) {
      this.origStart[this.outLen] = this.curStart;
      this.origEnd[this.outLen] = this.curEnd;
    }
    this.out[this.outLen++] = b;
  }

  private append(src: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.outLen + n > this.out.length) this.grow(n);
    for (let i = start; i < end; i++) {
      if (this.track) {
        this.origStart[this.outLen] = this.curStart;
        this.origEnd[this.outLen] = this.curEnd;
      }
      this.out[this.outLen++] = src[i]!;
    }
  }

  private growOrigins(cap: number, shrink = false): void {
    const start = new Int32Array(cap);
    const end = new Int32Array(cap);
    if (!shrink) {
      start.set(this.origStart.subarray(0, Math.min(this.outLen, cap)));
      end.set(this.origEnd.subarray(0, Math.min(this.outLen, cap)));
    }
    this.origStart = start;
    this.origEnd = end;
  }

  private grow(extra: number): void {
    let cap = this.out.length * 2;
    while (cap < this.outLen + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.out.subarray(0, this.outLen));
    this.out = next;
    if (this.track) this.growOrigins(cap);
  }
}
