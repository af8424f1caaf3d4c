/**
 * @module test/unit/heads/bio-decode
 * BIO-constrained decoding: the hand-worked case that argmax gets wrong ("B-PER I-ORG"), the
 * exhaustive optimum over every valid IOB2 sequence for random probability rows, argmax kept when
 * it is already valid, IO schemes and plain labels left free, and the decoding through
 * `aggregateEntities` (word-level "first", request errors).
 */
import { describe, expect, it } from "vitest";
import { aggregateEntities, decodeBio, type EntityToken } from "../../../src/heads/index.ts";
import { argmax } from "../../../src/heads/softmax.ts";
import { Rng } from "../../support/random.ts";

const LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG"];

/** Whether a label sequence is valid IOB2 (every I-X right after B-X or I-X). */
function valid(path: readonly number[], labels: readonly string[]): boolean {
  return path.every((c, t) => {
    const label = labels[c]!;
    if (!label.startsWith("I-")) return true;
    const prev = t === 0 ? undefined : labels[path[t - 1]!];
    return prev === `B-${label.slice(2)}` || prev === label;
  });
}

const logScore = (rows: readonly number[][], path: readonly number[]): number => path.reduce((s, c, t) => s + Math.log(rows[t]![c]!), 0);

/** Every label sequence of length n over k labels. */
function* sequences(n: number, k: number): Generator<number[]> {
  if (n === 0) {
    yield [];
    return;
  }
  for (const rest of sequences(n - 1, k)) for (let c = 0; c < k; c++) yield [...rest, c];
}

function randomRows(rng: Rng, n: number, k: number): number[][] {
  return Array.from({ length: n }, () => {
    const raw = Array.from({ length: k }, () => Math.exp(3 * rng.normal()));
    const sum = raw.reduce((a, b) => a + b, 0);
    return raw.map((x) => x / sum);
  });
}

describe("decodeBio", () => {
  it("mends what argmax breaks: B-PER I-ORG becomes the more probable valid B-PER I-PER", () => {
    const rows = [
      [0.1, 0.5, 0.05, 0.3, 0.05],
      [0.05, 0.05, 0.4, 0.05, 0.45],
    ];
    expect(rows.map(argmax).map((c) => LABELS[c])).toEqual(["B-PER", "I-ORG"]);
    // valid choices: B-PER I-PER (0.5 × 0.4 = 0.2) beats B-ORG I-ORG (0.3 × 0.45 = 0.135)
    expect(decodeBio(rows, LABELS).map((c) => LABELS[c])).toEqual(["B-PER", "I-PER"]);
  });

  it("never starts with an I- label, and O I-X becomes a valid sequence", () => {
    const rows = [
      [0.2, 0.1, 0.6, 0.05, 0.05],
      [0.6, 0.1, 0.2, 0.05, 0.05],
      [0.4, 0.05, 0.45, 0.05, 0.05],
    ];
    const path = decodeBio(rows, LABELS);
    expect(valid(path, LABELS)).toBe(true);
    expect(valid(rows.map(argmax), LABELS)).toBe(false);
  });

  it("finds the most probable valid sequence (exhaustive check on random rows)", () => {
    const rng = new Rng(7);
    let changed = 0;
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + (trial % 5);
      const rows = randomRows(rng, n, LABELS.length);
      const path = decodeBio(rows, LABELS);
      expect(path).toHaveLength(n);
      expect(valid(path, LABELS)).toBe(true);
      let best = -Infinity;
      for (const s of sequences(n, LABELS.length)) if (valid(s, LABELS)) best = Math.max(best, logScore(rows, s));
      expect(logScore(rows, path)).toBeCloseTo(best, 9);
      const greedy = rows.map(argmax);
      if (valid(greedy, LABELS)) expect(path).toEqual(greedy);
      else changed++;
    }
    expect(changed).toBeGreaterThan(30); // the random rows do exercise the constraint
  });

  it("leaves IO-scheme I- labels (no B- of their type) and plain labels free: argmax", () => {
    const io = ["O", "I-PER", "I-LOC", "MISC"];
    const rng = new Rng(3);
    for (let trial = 0; trial < 50; trial++) {
      const rows = randomRows(rng, 4, io.length);
      expect(decodeBio(rows, io)).toEqual(rows.map(argmax));
    }
  });

  it("takes zero probabilities and empty input", () => {
    expect(decodeBio([], LABELS)).toEqual([]);
    expect(decodeBio([[0, 0, 1, 0, 0]], LABELS)).toEqual([0]); // I-PER cannot start; the rest tie at the floor → lowest index
  });
});

describe("aggregateEntities with decoding", () => {
  const text = "Hassan Rastegar spoke";
  const row = (scores: number[]) => scores;
  const tokens: EntityToken[] = [
    { piece: "[CLS]", offset: null, scores: row([0.2, 0.2, 0.2, 0.2, 0.2]) },
    { piece: "▁hassan", offset: [0, 6], scores: row([0.1, 0.3, 0.45, 0.1, 0.05]) },
    { piece: "▁raste", offset: [7, 12], scores: row([0.05, 0.05, 0.4, 0.05, 0.45]) },
    { piece: "gar", offset: [12, 15], scores: row([0.9, 0.025, 0.025, 0.025, 0.025]) },
    { piece: "▁spoke", offset: [16, 21], scores: row([0.96, 0.01, 0.01, 0.01, 0.01]) },
    { piece: "[SEP]", offset: null, scores: row([0.2, 0.2, 0.2, 0.2, 0.2]) },
  ];

  it("argmax (the default) splits the name: I-PER then I-ORG", () => {
    const plain = aggregateEntities(text, tokens, LABELS, "first");
    expect(plain.map((e) => `${e.label}:${e.text}`)).toEqual(["PER:Hassan", "ORG:Rastegar"]);
    expect(aggregateEntities(text, tokens, LABELS, "first", { decoding: "argmax" })).toEqual(plain);
  });

  it("bio gives one person, scored with the probabilities of the labels it chose", () => {
    const [person, ...rest] = aggregateEntities(text, tokens, LABELS, "first", { decoding: "bio" });
    expect(rest).toEqual([]);
    expect(person).toMatchObject({ label: "PER", start: 0, end: 15, text: "Hassan Rastegar" });
    expect(person!.score).toBeCloseTo((0.3 + 0.4) / 2, 12); // B-PER 0.3, I-PER 0.4
  });

  it("rejects an unknown decoding, naming the valid ones", () => {
    expect(() => aggregateEntities(text, tokens, LABELS, "first", { decoding: "crf" as "bio" })).toThrow(/unknown decoding "crf" \(expected one of argmax, bio\)/);
  });
});
