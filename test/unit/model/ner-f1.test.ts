/**
 * @module test/unit/model/ner-f1
 * The entity-F1 helper the shipped NER test gates on (test/support/ner-f1.ts) follows seqeval's
 * default IOB2 semantics, on the same cases as training/ner_f1.py's self-test.
 */
import { describe, expect, it } from "vitest";
import { entityF1, entitySpans } from "../../support/ner-f1.ts";

describe("entity F1 (seqeval semantics)", () => {
  it("finds spans: B- starts, I- without B- starts, a type change or B- ends", () => {
    expect([...entitySpans(["B-PER", "I-PER", "O", "B-LOC"])]).toEqual(["PER:0:1", "LOC:3:3"]);
    expect([...entitySpans(["I-PER", "I-PER", "O"])]).toEqual(["PER:0:1"]);
    expect([...entitySpans(["B-PER", "I-LOC", "I-LOC"])]).toEqual(["PER:0:0", "LOC:1:2"]);
    expect([...entitySpans(["B-ORG", "B-ORG", "I-ORG"])]).toEqual(["ORG:0:0", "ORG:1:2"]);
    expect([...entitySpans(["O", "I-MISC"])]).toEqual(["MISC:1:1"]);
  });

  it("micro-averages over sentences (gold 3, predicted 4, 2 right: F1 4/7)", () => {
    const gold = [["B-PER", "I-PER", "O", "B-LOC"], ["B-ORG", "O"]];
    const pred = [["B-PER", "O", "O", "B-LOC"], ["B-ORG", "B-MISC"]];
    expect(entityF1(gold, pred)).toBeCloseTo(4 / 7, 10);
    expect(entityF1(gold, gold)).toBe(1);
    expect(entityF1(gold, gold.map((s) => s.map(() => "O")))).toBe(0);
  });
});
