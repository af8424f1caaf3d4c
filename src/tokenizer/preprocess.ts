/**
 * @module tokenizer/preprocess
 * Hugging Face `AlbertTokenizer.preprocess_text` with Python string semantics:
 *
 *   " ".join(text.strip().split())                 Python's whitespace set, not JS `\s`
 *   .replace("``", '"').replace("''", '"')
 *   NFKD, then drop chars with unicodedata.combining(c) != 0   (unless keep_accents)
 *   .lower()                                       (when do_lower_case)
 *
 * JS `toLowerCase()` equals Python's `str.lower()` for every code point both know (full
 * mappings such as U+0130 -> "i\u0307", and the Final_Sigma rule); they differ only for
 * characters added after the Python's Unicode version (see the unit tests).
 */
import { COMBINING_RANGES, DIGIT_RANGES, inRanges } from "./unicode-tables.ts";

/** Runs of Python `str.split()` whitespace (Py_UNICODE_ISSPACE). */
const PY_WHITESPACE_RUN = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
const NON_ASCII = /[^\x00-\x7f]/;
/** The lowest code point with a non-zero canonical combining class. */
const FIRST_COMBINING = 0x300;

/** Bitmap of BMP code points with combining class != 0 (8 KiB, built on first use). */
let bmpCombining: Uint8Array | undefined;

function combiningBitmap(): Uint8Array {
  if (bmpCombining !== undefined) return bmpCombining;
  const bits = new Uint8Array(0x10000 >> 3);
  for (let i = 0; i < COMBINING_RANGES.length; i += 2) {
    const start = COMBINING_RANGES[i]!;
    const end = Math.min(COMBINING_RANGES[i + 1]!, 0xffff);
    for (let c = start; c <= end; c++) bits[c >> 3]! |= 1 << (c & 7);
  }
  bmpCombining = bits;
  return bits;
}

/** Python `unicodedata.combining(chr(cp)) != 0`. */
export function isCombining(cp: number): boolean {
  if (cp < FIRST_COMBINING) return false;
  if (cp <= 0xffff) return (combiningBitmap()[cp >> 3]! & (1 << (cp & 7))) !== 0;
  return inRanges(COMBINING_RANGES, cp);
}

/** Python `chr(cp).isdigit()`. */
export function isPythonDigit(cp: number): boolean {
  if (cp < 0x80) return cp >= 0x30 && cp <= 0x39;
  return inRanges(DIGIT_RANGES, cp);
}

/** Python whitespace other than a single space between non-spaces: what `collapse` changes. */
const NEEDS_COLLAPSE = /[\t\n\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|\x20\x20|^\x20|\x20$/;

/** `" ".join(text.split())` with Python's whitespace definition. */
export function collapseWhitespace(text: string): string {
  // Most text only has single spaces: a test is much cheaper than a replace.
  if (!NEEDS_COLLAPSE.test(text)) return text;
  let s = text.replace(PY_WHITESPACE_RUN, " ");
  if (s.charCodeAt(0) === 0x20) s = s.slice(1);
  if (s.charCodeAt(s.length - 1) === 0x20) s = s.slice(0, -1);
  return s;
}

/** Removes code points with a non-zero canonical combining class. */
export function dropCombining(text: string): string {
  let out: string[] | undefined;
  let copied = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const u = text.charCodeAt(i);
    if (u < FIRST_COMBINING) continue;
    let cp = u;
    let width = 1;
    if (u >= 0xd800 && u <= 0xdbff && i + 1 < n) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((u - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    if (isCombining(cp)) {
      out ??= [];
      if (i > copied) out.push(text.slice(copied, i));
      copied = i + width;
    }
    i += width - 1;
  }
  if (out === undefined) return text;
  if (copied < n) out.push(text.slice(copied));
  return out.join("");
}

export interface PreprocessOptions {
  lowercase: boolean;
  keepAccents: boolean;
}

/** `AlbertTokenizer.preprocess_text` (remove_space=True). */
export function preprocessText(text: string, options: PreprocessOptions): string {
  let s = collapseWhitespace(text);
  if (s.includes("``")) s = s.replaceAll("``", '"');
  if (s.includes("''")) s = s.replaceAll("''", '"');
  if (!options.keepAccents && NON_ASCII.test(s)) s = dropCombining(s.normalize("NFKD"));
  if (options.lowercase) s = s.toLowerCase();
  return s;
}
