/**
 * @module heads/qa
 * Extractive QA over all windows of one context (heads/windows): each window's top-k spans
 * (heads/spans) become character spans of the context, the same span found in two overlapping
 * windows counts once (its best score), and the best `topK` over all windows win. With `allowNull`
 * the "no answer" (`""`, 0, 0) competes with HF's score for it: the smallest [CLS] score over the
 * windows (HF `min_null_score`).
 *
 * As in HF, a score is a probability within its own window (each window is softmaxed on its own),
 * so a lone strong span in a window can outrank a stronger one that shares its window.
 *
 * By default an answer spans exactly its tokens (`context.slice(start, end)`); given the context's
 * pieces it is widened to whole words (HF's `align_to_words`, a word as in heads/words).
 */
import { bestSpans, nullScore, type SpanOptions } from "./spans.ts";
import { groupWords } from "./words.ts";

/** One window's logits, indexed by window position (same length as the window's ids). */
export interface WindowLogits {
  readonly startLogits: ArrayLike<number>;
  readonly endLogits: ArrayLike<number>;
}

/** The fields of a heads/windows `QaWindow` the answer search needs. */
export interface AnswerWindow {
  readonly contextStart: number;
  readonly contextOffset: number;
  readonly contextLength: number;
}

export interface AnswerInput {
  context: string;
  /** `[start, end)` of each context token in `context` (UTF-16), no specials: `tokenize(context).offsets`. */
  contextOffsets: readonly (readonly [number, number] | null)[];
  windows: readonly AnswerWindow[];
  /** One entry per window, same order. */
  logits: readonly WindowLogits[];
}

export interface AnswerOptions extends SpanOptions {
  /** The context's pieces (`tokenize(context).pieces`): when given, answers widen to whole words. */
  contextPieces?: readonly string[];
}

export interface Answer {
  /** `context.slice(start, end)`; "" for the null answer. */
  answer: string;
  score: number;
  start: number;
  end: number;
}

/** The top-k answers over every window, best first (see the module comment). */
export function answerQuestion(input: AnswerInput, options: AnswerOptions = {}): Answer[] {
  const { context, contextOffsets, windows, logits } = input;
  const topK = options.topK ?? 1;
  if (windows.length === 0) throw new RangeError("answerQuestion: no windows");
  if (logits.length !== windows.length) {
    throw new RangeError(`answerQuestion: ${windows.length} windows but ${logits.length} sets of logits`);
  }
  if (options.contextPieces !== undefined && options.contextPieces.length !== contextOffsets.length) {
    throw new RangeError(`answerQuestion: ${options.contextPieces.length} context pieces but ${contextOffsets.length} offsets`);
  }
  const wordOf = options.contextPieces === undefined ? null : wordBounds(options.contextPieces);

  const best = new Map<string, Answer>();
  let minNull = Infinity;
  windows.forEach((window, w) => {
    const { startLogits, endLogits } = logits[w] as WindowLogits;
    if (window.contextStart < 0 || window.contextStart + window.contextLength > contextOffsets.length) {
      throw new RangeError(`answerQuestion: window ${w} covers context tokens ${window.contextStart}..${window.contextStart + window.contextLength - 1} of ${contextOffsets.length}`);
    }
    if (options.allowNull) minNull = Math.min(minNull, nullScore(startLogits, endLogits, window));
    const spans = bestSpans(startLogits, endLogits, window, { topK, maxAnswerTokens: options.maxAnswerTokens, allowNull: false });
    for (const span of spans) {
      let first = span.startToken - window.contextOffset + window.contextStart;
      let last = span.endToken - window.contextOffset + window.contextStart;
      if (wordOf !== null) {
        first = (wordOf[first] as [number, number])[0];
        last = (wordOf[last] as [number, number])[1];
      }
      const start = offsetAt(contextOffsets, first, context)[0];
      const end = offsetAt(contextOffsets, last, context)[1];
      const key = `${start}:${end}`;
      const seen = best.get(key);
      if (seen === undefined || span.score > seen.score) {
        best.set(key, { answer: context.slice(start, end), score: span.score, start, end });
      }
    }
  });

  const answers = [...best.values()];
  if (options.allowNull) answers.push({ answer: "", score: minNull, start: 0, end: 0 });
  // Stable: on equal scores earlier windows first and the null answer last, as HF's sort leaves them.
  return answers.sort((a, b) => b.score - a.score).slice(0, topK);
}

/** For each piece, the indices of the first and last piece of its word. */
function wordBounds(pieces: readonly string[]): [number, number][] {
  const bounds: [number, number][] = [];
  for (const word of groupWords(pieces.map((piece, index) => ({ piece, index })))) {
    const span: [number, number] = [(word[0] as { index: number }).index, (word[word.length - 1] as { index: number }).index];
    for (const _ of word) bounds.push(span);
  }
  return bounds;
}

function offsetAt(offsets: AnswerInput["contextOffsets"], token: number, context: string): readonly [number, number] {
  const offset = offsets[token];
  if (offset === undefined || offset === null) {
    throw new RangeError(`answerQuestion: context token ${token} has no offset`);
  }
  const [start, end] = offset;
  if (!(start >= 0 && start <= end && end <= context.length)) {
    throw new RangeError(`answerQuestion: context token ${token} offset [${start}, ${end}] is outside the ${context.length}-character context`);
  }
  return offset;
}

/** Splits the engine's QA `tokenLogits` (positions × 2, row-major: start, end) into the two columns. */
export function startEndLogits(tokenLogits: ArrayLike<number>, positions: number): WindowLogits {
  if (tokenLogits.length !== positions * 2) {
    throw new RangeError(`startEndLogits: expected ${positions} × 2 = ${positions * 2} values, got ${tokenLogits.length}`);
  }
  const startLogits = new Float32Array(positions);
  const endLogits = new Float32Array(positions);
  for (let i = 0; i < positions; i++) {
    startLogits[i] = tokenLogits[2 * i] as number;
    endLogits[i] = tokenLogits[2 * i + 1] as number;
  }
  return { startLogits, endLogits };
}
