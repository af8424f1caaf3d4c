/**
 * @module tokenizer/piece-hash
 * Vocabulary lookup by hashing (Viterbi candidates, piece_to_id, the user-defined-symbol
 * prefix matcher), built for load time: one FNV-1a pass over the piece bytes, no trie nodes.
 *
 * Why not a trie: a double-array trie made whole-text throughput ~13 MB/s instead of ~9, but
 * building it (68k nodes for 30k pieces) took ~40 ms of main-thread CPU on a cold isolate,
 * where V8 runs the build loop in its interpreter; with this index a cold tokenizer load takes
 * ~11 ms of CPU (2-core reference machine, bench/tokenizer.ts). Two structures:
 *
 * - `prefixBits`: a bitmap with a bit set for the hash of every prefix of every piece. A walk
 *   from some position stops as soon as its prefix hash is not in it (false positives only
 *   make a walk a step longer; there are no false negatives).
 * - an open-addressing table from a piece's full hash to its id; a hit is verified byte by
 *   byte against the piece, so lookups are exact.
 */

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;

/** FNV-1a step: the hash of `prefix + byte` from the hash of `prefix`. */
export function hashStep(h: number, byte: number): number {
  return Math.imul(h ^ byte, FNV_PRIME);
}

export const HASH_SEED = FNV_OFFSET;

export interface PieceHashBuild {
  table: PieceHash;
  /** The first id whose key repeats an earlier key, or -1. */
  duplicate: number;
}

export class PieceHash {
  readonly prefixBits: Uint32Array;
  /** 32 - log2(prefix bitmap size in bits). */
  readonly prefixShift: number;
  /**
   * Slot i: entries[4i] = full hash of the piece, entries[4i + 1] = its id or -1 (empty),
   * entries[4i + 2] / [4i + 3] = offset / length of its bytes in `keys`. A probe and its
   * byte-by-byte check read one 16-byte slot.
   */
  readonly entries: Int32Array;
  /** The keys' bytes, packed. */
  readonly keys: Uint8Array;
  /** Per-slot weight copied from the build's `weights` (-Infinity without). */
  readonly weights: Float32Array;
  readonly mask: number;
  readonly shift: number;
  /** Longest key in bytes. */
  readonly maxLength: number;

  private constructor(fields: {
    prefixBits: Uint32Array;
    prefixShift: number;
    entries: Int32Array;
    keys: Uint8Array;
    weights: Float32Array;
    shift: number;
    maxLength: number;
  }) {
    this.prefixBits = fields.prefixBits;
    this.prefixShift = fields.prefixShift;
    this.entries = fields.entries;
    this.keys = fields.keys;
    this.weights = fields.weights;
    this.mask = (fields.entries.length >> 2) - 1;
    this.shift = fields.shift;
    this.maxLength = fields.maxLength;
  }

  /** The slot of the key equal to text[start, end), whose hash is `h`; -1 when none. */
  find(h: number, text: Uint8Array, start: number, end: number): number {
    const entries = this.entries;
    let s = Math.imul(h, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const e = s << 2;
      if (entries[e + 1] === -1) return -1;
      if (entries[e] === h && this.equals(entries[e + 2]!, entries[e + 3]!, text, start, end)) return s;
      s = (s + 1) & this.mask;
    }
  }

  /** True when some key might start with `byte` (false: none does). */
  mayStartWith(byte: number): boolean {
    const bit = hashStep(FNV_OFFSET, byte) >>> this.prefixShift;
    return (this.prefixBits[bit >>> 5]! & (1 << (bit & 31))) !== 0;
  }

  /** Length of the longest key that is a prefix of text[pos, end) (0 when none). */
  longestPrefix(text: Uint8Array, pos: number, end: number): number {
    let best = 0;
    let h = FNV_OFFSET;
    const stop = Math.min(end, pos + this.maxLength);
    for (let i = pos; i < stop; i++) {
      h = hashStep(h, text[i]!);
      const bit = h >>> this.prefixShift;
      if ((this.prefixBits[bit >>> 5]! & (1 << (bit & 31))) === 0) break;
      if (this.find(h, text, pos, i + 1) !== -1) best = i + 1 - pos;
    }
    return best;
  }

  /** Id stored for exactly bytes[start, end), or -1. */
  get(text: Uint8Array, start: number, end: number): number {
    let h = FNV_OFFSET;
    for (let i = start; i < end; i++) h = hashStep(h, text[i]!);
    const slot = this.find(h, text, start, end);
    return slot === -1 ? -1 : this.entries[(slot << 2) + 1]!;
  }

  /** Whether keys[offset, offset + length) equals text[start, end). */
  private equals(offset: number, length: number, text: Uint8Array, start: number, end: number): boolean {
    if (length !== end - start) return false;
    const keys = this.keys;
    for (let i = 0; i < length; i++) if (keys[offset + i] !== text[start + i]) return false;
    return true;
  }

  /**
   * Indexes the keys bytes[starts[id], ends[id]) with include[id] !== 0. The smallest id keeps
   * a repeated key.
   */
  static build(bytes: Uint8Array, starts: Int32Array, ends: Int32Array, include: Uint8Array, weights?: Float32Array): PieceHashBuild {
    let keyCount = 0;
    let keyBytes = 0;
    let maxLength = 0;
    for (let id = 0; id < include.length; id++) {
      if (include[id] === 0) continue;
      keyCount++;
      const n = ends[id]! - starts[id]!;
      keyBytes += n;
      if (n > maxLength) maxLength = n;
    }
    // ~8 bits per prefix keeps the false-positive rate near 1/8 even before deduplication.
    let prefixLog = 10;
    while (1 << prefixLog < keyBytes * 8) prefixLog++;
    const prefixBits = new Uint32Array(1 << (prefixLog - 5));
    const prefixShift = 32 - prefixLog;
    let slotLog = 4;
    while (1 << slotLog < keyCount * 2) slotLog++;
    const slots = 1 << slotLog;
    const shift = 32 - slotLog;
    const mask = slots - 1;
    const entries = new Int32Array(4 * slots).fill(-1);
    const keys = new Uint8Array(keyBytes);
    let packedAt = 0;
    const slotWeights = new Float32Array(slots).fill(-Infinity);
    const table = new PieceHash({ prefixBits, prefixShift, entries, keys, weights: slotWeights, shift, maxLength });
    let duplicate = -1;
    for (let id = 0; id < include.length; id++) {
      if (include[id] === 0) continue;
      const start = starts[id]!;
      const end = ends[id]!;
      const offset = packedAt;
      let h = FNV_OFFSET;
      for (let i = start; i < end; i++) {
        const b = bytes[i]!;
        keys[packedAt++] = b;
        h = hashStep(h, b);
        const bit = h >>> prefixShift;
        prefixBits[bit >>> 5]! |= 1 << (bit & 31);
      }
      let s = Math.imul(h, 0x9e3779b1) >>> shift;
      let dup = false;
      for (;;) {
        const e = s << 2;
        if (entries[e + 1] === -1) break;
        if (entries[e] === h && table.equals(entries[e + 2]!, entries[e + 3]!, keys, offset, offset + end - start)) {
          dup = true;
          break;
        }
        s = (s + 1) & mask;
      }
      if (dup || start === end) {
        if (duplicate === -1) duplicate = id;
        continue;
      }
      const e = s << 2;
      entries[e] = h;
      entries[e + 1] = id;
      entries[e + 2] = offset;
      entries[e + 3] = end - start;
      if (weights !== undefined) slotWeights[s] = weights[id]!;
    }
    return { table, duplicate };
  }
}
