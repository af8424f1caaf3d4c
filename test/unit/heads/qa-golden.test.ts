/**
 * @module test/unit/heads/qa-golden
 * Span search on the golden start/end logits of ../shared/golden/albert-qa-mini.jsonl (the
 * reference fp32 forward pass of ../shared/checkpoints/albert-qa-mini): for all 40 rows the best
 * span must be the golden `best` exactly (largest start + end logit inside the context, start ≤ end,
 * at most 30 tokens); the top 5 must follow a brute-force ranking; scores must equal Hugging Face's
 * (softmax over [CLS] + context with everything else masked to -10000, product of probabilities);
 * one window built by qaWindows must reproduce the golden ids and token types; and where the
 * golden has an answer string, answerQuestion must give the same substring of the context.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { answerQuestion, bestSpans, qaWindows } from "../../../src/heads/index.ts";
import type { QaGolden } from "../../support/heads-golden.ts";
import { goldenDir } from "../../support/paths.ts";
import { albert } from "../tokenizer/helpers.ts";

const CLS = 2;
const SEP = 3;
const path = join(goldenDir, "albert-qa-mini.jsonl");
const present = existsSync(path);
const rows: QaGolden[] = (present ? readFileSync(path, "utf8") : "")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as QaGolden);

function windowOf(row: QaGolden): { contextOffset: number; contextLength: number } {
  const contextOffset = row.ids.indexOf(SEP) + 1;
  return { contextOffset, contextLength: row.ids.length - contextOffset - 1 };
}

/** HF select_starts_ends' probabilities: mask non-answer positions to -10000 (keeping [CLS]), softmax. */
function hfProbabilities(logits: readonly number[], row: QaGolden): number[] {
  const { contextOffset, contextLength } = windowOf(row);
  const masked = logits.map((l, i) => (i === 0 || (i >= contextOffset && i < contextOffset + contextLength) ? l : -10000));
  const max = Math.max(...masked);
  const exps = masked.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  return exps.map((e) => e / sum);
}

describe.skipIf(!present)("QA span search on albert-qa-mini's golden logits", () => {
  it("has the 40 pairs", () => {
    expect(rows.length).toBe(40);
  });

  it("finds exactly the golden best span in every row", () => {
    for (const row of rows) {
      const [best] = bestSpans(row.start_logits, row.end_logits, windowOf(row), { maxAnswerTokens: 30 });
      expect([best?.startToken, best?.endToken], row.context).toEqual([row.best.start_token, row.best.end_token]);
      expect((row.start_logits[best?.startToken ?? 0] as number) + (row.end_logits[best?.endToken ?? 0] as number)).toBeCloseTo(row.best.score_logit_sum, 4);
    }
  });

  it("ranks the top 5 as a brute-force search does, with HF's probability-product scores", () => {
    for (const row of rows) {
      const window = windowOf(row);
      const brute: { s: number; e: number; key: number }[] = [];
      for (let s = window.contextOffset; s < window.contextOffset + window.contextLength; s++) {
        for (let e = s; e < Math.min(window.contextOffset + window.contextLength, s + 30); e++) {
          brute.push({ s, e, key: (row.start_logits[s] as number) + (row.end_logits[e] as number) });
        }
      }
      brute.sort((a, b) => b.key - a.key);
      const pStart = hfProbabilities(row.start_logits, row);
      const pEnd = hfProbabilities(row.end_logits, row);
      const top = bestSpans(row.start_logits, row.end_logits, window, { topK: 5, maxAnswerTokens: 30 });
      expect(top.map((t) => [t.startToken, t.endToken])).toEqual(brute.slice(0, 5).map((b) => [b.s, b.e]));
      for (const t of top) {
        const hf = (pStart[t.startToken] as number) * (pEnd[t.endToken] as number);
        expect(Math.abs(t.score - hf)).toBeLessThanOrEqual(1e-12 + 1e-9 * hf);
      }
    }
  });

  it("qaWindows rebuilds the golden ids and token types in one window", () => {
    for (const row of rows) {
      const sep = row.ids.indexOf(SEP);
      const windows = qaWindows({ questionIds: row.ids.slice(1, sep), contextIds: row.ids.slice(sep + 1, -1), maxLength: 512, clsId: CLS, sepId: SEP });
      expect(windows.length).toBe(1);
      expect(windows[0]?.ids).toEqual(row.ids);
      expect(windows[0]?.typeIds).toEqual(row.token_type_ids);
      expect(windows[0]?.contextOffset).toBe(sep + 1);
    }
  });

  it("answerQuestion gives the golden answer substring wherever the golden has one", () => {
    let compared = 0;
    for (const row of rows) {
      const sep = row.ids.indexOf(SEP);
      const contextIds = row.ids.slice(sep + 1, -1);
      // The tokenizer's own offsets of the context tokens (UTF-16, into the context).
      const { ids, offsets } = albert().tokenize(row.context);
      expect(ids).toEqual(contextIds);
      if (row.best.answer === undefined) continue;
      const windows = qaWindows({ questionIds: row.ids.slice(1, sep), contextIds, maxLength: 512, clsId: CLS, sepId: SEP });
      const [answer] = answerQuestion({ context: row.context, contextOffsets: offsets, windows, logits: [{ startLogits: row.start_logits, endLogits: row.end_logits }] });
      expect(answer?.answer).toBe(row.best.answer);
      expect(row.context.slice(answer?.start, answer?.end)).toBe(row.best.answer);
      compared++;
    }
    expect(compared).toBe(rows.filter((r) => r.best.answer !== undefined).length); // 39 of 40
  });
});
