/**
 * @module heads/words
 * SentencePiece pieces → words, for the word-level entity strategies ("first", "max"): a word is a
 * piece that starts with "▁" (the word-start marker) plus the pieces after it that do not. A bare
 * "▁" piece (SentencePiece emits one before punctuation it cannot glue to the marker, e.g. "▁" "'"
 * "s") has no text of its own and belongs to the next piece's word, which is also how Hugging Face's
 * fast ALBERT tokenizer assigns `word_ids` (so training labels the bare "▁" as the word's first
 * token).
 */

/** The word-start marker of SentencePiece pieces (U+2581). */
export const WORD_START = "\u2581";

/** Splits pieces (in order) into words; every piece lands in exactly one word, none is empty. */
export function groupWords<T extends { readonly piece: string }>(tokens: readonly T[]): T[][] {
  const words: T[][] = [];
  let current: T[] | null = null;
  for (const token of tokens) {
    const startsWord = token.piece.startsWith(WORD_START);
    if (current === null || (startsWord && !current.every((t) => t.piece === WORD_START))) {
      current = [token];
      words.push(current);
    } else {
      current.push(token);
    }
  }
  return words;
}
