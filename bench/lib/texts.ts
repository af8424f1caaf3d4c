/**
 * @module bench/lib/texts
 * Benchmark inputs with an exact token count (including [CLS] and [SEP]) under the real ALBERT
 * tokenizer: a prefix of concatenated IMDB reviews (../shared/datasets/imdb, read locally), cut
 * by binary search on words and topped up with " a" (one token each) to hit the target exactly.
 */
import { readFileSync } from "node:fs";
import { AlbertTokenizer } from "../../src/tokenizer/index.ts";
import { paths } from "./paths.ts";

export interface TokenText {
  tokens: number;
  text: string;
}

function reviews(count: number): string[] {
  const lines = readFileSync(paths.imdb, "utf8").split("\n").slice(1, count + 1);
  return lines.map((l) => (l.split("\t")[3] ?? "").replaceAll("<br />", " ")).filter((t) => t.length > 0);
}

/** One text per target token count (distinct texts when `variant` differs). */
export function textsWithTokens(targets: readonly number[], variant = 0): TokenText[] {
  const tokenizer = AlbertTokenizer.fromModel(new Uint8Array(readFileSync(paths.spiece)), { lowercase: true, keepAccents: false });
  const count = (text: string): number => tokenizer.encode(text, { maxLength: 100_000 }).ids.length;
  const corpus = reviews(200);
  const words = corpus.slice(variant % corpus.length).concat(corpus).join(" ").split(/\s+/);
  return targets.map((target) => {
    if (target < 3) throw new RangeError("need at least 3 tokens ([CLS] x [SEP])");
    let lo = 1;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (count(words.slice(0, mid).join(" ")) <= target) lo = mid;
      else hi = mid - 1;
    }
    let text = words.slice(0, lo).join(" ");
    while (count(text) < target) text += " a";
    const n = count(text);
    if (n !== target) throw new Error(`could not build a ${target}-token text (got ${n})`);
    return { tokens: target, text };
  });
}
