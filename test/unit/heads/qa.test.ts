/**
 * @module test/unit/heads/qa
 * QA windows and answer selection on synthetic inputs: a context 3× longer than the model window
 * with the answer in the last window (windows cover every context token, consecutive ones overlap
 * by exactly the stride, the answer's character span is right), duplicate spans from overlapping
 * windows merged, top-k ordering, maxAnswerTokens, the null answer, and RangeErrors for bad params.
 */
import { describe, expect, it } from "vitest";
import {
  DEFAULT_DOC_STRIDE,
  answerQuestion,
  bestSpans,
  defaultStride,
  nullScore,
  qaWindows,
  startEndLogits,
  type QaWindow,
  type WindowLogits,
} from "../../../src/heads/index.ts";
import { Rng } from "../../support/random.ts";

const CLS = 2;
const SEP = 3;
const MAX_LENGTH = 64;
const QUESTION = [101, 102, 103, 104, 105];
const CONTEXT_TOKENS = 3 * MAX_LENGTH; // 192 tokens, 3× the window

/** A context of words "w0 w1 …", one token each, with its ids and offsets. */
function syntheticContext(n: number): { context: string; ids: number[]; offsets: [number, number][] } {
  const offsets: [number, number][] = [];
  let context = "";
  for (let i = 0; i < n; i++) {
    if (i > 0) context += " ";
    const word = `w${i}`;
    offsets.push([context.length, context.length + word.length]);
    context += word;
  }
  return { context, ids: Array.from({ length: n }, (_, i) => 1000 + i), offsets };
}

interface FloatLogits extends WindowLogits {
  startLogits: Float32Array;
  endLogits: Float32Array;
}

/**
 * Per-window logits: small noise everywhere, high values on the question and [SEP] (which must be
 * masked out), and the given peaks at context tokens (by context index) wherever a window holds them.
 */
function logitsFor(windows: readonly QaWindow[], peaks: { start: Map<number, number>; end: Map<number, number> }, seed = 7, cls = -5): FloatLogits[] {
  const rng = new Rng(seed);
  return windows.map((w) => {
    const startLogits = new Float32Array(w.ids.length);
    const endLogits = new Float32Array(w.ids.length);
    for (let i = 0; i < w.ids.length; i++) {
      const contextIndex = i - w.contextOffset + w.contextStart;
      const inContext = i >= w.contextOffset && i < w.contextOffset + w.contextLength;
      startLogits[i] = inContext ? (peaks.start.get(contextIndex) ?? 0.1 * rng.normal()) : 50;
      endLogits[i] = inContext ? (peaks.end.get(contextIndex) ?? 0.1 * rng.normal()) : 50;
    }
    startLogits[0] = cls;
    endLogits[0] = cls;
    return { startLogits, endLogits };
  });
}

describe("qaWindows on a context 3× longer than the window", () => {
  const { ids } = syntheticContext(CONTEXT_TOKENS);
  const windows = qaWindows({ questionIds: QUESTION, contextIds: ids, maxLength: MAX_LENGTH, clsId: CLS, sepId: SEP });
  const room = MAX_LENGTH - QUESTION.length - 3; // 56
  const stride = defaultStride(room); // 28

  it("uses the documented default stride: min(128, half the room)", () => {
    expect(stride).toBe(28);
    expect(defaultStride(512 - 10 - 3)).toBe(DEFAULT_DOC_STRIDE);
  });

  it("builds [CLS] q [SEP] slice [SEP] windows within maxLength, with token types 0 then 1", () => {
    expect(windows.length).toBe(6); // starts 0, 28, 56, 84, 112, 140
    for (const w of windows) {
      expect(w.ids.length).toBeLessThanOrEqual(MAX_LENGTH);
      expect(w.ids.slice(0, 7)).toEqual([CLS, ...QUESTION, SEP]);
      expect(w.ids[w.ids.length - 1]).toBe(SEP);
      expect(w.contextOffset).toBe(7);
      expect(w.ids.slice(w.contextOffset, w.contextOffset + w.contextLength)).toEqual(ids.slice(w.contextStart, w.contextStart + w.contextLength));
      expect(w.typeIds).toEqual(w.ids.map((_, i) => (i < 7 ? 0 : 1)));
    }
  });

  it("covers every context token, consecutive windows overlapping by exactly the stride", () => {
    const seen = new Array<number>(CONTEXT_TOKENS).fill(0);
    for (const w of windows) for (let k = w.contextStart; k < w.contextStart + w.contextLength; k++) seen[k] = (seen[k] ?? 0) + 1;
    expect(seen.every((count) => count >= 1)).toBe(true);
    for (let i = 1; i < windows.length; i++) {
      const previous = windows[i - 1] as QaWindow;
      const current = windows[i] as QaWindow;
      expect(previous.contextLength).toBe(room);
      expect(previous.contextStart + previous.contextLength - current.contextStart).toBe(stride);
    }
    const last = windows[windows.length - 1] as QaWindow;
    expect(last.contextStart + last.contextLength).toBe(CONTEXT_TOKENS);
  });

  it("honours an explicit stride and truncates the question to maxQuestionTokens", () => {
    const long = Array.from({ length: 80 }, (_, i) => 200 + i);
    const ws = qaWindows({ questionIds: long, contextIds: ids, maxLength: 128, stride: 10, clsId: CLS, sepId: SEP });
    expect(ws[0]?.contextOffset).toBe(66); // 64 question tokens kept
    expect(ws[0]?.ids.slice(1, 65)).toEqual(long.slice(0, 64));
    expect((ws[0] as QaWindow).contextStart + (ws[0] as QaWindow).contextLength - (ws[1] as QaWindow).contextStart).toBe(10);
    const short = qaWindows({ questionIds: long, contextIds: ids, maxLength: 128, maxQuestionTokens: 8, clsId: CLS, sepId: SEP });
    expect(short[0]?.contextOffset).toBe(10);
  });

  it("finds the answer in the last window and maps it to the right characters", () => {
    const { context, offsets } = syntheticContext(CONTEXT_TOKENS);
    // Answer w185..w187 (only the last window, 140..191, holds it); a weaker decoy w20..w21 in the first.
    const peaks = { start: new Map([[185, 9], [20, 6]]), end: new Map([[187, 9], [21, 6]]) };
    const answers = answerQuestion({ context, contextOffsets: offsets, windows, logits: logitsFor(windows, peaks) }, { topK: 2 });
    expect(windows.filter((w) => w.contextStart <= 185 && 187 < w.contextStart + w.contextLength).length).toBe(1);
    expect(answers[0]?.answer).toBe("w185 w186 w187");
    expect(answers[0]?.start).toBe(context.indexOf("w185"));
    expect(answers[0]?.end).toBe(context.indexOf("w187") + 4);
    expect(answers[1]?.answer).toBe("w20 w21");
    expect(answers[0]?.score).toBeGreaterThan(answers[1]?.score ?? 1);
  });
});

describe("answerQuestion", () => {
  const { context, ids, offsets } = syntheticContext(CONTEXT_TOKENS);
  const windows = qaWindows({ questionIds: QUESTION, contextIds: ids, maxLength: MAX_LENGTH, clsId: CLS, sepId: SEP });

  it("merges the same span found by two overlapping windows into one answer", () => {
    // w150..w152 lies in windows 112..167 and 140..191, with the same logits in both.
    const peaks = { start: new Map([[150, 8], [60, 5], [100, 4]]), end: new Map([[152, 8], [61, 5], [101, 4]]) };
    const answers = answerQuestion({ context, contextOffsets: offsets, windows, logits: logitsFor(windows, peaks) }, { topK: 5 });
    expect(windows.filter((w) => w.contextStart <= 150 && 152 < w.contextStart + w.contextLength).length).toBe(2);
    expect(answers.filter((a) => a.answer === "w150 w151 w152").length).toBe(1);
    const keys = answers.map((a) => `${a.start}:${a.end}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(answers.map((a) => a.answer).slice(0, 3)).toEqual(["w150 w151 w152", "w60 w61", "w100 w101"]);
  });

  it("returns top_k answers in descending score order", () => {
    // All peaks in the first window only (0..55; the second starts at 28): ranked by their logits.
    const peaks = { start: new Map([[5, 7], [12, 6], [20, 5]]), end: new Map([[6, 7], [14, 6], [20, 5]]) };
    const answers = answerQuestion({ context, contextOffsets: offsets, windows, logits: logitsFor(windows, peaks) }, { topK: 4 });
    expect(answers.length).toBe(4);
    for (let i = 1; i < answers.length; i++) expect(answers[i - 1]?.score).toBeGreaterThanOrEqual(answers[i]?.score ?? 0);
    // Sums: 5→6 14, 5→14 13, then a tie at 12 (5→20 and 12→14) broken by the earlier start, as numpy's argmax order.
    const span = (s: number, e: number): [number, number] => [offsets[s]?.[0] ?? -1, offsets[e]?.[1] ?? -1];
    expect(answers.map((a) => [a.start, a.end])).toEqual([span(5, 6), span(5, 14), span(5, 20), span(12, 14)]);
    for (const a of answers) expect(a.answer).toBe(context.slice(a.start, a.end));
  });

  it("respects maxAnswerTokens", () => {
    // The strongest pair, w30 → w69, is 40 tokens long and within one window (28..83).
    const peaks = { start: new Map([[30, 10], [32, 4]]), end: new Map([[69, 10], [35, 4]]) };
    const logits = logitsFor(windows, peaks);
    const short = answerQuestion({ context, contextOffsets: offsets, windows, logits }, { maxAnswerTokens: 30 });
    expect(short[0]?.answer).not.toContain("w69");
    const long = answerQuestion({ context, contextOffsets: offsets, windows, logits }, { maxAnswerTokens: 40 });
    expect(long[0]?.start).toBe(context.indexOf("w30"));
    expect(long[0]?.end).toBe(context.indexOf("w69") + 3);
    const spans = bestSpans(logits[1]?.startLogits ?? [], logits[1]?.endLogits ?? [], windows[1] as QaWindow, { topK: 50, maxAnswerTokens: 3 });
    expect(spans.length).toBe(50);
    for (const s of spans) expect(s.endToken - s.startToken).toBeLessThan(3);
    for (const s of spans) expect(s.startToken).toBeGreaterThanOrEqual(windows[1]?.contextOffset ?? 0);
  });

  it("offers the null answer only with allowNull, scored by the smallest [CLS] score over the windows", () => {
    const peaks = { start: new Map([[5, 3]]), end: new Map([[6, 3]]) };
    const logits = logitsFor(windows, peaks, 7, 12);
    // Give window 2 a weaker [CLS]: HF's min_null_score is that window's.
    (logits[2] as FloatLogits).startLogits[0] = 8;
    const without = answerQuestion({ context, contextOffsets: offsets, windows, logits }, { topK: 3 });
    expect(without.some((a) => a.answer === "")).toBe(false);
    const withNull = answerQuestion({ context, contextOffsets: offsets, windows, logits }, { topK: 3, allowNull: true });
    const minNull = Math.min(...windows.map((w, i) => nullScore(logits[i]?.startLogits ?? [], logits[i]?.endLogits ?? [], w)));
    expect(withNull[0]).toEqual({ answer: "", score: minNull, start: 0, end: 0 });
    expect(minNull).toBe(nullScore(logits[2]?.startLogits ?? [], logits[2]?.endLogits ?? [], windows[2] as QaWindow));
    // Per window, bestSpans ranks the [CLS] span with the others.
    const [top] = bestSpans(logits[0]?.startLogits ?? [], logits[0]?.endLogits ?? [], windows[0] as QaWindow, { allowNull: true });
    expect([top?.startToken, top?.endToken]).toEqual([0, 0]);
  });

  it("widens answers to whole words when given the context pieces", () => {
    const text = "the foot-dragging pace";
    const pieces = ["▁the", "▁foot", "-", "drag", "ging", "▁pace"];
    const pieceOffsets: [number, number][] = [[0, 3], [4, 8], [8, 9], [9, 13], [13, 17], [18, 22]];
    const ws = qaWindows({ questionIds: [7], contextIds: [10, 11, 12, 13, 14, 15], maxLength: 32, clsId: CLS, sepId: SEP });
    const start = new Float32Array(ws[0]?.ids.length ?? 0);
    const end = new Float32Array(ws[0]?.ids.length ?? 0);
    start[3 + 2] = 9; // "-" (window position = context index + contextOffset 3)
    end[3 + 3] = 9; // "drag"
    const input = { context: text, contextOffsets: pieceOffsets, windows: ws, logits: [{ startLogits: start, endLogits: end }] };
    expect(answerQuestion(input)[0]?.answer).toBe("-drag");
    expect(answerQuestion(input, { contextPieces: pieces })[0]?.answer).toBe("foot-dragging");
  });

  it("splits the engine's [positions × 2] QA logits into start and end columns", () => {
    const { startLogits, endLogits } = startEndLogits([1, 2, 3, 4, 5, 6], 3);
    expect(Array.from(startLogits)).toEqual([1, 3, 5]);
    expect(Array.from(endLogits)).toEqual([2, 4, 6]);
    expect(() => startEndLogits([1, 2, 3], 2)).toThrow(/expected 2 × 2 = 4 values, got 3/);
  });
});

describe("bad parameters are RangeErrors with clear messages", () => {
  const base = { questionIds: QUESTION, contextIds: [1000, 1001, 1002], maxLength: 16, clsId: CLS, sepId: SEP };
  const window = { contextOffset: 7, contextLength: 3 };
  const logits = new Float32Array(11);

  it("qaWindows", () => {
    expect(() => qaWindows({ ...base, contextIds: [] })).toThrow(/context has no tokens/);
    expect(() => qaWindows({ ...base, questionIds: [] })).toThrow(/question has no tokens/);
    expect(() => qaWindows({ ...base, maxLength: 8 })).toThrow(/maxLength 8 leaves no room for context after a 5-token question/);
    expect(() => qaWindows({ ...base, maxLength: 12.5 })).toThrow(/maxLength must be an integer >= 4/);
    expect(() => qaWindows({ ...base, stride: 8 })).toThrow(/stride 8 must be smaller than the 8 context tokens/);
    expect(() => qaWindows({ ...base, stride: -1 })).toThrow(RangeError);
    expect(() => qaWindows({ ...base, maxQuestionTokens: 0 })).toThrow(/maxQuestionTokens must be an integer >= 1/);
  });

  it("bestSpans", () => {
    expect(() => bestSpans(logits, logits, window, { topK: 0 })).toThrow(/topK must be an integer >= 1 \(got 0\)/);
    expect(() => bestSpans(logits, logits, window, { maxAnswerTokens: 1.5 })).toThrow(/maxAnswerTokens must be an integer >= 1/);
    expect(() => bestSpans(logits, new Float32Array(10), window)).toThrow(/11 start logits but 10 end logits/);
    expect(() => bestSpans(logits, logits, { contextOffset: 7, contextLength: 5 })).toThrow(/does not fit/);
    expect(() => bestSpans(logits, logits, { contextOffset: 0, contextLength: 3 })).toThrow(RangeError);
  });

  it("answerQuestion", () => {
    const ws = qaWindows(base);
    const context = "a b c";
    const offsets: [number, number][] = [[0, 1], [2, 3], [4, 5]];
    expect(() => answerQuestion({ context, contextOffsets: offsets, windows: ws, logits: [] })).toThrow(/1 windows but 0 sets of logits/);
    expect(() => answerQuestion({ context, contextOffsets: offsets, windows: [], logits: [] })).toThrow(/no windows/);
    expect(() => answerQuestion({ context, contextOffsets: offsets.slice(0, 2), windows: ws, logits: [{ startLogits: logits, endLogits: logits }] })).toThrow(/covers context tokens 0..2 of 2/);
    expect(() => answerQuestion({ context, contextOffsets: offsets, windows: ws, logits: [{ startLogits: logits, endLogits: logits }] }, { contextPieces: ["▁a"] })).toThrow(/1 context pieces but 3 offsets/);
  });
});
