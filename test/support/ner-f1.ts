/**
 * @module test/support/ner-f1
 * Entity-level F1 for IOB2 tags with seqeval's default (conlleval) semantics, as
 * training/ner_f1.py: an entity is an exact (type, start, end) span; an I- without B- starts
 * one; micro-averaged. Plus the CoNLL-2003 reader the NER tests use.
 */
import { readFileSync } from "node:fs";

/** `token TAG` lines, a blank line between sentences → [{words, tags}]. */
export function readConll(path: string): { words: string[]; tags: string[] }[] {
  const sents: { words: string[]; tags: string[] }[] = [];
  let words: string[] = [];
  let tags: string[] = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") {
      if (words.length > 0) sents.push({ words, tags });
      words = [];
      tags = [];
      continue;
    }
    const [w, t] = line.split(" ");
    words.push(w!);
    tags.push(t!);
  }
  if (words.length > 0) sents.push({ words, tags });
  return sents;
}

/** The entities of one sentence's tags as `TYPE:start:end` (end inclusive). */
export function entitySpans(tags: readonly string[]): Set<string> {
  const out = new Set<string>();
  let type: string | undefined;
  let start = 0;
  [...tags, "O"].forEach((tag, i) => {
    const [prefix, t = ""] = tag === "O" ? ["O"] : tag.split("-", 2);
    if (type !== undefined && (prefix === "O" || prefix === "B" || t !== type)) {
      out.add(`${type}:${start}:${i - 1}`);
      type = undefined;
    }
    if ((prefix === "B" || prefix === "I") && type === undefined) {
      type = t;
      start = i;
    }
  });
  return out;
}

/** Micro-averaged entity F1 over sentences. */
export function entityF1(gold: readonly (readonly string[])[], pred: readonly (readonly string[])[]): number {
  let tp = 0;
  let nGold = 0;
  let nPred = 0;
  gold.forEach((g, i) => {
    const ge = entitySpans(g);
    const pe = entitySpans(pred[i]!);
    nGold += ge.size;
    nPred += pe.size;
    for (const e of pe) if (ge.has(e)) tp++;
  });
  const p = nPred === 0 ? 0 : tp / nPred;
  const r = nGold === 0 ? 0 : tp / nGold;
  return p + r === 0 ? 0 : (2 * p * r) / (p + r);
}
