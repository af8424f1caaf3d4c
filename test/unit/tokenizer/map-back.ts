/**
 * @module test/unit/tokenizer/map-back
 * The offsets property the tokenizer promises, checked token by token:
 *
 * - every span lies inside the text, start <= end, never splits a surrogate pair, and spans
 *   never go backwards (starts and ends are non-decreasing);
 * - a span is empty only for a piece made of ▁ alone, which has no characters of its own unless
 *   they also gave a neighbouring token characters (U+FDFA decomposes to words with spaces);
 *   a span never starts or ends with whitespace (a leading ▁ does not cover the space it stands for);
 * - "maps back to its piece": normalizing the original characters of a span the way the
 *   tokenizer does (preprocess_text, then the SentencePiece normalizer) gives the piece's
 *   characters, ▁ aside. Tokens cut from one original character (an NFKD or charsmap expansion
 *   such as "½" -> "1⁄2", the digit-comma split of "１," ) share its span: consecutive tokens
 *   whose spans overlap form a group, and the group's span normalizes to the group's pieces.
 *   σ and ς count as equal (Python and JS lowercase a lone "Σ" to σ, at the end of a word to ς).
 */
import { preprocessText } from "../../../src/tokenizer/preprocess.ts";
import { SentencePieceProcessor, parseModelProto } from "../../../src/tokenizer/index.ts";
import { modelBytes } from "./helpers.ts";

let sp: SentencePieceProcessor | undefined;
/** Python's str.isspace() characters. */
const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** The tokenizer's normalization of `text` as a string, ▁ removed (lowercase, accents stripped). */
export function normalizeLikeTokenizer(text: string): string {
  sp ??= new SentencePieceProcessor(parseModelProto(modelBytes()));
  const pre = preprocessText(text, { lowercase: true, keepAccents: false });
  return comparable(fromUtf8.decode(sp.normalizeBytes(utf8.encode(pre))));
}

function comparable(s: string): string {
  return s.replaceAll("\u2581", "").replaceAll("ς", "σ");
}

function splitsPair(text: string, i: number): boolean {
  return i > 0 && i < text.length && (text.charCodeAt(i) & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800;
}

/** Every way the offsets of `pieces` break the property above (empty when they keep it). */
export function mapBackErrors(text: string, pieces: string[], offsets: [number, number][]): string[] {
  const errors: string[] = [];
  if (offsets.length !== pieces.length) return [`${offsets.length} offsets for ${pieces.length} pieces`];
  for (let i = 0; i < offsets.length; i++) {
    const [s, e] = offsets[i]!;
    if (!(Number.isInteger(s) && Number.isInteger(e) && 0 <= s && s <= e && e <= text.length)) errors.push(`token ${i}: bad span [${s}, ${e})`);
    if (splitsPair(text, s) || splitsPair(text, e)) errors.push(`token ${i}: span [${s}, ${e}) splits a surrogate pair`);
    if (i > 0 && (s < offsets[i - 1]![0] || e < offsets[i - 1]![1])) errors.push(`token ${i}: span [${s}, ${e}) goes backwards`);
    // Only a ▁-only piece may be empty; it has characters only when they also gave a neighbour
    // characters (U+FDFA's NFKD has spaces inside), sharing that neighbour's span.
    const onlySpace = comparable(pieces[i]!) === "";
    const shared = (i > 0 && offsets[i - 1]![1] > s) || (i + 1 < offsets.length && offsets[i + 1]![0] < e);
    if (s === e ? !onlySpace : onlySpace && !shared) errors.push(`token ${i}: ${JSON.stringify(pieces[i])} has span [${s}, ${e})`);
    if (s < e && (PY_WHITESPACE.test(text[s]!) || PY_WHITESPACE.test(text[e - 1]!))) errors.push(`token ${i}: span [${s}, ${e}) starts or ends with whitespace`);
  }
  let i = 0;
  while (i < pieces.length) {
    const [s, e] = offsets[i]!;
    if (s === e) {
      i++;
      continue;
    }
    let end = e;
    let j = i + 1;
    let spelled = comparable(pieces[i]!);
    while (j < pieces.length && offsets[j]![0] < end && offsets[j]![0] < offsets[j]![1]) {
      end = Math.max(end, offsets[j]![1]);
      spelled += comparable(pieces[j]!);
      j++;
    }
    const original = text.slice(s, end);
    const normalized = normalizeLikeTokenizer(original);
    if (normalized !== spelled) {
      errors.push(`tokens ${i}..${j - 1} ${JSON.stringify(pieces.slice(i, j))} at [${s}, ${end}) = ${JSON.stringify(original)} normalize to ${JSON.stringify(normalized)}`);
    }
    i = j;
  }
  return errors;
}
