/**
 * @module heads/entities
 * Token-classification post-processing: per-token label probabilities → entities, following
 * Hugging Face `TokenClassificationPipeline` (`aggregation_strategy` none / simple / first / max,
 * `ignore_labels` ["O"]). Special tokens (offset null) are skipped.
 *
 * - none: one row per token, its own label ("B-PER") and probability.
 * - simple: tokens are grouped by BIO tags (heads/bio): same type and not a B- tag → same entity;
 *   an I- tag without a B- starts one; B- always starts a new one.
 * - first / max: pieces are first merged into words (heads/words); a word takes the label and
 *   probability of its first piece (first) or of the piece with the highest probability (max,
 *   first such piece on ties); then words are grouped as in simple.
 *
 * Decoding (`decoding`) picks each token's or word's label before grouping: `argmax` (default, as
 * HF) takes each one's most probable label; `bio` (heads/bio-decode) the most probable valid IOB2
 * sequence over the same probability rows (for "first" / "max" the rows of the pieces those
 * strategies pick), so "O I-PER" or "B-PER I-ORG" cannot come out; a unit's score is then the
 * probability of the label it got.
 *
 * Grouped entities are reported under the type without its B-/I- prefix; their score is the mean
 * of the token (or word) probabilities; start/end are UTF-16 offsets into the text, from the first
 * token's start to the last token's end, and `text` is that slice of the original (inner
 * whitespace kept, as HF does). Groups (or, for none, tokens) whose label is ignored are dropped.
 */
import { decodeBio } from "./bio-decode.ts";
import { continuesEntity, entityGroupLabel } from "./bio.ts";
import { argmax } from "./softmax.ts";
import { groupWords } from "./words.ts";

export type EntityStrategy = "none" | "simple" | "first" | "max";

/** Every strategy, in documentation order (for request validation). */
export const ENTITY_STRATEGIES: readonly EntityStrategy[] = ["none", "simple", "first", "max"];

/** Whether a request value names a strategy. */
export function isEntityStrategy(value: unknown): value is EntityStrategy {
  return typeof value === "string" && (ENTITY_STRATEGIES as readonly string[]).includes(value);
}

export type EntityDecoding = "argmax" | "bio";

/** Every decoding, in documentation order (for request validation). */
export const ENTITY_DECODINGS: readonly EntityDecoding[] = ["argmax", "bio"];

/** Whether a request value names a decoding. */
export function isEntityDecoding(value: unknown): value is EntityDecoding {
  return typeof value === "string" && (ENTITY_DECODINGS as readonly string[]).includes(value);
}

/** One position of an encoding: its piece, its `[start, end)` span in the text, its label probabilities. */
export interface EntityToken {
  readonly piece: string;
  /** UTF-16 offsets into the text; null for special tokens ([CLS], [SEP]), which are skipped. */
  readonly offset: readonly [number, number] | null;
  /** Softmax probabilities over the labels (same order and length as `labels`). */
  readonly scores: ArrayLike<number>;
}

export interface Entity {
  /** For "none" the token's label ("B-PER"); otherwise the entity type ("PER"). */
  label: string;
  score: number;
  start: number;
  end: number;
  /** `text.slice(start, end)`. */
  text: string;
}

export interface AggregateOptions {
  /** Labels (none) or entity types (grouped) left out of the answer. Default ["O"]. */
  ignoreLabels?: readonly string[];
  /** How each token's or word's label is chosen (see the module comment). Default "argmax". */
  decoding?: EntityDecoding;
}

/** A token or word before its label is chosen: the piece whose probabilities it reads, and its span. */
interface Unit {
  pick: Positioned;
  start: number;
  end: number;
}

/** A token or word with its chosen label, before grouping. */
interface Scored {
  label: string;
  score: number;
  start: number;
  end: number;
}

interface Positioned {
  piece: string;
  start: number;
  end: number;
  scores: ArrayLike<number>;
}

/** Entities in `text` from per-token label probabilities; see the module comment for each strategy. */
export function aggregateEntities(
  text: string,
  tokens: readonly EntityToken[],
  labels: readonly string[],
  strategy: EntityStrategy,
  options: AggregateOptions = {},
): Entity[] {
  if (!isEntityStrategy(strategy)) {
    throw new RangeError(`aggregateEntities: unknown strategy ${JSON.stringify(strategy)} (expected one of ${ENTITY_STRATEGIES.join(", ")})`);
  }
  if (labels.length === 0) throw new RangeError("aggregateEntities: labels must not be empty");
  const decoding = options.decoding ?? "argmax";
  if (!isEntityDecoding(decoding)) {
    throw new RangeError(`aggregateEntities: unknown decoding ${JSON.stringify(decoding)} (expected one of ${ENTITY_DECODINGS.join(", ")})`);
  }
  const ignore = new Set(options.ignoreLabels ?? ["O"]);
  const positioned = positionedTokens(text, tokens, labels.length);

  const units: Unit[] =
    strategy === "none" || strategy === "simple"
      ? positioned.map((t) => ({ pick: t, start: t.start, end: t.end }))
      : groupWords(positioned).map((word) => {
          const first = word[0] as Positioned;
          const last = word[word.length - 1] as Positioned;
          return { pick: strategy === "first" ? first : maxToken(word), start: first.start, end: last.end };
        });
  const chosen = decoding === "bio" ? decodeBio(units.map((u) => u.pick.scores), labels) : units.map((u) => argmax(u.pick.scores));
  const scored: Scored[] = units.map((u, i) => {
    const best = chosen[i] as number;
    return { label: labels[best] as string, score: u.pick.scores[best] as number, start: u.start, end: u.end };
  });

  if (strategy === "none") {
    return scored.filter((s) => !ignore.has(s.label)).map((s) => entity(text, s.label, s.score, s.start, s.end));
  }
  return groupEntities(scored)
    .map((group) => {
      const first = group[0] as Scored;
      const last = group[group.length - 1] as Scored;
      return entity(text, entityGroupLabel(first.label), nanMean(group.map((s) => s.score)), first.start, last.end);
    })
    .filter((e) => !ignore.has(e.label));
}

/** HF `group_entities`: consecutive tokens/words form one group while `continuesEntity` holds. */
function groupEntities(scored: readonly Scored[]): Scored[][] {
  const groups: Scored[][] = [];
  let current: Scored[] = [];
  for (const s of scored) {
    const previous = current[current.length - 1];
    if (previous !== undefined && continuesEntity(previous.label, s.label)) {
      current.push(s);
    } else {
      if (current.length > 0) groups.push(current);
      current = [s];
    }
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Non-special tokens with their offsets checked against the text. */
function positionedTokens(text: string, tokens: readonly EntityToken[], labelCount: number): Positioned[] {
  const out: Positioned[] = [];
  tokens.forEach((token, i) => {
    if (token.scores.length !== labelCount) {
      throw new RangeError(`aggregateEntities: token ${i} has ${token.scores.length} scores for ${labelCount} labels`);
    }
    if (token.offset === null) return;
    const [start, end] = token.offset;
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > text.length) {
      throw new RangeError(`aggregateEntities: token ${i} offset [${start}, ${end}] is not a span of the ${text.length}-character text`);
    }
    out.push({ piece: token.piece, start, end, scores: token.scores });
  });
  return out;
}

/** HF "max": the piece whose top probability is highest (the first such piece on ties). */
function maxToken(word: readonly Positioned[]): Positioned {
  let best = word[0] as Positioned;
  let bestScore = topScore(best);
  for (const token of word.slice(1)) {
    const s = topScore(token);
    if (s > bestScore) {
      best = token;
      bestScore = s;
    }
  }
  return best;
}

function topScore(token: Positioned): number {
  return token.scores[argmax(token.scores)] as number;
}

/** numpy `nanmean`: the mean of the values that are not NaN (NaN when none are). */
function nanMean(values: readonly number[]): number {
  const finite = values.filter((v) => !Number.isNaN(v));
  return finite.length === 0 ? Number.NaN : finite.reduce((a, b) => a + b, 0) / finite.length;
}

function entity(text: string, label: string, score: number, start: number, end: number): Entity {
  return { label, score, start, end, text: text.slice(start, end) };
}
