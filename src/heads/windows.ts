/**
 * @module heads/windows
 * Extractive-QA inputs: `[CLS] question [SEP] context-slice [SEP]` windows (token types 0 up to
 * and including the first [SEP], 1 after it), with contexts longer than one window split into
 * overlapping slices, as Hugging Face's question-answering pipeline does with
 * `truncation="only_second"` and `return_overflowing_tokens`.
 *
 * Defaults (documented for the API):
 * - the question keeps at most `DEFAULT_MAX_QUESTION_TOKENS` (64, HF `max_question_len`) tokens;
 * - consecutive windows share `stride` context tokens; by default
 *   `min(DEFAULT_DOC_STRIDE = 128 (HF doc_stride), floor(room / 2))`, where room is the number of
 *   context tokens one window holds (maxLength − question − 3). For a 512-token model and a short
 *   question that is 128 (each window moves on by ≥ 300 tokens); for short windows (e.g. 64 tokens)
 *   it is half the room, so every window still advances by at least half its context.
 */

/** HF `max_question_len`: question tokens beyond this are dropped. */
export const DEFAULT_MAX_QUESTION_TOKENS = 64;
/** HF `doc_stride`: context tokens shared by consecutive windows (capped at half a window's room). */
export const DEFAULT_DOC_STRIDE = 128;

export interface QaWindowOptions {
  /** Question ids without specials. */
  questionIds: readonly number[];
  /** Context ids without specials (non-empty). */
  contextIds: readonly number[];
  /** Model window, specials included (e.g. max_position_embeddings, 512). */
  maxLength: number;
  /** Context tokens shared by consecutive windows; default `defaultStride(room)`. */
  stride?: number;
  /** Question tokens kept; default 64. */
  maxQuestionTokens?: number;
  clsId: number;
  sepId: number;
}

export interface QaWindow {
  /** `[CLS] question [SEP] context-slice [SEP]`. */
  ids: number[];
  /** 0 for `[CLS] question [SEP]`, 1 for `context-slice [SEP]`. */
  typeIds: number[];
  /** Index into `contextIds` of the window's first context token. */
  contextStart: number;
  /** Position of that token inside `ids` (question length + 2). */
  contextOffset: number;
  /** Context tokens in this window. */
  contextLength: number;
}

/** Default overlap for a window holding `room` context tokens: min(128, floor(room / 2)). */
export function defaultStride(room: number): number {
  return Math.min(DEFAULT_DOC_STRIDE, Math.floor(room / 2));
}

/**
 * The windows covering the whole context in order: each holds up to `room` context tokens, the
 * next starts `room − stride` tokens later, and the last one ends at the context's end.
 */
export function qaWindows(options: QaWindowOptions): QaWindow[] {
  const { questionIds, contextIds, maxLength, clsId, sepId } = options;
  const maxQuestionTokens = options.maxQuestionTokens ?? DEFAULT_MAX_QUESTION_TOKENS;
  checkInteger("maxLength", maxLength, 4);
  checkInteger("maxQuestionTokens", maxQuestionTokens, 1);
  if (questionIds.length === 0) throw new RangeError("qaWindows: the question has no tokens");
  if (contextIds.length === 0) throw new RangeError("qaWindows: the context has no tokens");

  const question = questionIds.slice(0, maxQuestionTokens);
  const room = maxLength - question.length - 3;
  if (room < 1) {
    throw new RangeError(`qaWindows: maxLength ${maxLength} leaves no room for context after a ${question.length}-token question and 3 special tokens`);
  }
  const stride = options.stride ?? defaultStride(room);
  checkInteger("stride", stride, 0);
  if (stride >= room) {
    throw new RangeError(`qaWindows: stride ${stride} must be smaller than the ${room} context tokens a window holds`);
  }

  const head = [clsId, ...question, sepId];
  const windows: QaWindow[] = [];
  for (let start = 0; ; start += room - stride) {
    const slice = contextIds.slice(start, start + room);
    windows.push({
      ids: [...head, ...slice, sepId],
      typeIds: [...head.map(() => 0), ...slice.map(() => 1), 1],
      contextStart: start,
      contextOffset: head.length,
      contextLength: slice.length,
    });
    if (start + slice.length >= contextIds.length) break;
  }
  return windows;
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`qaWindows: ${name} must be an integer >= ${min} (got ${value})`);
  }
}
