/**
 * @module test/unit/heads/entities-golden
 * Entity aggregation on the real outputs of ../shared/checkpoints/albert-ner-mini (the golden
 * token logits and offsets of ../shared/golden/albert-ner-mini.jsonl, pieces from our tokenizer):
 * every strategy's entities must match a hand-written walk over the per-token argmax labels —
 * "none" lists exactly the non-O tokens; "simple" gives the non-O runs, split where a B- tag or a
 * new type appears, scored by their mean probability; "first"/"max" do the same over words whose
 * label comes from their first / most confident piece — and every `text` is the original slice.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aggregateEntities, entityTokens, type Entity, type EntityToken } from "../../../src/heads/index.ts";
import { goldenDir } from "../../support/paths.ts";
import { albert } from "../tokenizer/helpers.ts";

interface NerGolden {
  text: string;
  ids: number[];
  token_logits: number[][];
  offsets: ([number, number] | null)[] | null;
}

const LABELS = ["O", "B-MISC", "I-MISC", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC"];
const path = join(goldenDir, "albert-ner-mini.jsonl");
const present = existsSync(path);
const rows: NerGolden[] = (present ? readFileSync(path, "utf8") : "")
  .split("\n")
  .filter((line) => line.trim() !== "")
  .map((line) => JSON.parse(line) as NerGolden)
  .filter((row) => row.offsets !== null);

function tokensOf(row: NerGolden): EntityToken[] {
  const { ids, pieces } = albert().encode(row.text);
  expect(ids).toEqual(row.ids);
  return entityTokens({ pieces, offsets: row.offsets ?? [] }, row.token_logits.flat(), LABELS.length);
}

function argmaxLabel(token: EntityToken): string {
  let best = 0;
  for (let i = 1; i < token.scores.length; i++) if ((token.scores[i] as number) > (token.scores[best] as number)) best = i;
  return LABELS[best] as string;
}

describe.skipIf(!present)("entities on albert-ner-mini's golden token logits", () => {
  it("has the 66 texts with reference offsets", () => {
    expect(rows.length).toBe(66);
  });

  it("none: exactly the non-O tokens, with their argmax label and probability", () => {
    for (const row of rows) {
      const tokens = tokensOf(row).filter((t) => t.offset !== null);
      const expected = tokens.filter((t) => argmaxLabel(t) !== "O");
      const got = aggregateEntities(row.text, tokensOf(row), LABELS, "none");
      expect(got.map((e) => [e.label, e.start, e.end])).toEqual(expected.map((t) => [argmaxLabel(t), t.offset?.[0], t.offset?.[1]]));
      for (const [i, e] of got.entries()) {
        expect(e.score).toBe(Math.max(...Array.from(expected[i]?.scores ?? [])));
        expect(e.text).toBe(row.text.slice(e.start, e.end));
      }
    }
  });

  it("simple: entities cover exactly the non-O tokens, split only at B- tags or type changes", () => {
    let entities = 0;
    for (const row of rows) {
      const items = tokensOf(row)
        .filter((t) => t.offset !== null)
        .map((t) => ({ label: argmaxLabel(t), top: Math.max(...Array.from(t.scores)), start: t.offset?.[0] ?? -1, end: t.offset?.[1] ?? -1 }));
      const got = aggregateEntities(row.text, tokensOf(row), LABELS, "simple");
      entities += got.length;
      expectRuns(row.text, got, items);
    }
    expect(entities).toBeGreaterThan(rows.length); // the random-weight model tags plenty of tokens
  });

  it("first / max: words (▁-piece plus continuations) take their first / most confident piece's tag, then BIO runs", () => {
    let multiPieceWords = 0;
    for (const row of rows) {
      const { pieces } = albert().encode(row.text);
      const tokens = tokensOf(row);
      // Words by hand: a new word at each ▁-piece, except right after a bare "▁".
      const words: number[][] = [];
      pieces.forEach((piece, i) => {
        if (tokens[i]?.offset === null) return;
        const current = words[words.length - 1];
        const bare = current !== undefined && current.every((k) => pieces[k] === "▁");
        if (current === undefined || (piece.startsWith("▁") && !bare)) words.push([i]);
        else current.push(i);
      });
      multiPieceWords += words.filter((w) => w.length > 1).length;
      for (const strategy of ["first", "max"] as const) {
        const items = words.map((word) => {
          const tops = word.map((k) => Math.max(...Array.from(tokens[k]?.scores ?? [])));
          const pick = strategy === "first" ? (word[0] as number) : (word[tops.indexOf(Math.max(...tops))] as number);
          return {
            label: argmaxLabel(tokens[pick] as EntityToken),
            top: Math.max(...Array.from(tokens[pick]?.scores ?? [])),
            start: tokens[word[0] as number]?.offset?.[0] ?? -1,
            end: tokens[word[word.length - 1] as number]?.offset?.[1] ?? -1,
          };
        });
        expectRuns(row.text, aggregateEntities(row.text, tokens, LABELS, strategy), items);
      }
    }
    expect(multiPieceWords).toBeGreaterThan(20);
  });
});

interface Item {
  label: string;
  top: number;
  start: number;
  end: number;
}

/** The entities must be the non-O runs of `items`, split where a B- tag or a new type appears. */
function expectRuns(text: string, got: Entity[], items: readonly Item[]): void {
  const expected: { label: string; start: number; end: number; scores: number[] }[] = [];
  let previous: string | null = null;
  for (const item of items) {
    const type = item.label.replace(/^[BI]-/, "");
    const last = expected[expected.length - 1];
    const continues = previous !== null && previous !== "O" && previous.replace(/^[BI]-/, "") === type && !item.label.startsWith("B-");
    if (item.label !== "O" && continues && last) {
      last.end = item.end;
      last.scores.push(item.top);
    } else if (item.label !== "O") {
      expected.push({ label: type, start: item.start, end: item.end, scores: [item.top] });
    }
    previous = item.label;
  }
  expect(got.map((e) => [e.label, e.start, e.end])).toEqual(expected.map((e) => [e.label, e.start, e.end]));
  for (const [i, e] of got.entries()) {
    const scores = expected[i]?.scores ?? [];
    expect(e.score).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 12);
    expect(e.text).toBe(text.slice(e.start, e.end));
  }
}
