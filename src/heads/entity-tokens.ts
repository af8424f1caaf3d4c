/**
 * @module heads/entity-tokens
 * Glue from an encoding plus the engine's token logits (row-major, one row of label logits per
 * position) to the `EntityToken`s that `aggregateEntities` takes: softmax per row, as Hugging Face
 * `TokenClassificationPipeline` does before aggregating.
 */
import type { EntityToken } from "./entities.ts";
import { softmaxRows } from "./softmax.ts";

/** The parts of a tokenizer encoding this needs (pieces and offsets, one per position, specials included). */
export interface PieceOffsets {
  readonly pieces: readonly string[];
  /** `[start, end)` in UTF-16 code units of the text, null for [CLS] / [SEP]. */
  readonly offsets: readonly (readonly [number, number] | null)[];
}

/** One `EntityToken` per position; `tokenLogits` is `positions × labelCount`, row-major. */
export function entityTokens(encoding: PieceOffsets, tokenLogits: ArrayLike<number>, labelCount: number): EntityToken[] {
  const positions = encoding.pieces.length;
  if (encoding.offsets.length !== positions) {
    throw new RangeError(`entityTokens: ${positions} pieces but ${encoding.offsets.length} offsets`);
  }
  const rows = softmaxRows(tokenLogits, positions, labelCount);
  return rows.map((scores, i) => ({
    piece: encoding.pieces[i] as string,
    offset: encoding.offsets[i] ?? null,
    scores,
  }));
}
