/**
 * @module test/unit/heads/entities
 * Entity aggregation against hand-worked BIO cases for every strategy (B-I-I, I without B,
 * adjacent entities of one type, subword pieces, a bare "▁" piece, labels without BIO prefixes),
 * worked out by hand from Hugging Face TokenClassificationPipeline's rules, plus its input errors.
 */
import { describe, expect, it } from "vitest";
import { aggregateEntities, isEntityStrategy, type Entity, type EntityToken } from "../../../src/heads/index.ts";

const LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"];

/** A token whose argmax is `label` with probability `p` (the rest shared evenly). */
function tok(piece: string, offset: [number, number] | null, label: string, p: number, labels = LABELS): EntityToken {
  const at = labels.indexOf(label);
  if (at < 0) throw new Error(`no label ${label}`);
  const rest = (1 - p) / (labels.length - 1);
  return { piece, offset, scores: labels.map((_, i) => (i === at ? p : rest)) };
}

const CLS = (): EntityToken => tok("[CLS]", null, "B-PER", 0.99);
const SEP = (): EntityToken => tok("[SEP]", null, "B-ORG", 0.99);

/** Rounds scores so expectations read as the hand-worked arithmetic. */
function rounded(entities: Entity[]): Entity[] {
  return entities.map((e) => ({ ...e, score: Math.round(e.score * 1e9) / 1e9 }));
}

describe("B-I-I (one multi-token entity)", () => {
  const text = "Angela Dorothea Merkel spoke";
  const tokens = [
    CLS(),
    tok("▁angela", [0, 6], "B-PER", 0.9),
    tok("▁dorothea", [7, 15], "I-PER", 0.8),
    tok("▁merkel", [16, 22], "I-PER", 0.7),
    tok("▁spoke", [23, 28], "O", 0.99),
    SEP(),
  ];

  it("none: one row per non-O token with its own tag", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "none"))).toEqual([
      { label: "B-PER", score: 0.9, start: 0, end: 6, text: "Angela" },
      { label: "I-PER", score: 0.8, start: 7, end: 15, text: "Dorothea" },
      { label: "I-PER", score: 0.7, start: 16, end: 22, text: "Merkel" },
    ]);
  });

  it.each(["simple", "first", "max"] as const)("%s: one PER entity, mean score, original text span", (strategy) => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, strategy))).toEqual([
      { label: "PER", score: 0.8, start: 0, end: 22, text: "Angela Dorothea Merkel" },
    ]);
  });

  it("keeps the original inner whitespace in text", () => {
    const spaced = "Angela   Merkel";
    const t = [tok("▁angela", [0, 6], "B-PER", 0.9), tok("▁merkel", [9, 15], "I-PER", 0.7)];
    expect(aggregateEntities(spaced, t, LABELS, "simple")[0]?.text).toBe("Angela   Merkel");
  });
});

describe("I without B", () => {
  const text = "in Paris and Berlin Rome";
  const tokens = [
    tok("▁in", [0, 2], "O", 0.9),
    tok("▁paris", [3, 8], "I-LOC", 0.6),
    tok("▁and", [9, 12], "O", 0.9),
    tok("▁berlin", [13, 19], "I-LOC", 0.5),
    tok("▁rome", [20, 24], "I-PER", 0.4),
  ];

  it.each(["simple", "first", "max"] as const)("%s: an I- tag after O starts an entity; a change of type starts another", (strategy) => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, strategy))).toEqual([
      { label: "LOC", score: 0.6, start: 3, end: 8, text: "Paris" },
      { label: "LOC", score: 0.5, start: 13, end: 19, text: "Berlin" },
      { label: "PER", score: 0.4, start: 20, end: 24, text: "Rome" },
    ]);
  });

  it("none: the I- tags as they are", () => {
    expect(aggregateEntities(text, tokens, LABELS, "none").map((e) => e.label)).toEqual(["I-LOC", "I-LOC", "I-PER"]);
  });
});

describe("adjacent entities of one type", () => {
  const text = "Merkel Macron Angela Merkel";
  const tokens = [
    CLS(),
    tok("▁merkel", [0, 6], "B-PER", 0.9),
    tok("▁macron", [7, 13], "B-PER", 0.8),
    tok("▁angela", [14, 20], "B-PER", 0.6),
    tok("▁merkel", [21, 27], "I-PER", 0.4),
    SEP(),
  ];

  it.each(["simple", "first", "max"] as const)("%s: every B- starts a new entity, even of the same type", (strategy) => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, strategy))).toEqual([
      { label: "PER", score: 0.9, start: 0, end: 6, text: "Merkel" },
      { label: "PER", score: 0.8, start: 7, end: 13, text: "Macron" },
      { label: "PER", score: 0.5, start: 14, end: 27, text: "Angela Merkel" },
    ]);
  });

  it("tokens on both sides of a skipped special token still merge (HF drops specials before grouping)", () => {
    const t = [tok("▁angela", [0, 6], "B-PER", 0.6), SEP(), tok("▁merkel", [7, 13], "I-PER", 0.4)];
    expect(rounded(aggregateEntities("Angela Merkel", t, LABELS, "simple"))).toEqual([
      { label: "PER", score: 0.5, start: 0, end: 13, text: "Angela Merkel" },
    ]);
  });
});

describe("subword pieces", () => {
  // "Microsoft Corporation hired": micro|soft| corpor|ation| hired
  const text = "Microsoft Corporation hired";
  const tokens = [
    CLS(),
    tok("▁micro", [0, 5], "B-ORG", 0.7),
    tok("soft", [5, 9], "I-PER", 0.95),
    tok("▁corpor", [10, 16], "I-ORG", 0.6),
    tok("ation", [16, 21], "O", 0.8),
    tok("▁hired", [22, 27], "O", 0.99),
    SEP(),
  ];

  it("none: each piece on its own", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "none"))).toEqual([
      { label: "B-ORG", score: 0.7, start: 0, end: 5, text: "Micro" },
      { label: "I-PER", score: 0.95, start: 5, end: 9, text: "soft" },
      { label: "I-ORG", score: 0.6, start: 10, end: 16, text: "Corpor" },
    ]);
  });

  it("simple: groups follow the pieces' tags, splitting words", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "simple"))).toEqual([
      { label: "ORG", score: 0.7, start: 0, end: 5, text: "Micro" },
      { label: "PER", score: 0.95, start: 5, end: 9, text: "soft" },
      { label: "ORG", score: 0.6, start: 10, end: 16, text: "Corpor" },
    ]);
  });

  it("first: each word takes its first piece's tag, then B-ORG + I-ORG merge", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "first"))).toEqual([
      { label: "ORG", score: 0.65, start: 0, end: 21, text: "Microsoft Corporation" },
    ]);
  });

  it("max: each word takes its most confident piece's tag (soft → PER, ation → O)", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "max"))).toEqual([
      { label: "PER", score: 0.95, start: 0, end: 9, text: "Microsoft" },
    ]);
  });

  it("max: on equal piece scores the first piece wins", () => {
    const t = [tok("▁new", [0, 3], "B-LOC", 0.8), tok("york", [3, 7], "B-ORG", 0.8)];
    expect(aggregateEntities("Newyork", t, LABELS, "max").map((e) => e.label)).toEqual(["LOC"]);
  });
});

describe("a bare ▁ piece belongs to the next piece's word", () => {
  // SentencePiece gives "▁" "(" "paris" ")" for "(paris)"; the bare marker has an empty span.
  const text = "in (Paris)";
  const tokens = [
    tok("▁in", [0, 2], "O", 0.9),
    tok("▁", [3, 3], "B-LOC", 0.55),
    tok("(", [3, 4], "O", 0.9),
    tok("paris", [4, 9], "I-LOC", 0.8),
    tok(")", [9, 10], "O", 0.9),
  ];

  it("first: the word (Paris) takes the marker's tag (the word's first token, as HF word_ids label it)", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "first"))).toEqual([
      { label: "LOC", score: 0.55, start: 3, end: 10, text: "(Paris)" },
    ]);
  });

  it("max: the most confident piece of the word is '(' (O), so no entity", () => {
    expect(aggregateEntities(text, tokens, LABELS, "max")).toEqual([]);
  });

  it("simple: pieces stay apart, so the marker is an empty-text entity as in HF", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "simple"))).toEqual([
      { label: "LOC", score: 0.55, start: 3, end: 3, text: "" },
      { label: "LOC", score: 0.8, start: 4, end: 9, text: "Paris" },
    ]);
  });

  it("two markers in a row join the same word", () => {
    const t = [tok("▁", [0, 0], "B-PER", 0.7), tok("▁", [0, 0], "O", 0.9), tok("x", [0, 1], "O", 0.9)];
    expect(rounded(aggregateEntities("x", t, LABELS, "first"))).toEqual([{ label: "PER", score: 0.7, start: 0, end: 1, text: "x" }]);
  });
});

describe("labels without BIO prefixes count as I-", () => {
  const labels = ["O", "PER", "LOC"];
  const text = "Angela Merkel Paris Berlin";
  const tokens = [
    tok("▁angela", [0, 6], "PER", 0.9, labels),
    tok("▁merkel", [7, 13], "PER", 0.7, labels),
    tok("▁paris", [14, 19], "LOC", 0.6, labels),
    tok("▁berlin", [20, 26], "LOC", 0.4, labels),
  ];

  it.each(["simple", "first", "max"] as const)("%s: consecutive same labels merge, a new label starts a new entity", (strategy) => {
    expect(rounded(aggregateEntities(text, tokens, labels, strategy))).toEqual([
      { label: "PER", score: 0.8, start: 0, end: 13, text: "Angela Merkel" },
      { label: "LOC", score: 0.5, start: 14, end: 26, text: "Paris Berlin" },
    ]);
  });
});

describe("ignoreLabels", () => {
  const text = "Angela spoke today";
  const tokens = [tok("▁angela", [0, 6], "B-PER", 0.9), tok("▁spoke", [7, 12], "O", 0.8), tok("▁today", [13, 18], "O", 0.6)];

  it("[] keeps the O groups (consecutive O tokens form one group)", () => {
    expect(rounded(aggregateEntities(text, tokens, LABELS, "simple", { ignoreLabels: [] }))).toEqual([
      { label: "PER", score: 0.9, start: 0, end: 6, text: "Angela" },
      { label: "O", score: 0.7, start: 7, end: 18, text: "spoke today" },
    ]);
  });

  it("drops the named types (grouped) or labels (none)", () => {
    expect(aggregateEntities(text, tokens, LABELS, "simple", { ignoreLabels: ["O", "PER"] })).toEqual([]);
    expect(aggregateEntities(text, tokens, LABELS, "none", { ignoreLabels: ["O", "B-PER"] })).toEqual([]);
  });
});

describe("input errors", () => {
  const t = [tok("▁a", [0, 1], "B-PER", 0.9)];

  it("rejects unknown strategies, naming the valid ones", () => {
    expect(isEntityStrategy("average")).toBe(false);
    expect(isEntityStrategy("simple")).toBe(true);
    expect(() => aggregateEntities("a", t, LABELS, "average" as never)).toThrow(/unknown strategy "average".*none, simple, first, max/);
  });

  it("rejects score rows of the wrong length", () => {
    expect(() => aggregateEntities("a", t, ["O", "B-PER"], "simple")).toThrow(RangeError);
    expect(() => aggregateEntities("a", t, ["O", "B-PER"], "simple")).toThrow(/token 0 has 9 scores for 2 labels/);
  });

  it("rejects offsets outside the text", () => {
    expect(() => aggregateEntities("a", [tok("▁a", [0, 5], "B-PER", 0.9)], LABELS, "none")).toThrow(/offset \[0, 5\].*1-character/);
    expect(() => aggregateEntities("abc", [tok("▁a", [2, 1], "B-PER", 0.9)], LABELS, "none")).toThrow(RangeError);
  });

  it("rejects empty labels", () => {
    expect(() => aggregateEntities("a", [], [], "none")).toThrow(/labels must not be empty/);
  });
});
