/**
 * @module tokenizer/unigram
 * SentencePiece's unigram segmentation (unigram_model.cc `EncodeOptimized`) over normalized
 * UTF-8 bytes: a Viterbi pass that, at each character boundary, extends a prefix hash byte by
 * byte (stopping when no piece has that prefix) and relaxes every piece that starts there, in
 * increasing length as the C++ trie walk does; user-defined pieces score
 * `length * max_score - 0.1`; UNUSED pieces are skipped; a character with no single-character
 * piece gets an unknown node scored `min_score - 10`. Scores are float32 as
 * in the C++ (sums compared in double, stored as float), ties keep the earlier candidate.
 * Then, as SentencePieceProcessor does, runs of unknown pieces are merged into one piece, or,
 * with byte fallback, each unknown piece is spelled as `<0xXX>` byte pieces.
 */
import { TokenizerError } from "./errors.ts";
import type { Pieces } from "./model-proto.ts";
import { HASH_SEED, PieceHash, hashStep } from "./piece-hash.ts";
import { oneCharLen } from "./utf8.ts";

const UNK_PENALTY = 10;

/** Vocabulary-index membership per piece id (ModelInterface::pieces_: NORMAL, USER_DEFINED, UNUSED). */
export const VocabKind = { None: 0, Normal: 1, UserDefined: 2, Unused: 3 } as const;

export interface UnigramOptions {
  pieces: Pieces;
  /** VocabKind per id: which pieces the index holds. */
  kinds: Uint8Array;
  /**
   * Viterbi weight per id: the score for NORMAL pieces (finite), +Infinity for USER_DEFINED
   * (scored by length when matched), -Infinity for UNUSED (matched but skipped).
   */
  weights: Float32Array;
  /** min / max score over NORMAL pieces (FLT_MAX / FLT_MIN when there are none, as in C++). */
  minScore: number;
  maxScore: number;
  unkId: number;
}

/** Receives the segmentation, left to right. */
export interface PieceSink {
  /** A vocabulary piece (known id; surface equals the piece) at normalized bytes [start, end). */
  known(id: number, start: number, end: number): void;
  /** A (merged) unknown piece: bytes[start, end) of the normalized text. */
  unknown(bytes: Uint8Array, start: number, end: number): void;
}

export class UnigramModel {
  /** The vocabulary index (NORMAL, USER_DEFINED and UNUSED pieces). */
  readonly index: PieceHash;
  private readonly unkId: number;
  private readonly unkScore: number;
  private readonly maxScore: number;
  // Viterbi scratch, grown on demand.
  private bestScore = new Float32Array(1024);
  private startsAt = new Int32Array(1024);
  private bestId = new Int32Array(1024);
  private pathStarts = new Int32Array(256);
  private pathEnds = new Int32Array(256);
  private pathIds = new Int32Array(256);

  constructor(options: UnigramOptions) {
    const { utf8, starts, ends } = options.pieces;
    this.unkId = options.unkId;
    this.maxScore = options.maxScore;
    this.unkScore = Math.fround(options.minScore - UNK_PENALTY);
    // Weights are copied into the index's slots: one array read per candidate in the Viterbi pass.
    const { table, duplicate } = PieceHash.build(utf8, starts, ends, options.kinds, options.weights);
    if (duplicate >= 0) throw new TokenizerError("invalid_model", `spiece.model: piece #${duplicate} duplicates an earlier piece`);
    this.index = table;
  }

  /** Segments normalized[0, size) and reports pieces to `sink` in order. */
  encode(normalized: Uint8Array, size: number, sink: PieceSink): void {
    if (size === 0) return;
    if (this.bestScore.length < size + 1) this.growLattice(size + 1);
    const bestScore = this.bestScore;
    const startsAt = this.startsAt;
    const bestId = this.bestId;
    startsAt.fill(-1, 0, size + 1);
    bestScore[0] = 0;
    const table = this.index;
    const { prefixBits, prefixShift, weights, entries } = table;
    const maxLength = table.maxLength;
    const unkScore = this.unkScore;
    const maxScore = this.maxScore;

    let start = 0;
    while (start < size) {
      const base = bestScore[start]!;
      const remaining = size - start;
      const charLen = oneCharLen(normalized[start]!);
      const mblen = charLen < remaining ? charLen : remaining;
      let hasSingle = false;
      const stop = start + (maxLength < remaining ? maxLength : remaining);
      let h = HASH_SEED;
      for (let keyPos = start + 1; keyPos <= stop; keyPos++) {
        h = hashStep(h, normalized[keyPos - 1]!);
        const bit = h >>> prefixShift;
        if ((prefixBits[bit >>> 5]! & (1 << (bit & 31))) === 0) break;
        const slot = table.find(h, normalized, start, keyPos);
        if (slot === -1) continue;
        const weight = weights[slot]!;
        if (weight === -Infinity) continue;
        const length = keyPos - start;
        // User-defined: length * max_score - 0.1 (float product, double difference).
        const score = weight === Infinity ? Math.fround(length * maxScore) - 0.1 : weight;
        const candidate = score + base;
        if (startsAt[keyPos] === -1 || candidate > bestScore[keyPos]!) {
          bestScore[keyPos] = candidate;
          startsAt[keyPos] = start;
          bestId[keyPos] = entries[(slot << 2) + 1]!;
        }
        if (length === mblen) hasSingle = true;
      }
      if (!hasSingle) {
        const target = start + mblen;
        const candidate = Math.fround(unkScore + base);
        if (startsAt[target] === -1 || candidate > bestScore[target]!) {
          bestScore[target] = candidate;
          startsAt[target] = start;
          bestId[target] = this.unkId;
        }
      }
      start += mblen;
    }

    // Backtrack, then replay left to right, merging runs of unknowns.
    let count = 0;
    for (let end = size; end > 0; end = startsAt[end]!) {
      if (count === this.pathIds.length) this.growPath();
      this.pathStarts[count] = startsAt[end]!;
      this.pathEnds[count] = end;
      this.pathIds[count] = bestId[end]!;
      count++;
    }
    const unkId = this.unkId;
    for (let i = count - 1; i >= 0; i--) {
      const id = this.pathIds[i]!;
      if (id !== unkId) {
        sink.known(id, this.pathStarts[i]!, this.pathEnds[i]!);
        continue;
      }
      const s = this.pathStarts[i]!;
      let e = this.pathEnds[i]!;
      while (i > 0 && this.pathIds[i - 1] === unkId) {
        i--;
        e = this.pathEnds[i]!;
      }
      sink.unknown(normalized, s, e);
    }
    // Do not keep a huge lattice alive after one huge input.
    if (this.bestScore.length > 1 << 20) {
      this.bestScore = new Float32Array(1024);
      this.startsAt = new Int32Array(1024);
      this.bestId = new Int32Array(1024);
    }
    if (this.pathIds.length > 1 << 18) {
      this.pathStarts = new Int32Array(256);
      this.pathEnds = new Int32Array(256);
      this.pathIds = new Int32Array(256);
    }
  }

  private growLattice(n: number): void {
    let cap = this.bestScore.length;
    while (cap < n) cap *= 2;
    this.bestScore = new Float32Array(cap);
    this.startsAt = new Int32Array(cap);
    this.bestId = new Int32Array(cap);
  }

  private growPath(): void {
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.pathStarts = grow(this.pathStarts);
    this.pathEnds = grow(this.pathEnds);
    this.pathIds = grow(this.pathIds);
  }
}
