/**
 * @module heads/spans
 * Extractive-QA span search in one window, with Hugging Face question-answering pipeline scores:
 * start and end logits are each softmaxed over the positions an answer may use — the context
 * tokens plus [CLS] (HF keeps [CLS] unmasked; question, [SEP] and padding are masked out) — and a
 * span's score is p_start(s) · p_end(e). Candidates are context positions with s ≤ e and
 * e − s < maxAnswerTokens. Ranking uses the logit sum start(s) + end(e), which orders spans exactly
 * as the product of the probabilities does (the normalizers are shared), without rounding ties.
 * With `allowNull` (a model trained with a null answer at [CLS]) the [CLS]-[CLS] span competes
 * too (HF `handle_impossible_answer`).
 */

/** Longest answer in tokens by default (the SQuAD evaluation convention; HF's pipeline default is 15). */
export const DEFAULT_MAX_ANSWER_TOKENS = 30;

/** Where the context sits inside a window's ids (see heads/windows `QaWindow`). */
export interface SpanWindow {
  readonly contextOffset: number;
  readonly contextLength: number;
}

export interface SpanOptions {
  /** How many spans to return, best first (default 1). */
  topK?: number;
  /** Longest span in tokens (default 30). */
  maxAnswerTokens?: number;
  /** Also score the [CLS] "no answer" span (position 0); default false. */
  allowNull?: boolean;
}

/** A span of window positions (inclusive); the null answer is startToken = endToken = 0 ([CLS]). */
export interface TokenSpan {
  startToken: number;
  endToken: number;
  score: number;
}

/**
 * The top-k spans of one window, best first; on equal scores the earlier start (then the earlier
 * end) comes first, as numpy's argmax over HF's start × end matrix picks.
 */
export function bestSpans(
  startLogits: ArrayLike<number>,
  endLogits: ArrayLike<number>,
  window: SpanWindow,
  options: SpanOptions = {},
): TokenSpan[] {
  const topK = options.topK ?? 1;
  const maxAnswerTokens = options.maxAnswerTokens ?? DEFAULT_MAX_ANSWER_TOKENS;
  checkInteger("topK", topK, 1);
  checkInteger("maxAnswerTokens", maxAnswerTokens, 1);
  const { logZStart, logZEnd } = normalizers(startLogits, endLogits, window);

  const keys: number[] = [];
  const spans: TokenSpan[] = [];
  const offer = (s: number, e: number): void => {
    const key = (startLogits[s] as number) + (endLogits[e] as number);
    if (spans.length === topK && !(key > (keys[topK - 1] as number))) return;
    let at = spans.length;
    while (at > 0 && key > (keys[at - 1] as number)) at--;
    keys.splice(at, 0, key);
    spans.splice(at, 0, { startToken: s, endToken: e, score: 0 });
    if (spans.length > topK) {
      keys.pop();
      spans.pop();
    }
  };

  const first = window.contextOffset;
  const last = first + window.contextLength - 1;
  for (let s = first; s <= last; s++) {
    const endMax = Math.min(last, s + maxAnswerTokens - 1);
    for (let e = s; e <= endMax; e++) offer(s, e);
  }
  // Offered last, so on a tie the null span ranks after context spans, like HF's stable sort of
  // the answers with the null answer appended.
  if (options.allowNull) offer(0, 0);
  spans.forEach((span, i) => {
    span.score = Math.exp((keys[i] as number) - logZStart - logZEnd);
  });
  return spans;
}

/** HF's null score of a window: p_start([CLS]) · p_end([CLS]) under the same softmax as the spans. */
export function nullScore(startLogits: ArrayLike<number>, endLogits: ArrayLike<number>, window: SpanWindow): number {
  const { logZStart, logZEnd } = normalizers(startLogits, endLogits, window);
  return Math.exp((startLogits[0] as number) + (endLogits[0] as number) - logZStart - logZEnd);
}

/** log Σ exp over [CLS] and the context positions, for start and end logits. */
function normalizers(startLogits: ArrayLike<number>, endLogits: ArrayLike<number>, window: SpanWindow): { logZStart: number; logZEnd: number } {
  const n = startLogits.length;
  if (endLogits.length !== n) {
    throw new RangeError(`bestSpans: ${n} start logits but ${endLogits.length} end logits`);
  }
  const { contextOffset, contextLength } = window;
  if (!Number.isInteger(contextOffset) || !Number.isInteger(contextLength) || contextOffset < 1 || contextLength < 1 || contextOffset + contextLength > n) {
    throw new RangeError(`bestSpans: context at ${contextOffset} (+${contextLength} tokens) does not fit after [CLS] in ${n} positions`);
  }
  const positions = [0];
  for (let i = contextOffset; i < contextOffset + contextLength; i++) positions.push(i);
  return { logZStart: logSumExp(startLogits, positions), logZEnd: logSumExp(endLogits, positions) };
}

function logSumExp(values: ArrayLike<number>, positions: readonly number[]): number {
  let max = -Infinity;
  for (const p of positions) max = Math.max(max, values[p] as number);
  let sum = 0;
  for (const p of positions) sum += Math.exp((values[p] as number) - max);
  return max + Math.log(sum);
}

function checkInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`bestSpans: ${name} must be an integer >= ${min} (got ${value})`);
  }
}
