/**
 * @module tokenizer/preprocess-aligned
 * `preprocessText` (HF `AlbertTokenizer.preprocess_text`) that also says where each output
 * character came from in the caller's string: for every UTF-16 code unit of the output, the
 * range [start, end) of code units of the original it stands for.
 *
 * - A run of whitespace collapsed to one space stands for the whole run.
 * - "``" and "''" rewritten to '"' stand for both characters.
 * - NFKD works character by character here (every output of one character's decomposition
 *   gets that character's range), then combining marks are dropped; a dropped mark widens the
 *   preceding character's range, so "e\u0301" maps to both code units. This equals NFKD of the
 *   whole string with the marks dropped: canonical reordering only moves marks, which are gone.
 * - Lowercasing keeps lengths except for U+0130 (two code units, both with its range).
 * - Ranges are per code unit here; `toOriginalSpan` widens a range that would split a
 *   surrogate pair.
 *
 * The output text is exactly `preprocessText`'s (the unit tests compare them on every golden
 * text and on random strings).
 */
import { dropCombining, type PreprocessOptions } from "./preprocess.ts";

/**
 * Preprocessed text with, per UTF-16 code unit, its range in the original; null when unit i
 * is original unit i + shift (only leading whitespace removed, or nothing).
 */
export interface AlignedText {
  text: string;
  starts: Int32Array | null;
  ends: Int32Array | null;
  shift: number;
}

/** Whitespace other than plain inner single spaces, ignoring the ends of the text. */
const NEEDS_INNER_COLLAPSE = /[\t\n\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|\x20\x20/;

const NON_ASCII = /[^\x00-\x7f]/;
/** What `collapseWhitespace` would change (Python whitespace other than single inner spaces). */
const NEEDS_COLLAPSE = /[\t\n\v\f\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]|\x20\x20|^\x20|\x20$/;

/** Python `str.isspace()` for one UTF-16 unit (all Python whitespace is in the BMP). */
function isPyWhitespace(u: number): boolean {
  if (u <= 0x20) return u === 0x20 || (u >= 0x09 && u <= 0x0d) || (u >= 0x1c && u <= 0x1f);
  if (u < 0x85) return false;
  return (
    u === 0x85 || u === 0xa0 || u === 0x1680 || (u >= 0x2000 && u <= 0x200a) || u === 0x2028 || u === 0x2029 ||
    u === 0x202f || u === 0x205f || u === 0x3000
  );
}

/** Output under construction: text chunks plus per-unit origin ranges (growable). */
class Builder {
  parts: string[] = [];
  length = 0;
  starts: Int32Array;
  ends: Int32Array;
  constructor(capacity: number) {
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
  }
  /** Appends `chunk`, every unit of it standing for [start, end). */
  push(chunk: string, start: number, end: number): void {
    this.reserve(chunk.length);
    this.parts.push(chunk);
    for (let k = 0; k < chunk.length; k++) {
      this.starts[this.length] = start;
      this.ends[this.length++] = end;
    }
  }
  /** Appends one unit's range only (the text is built elsewhere). */
  unit(start: number, end: number): void {
    this.reserve(1);
    this.starts[this.length] = start;
    this.ends[this.length++] = end;
  }
  /** Appends src.slice(from, to) with the units' own ranges. */
  copy(src: string, srcStarts: Int32Array, srcEnds: Int32Array, from: number, to: number): void {
    if (to <= from) return;
    this.reserve(to - from);
    this.parts.push(src.slice(from, to));
    this.starts.set(srcStarts.subarray(from, to), this.length);
    this.ends.set(srcEnds.subarray(from, to), this.length);
    this.length += to - from;
  }
  private reserve(extra: number): void {
    if (this.length + extra <= this.starts.length) return;
    const cap = Math.max(this.length + extra, this.starts.length * 2);
    const starts = new Int32Array(cap);
    const ends = new Int32Array(cap);
    starts.set(this.starts.subarray(0, this.length));
    ends.set(this.ends.subarray(0, this.length));
    this.starts = starts;
    this.ends = ends;
  }
  text(): string {
    return this.parts.length === 1 ? this.parts[0]! : this.parts.join("");
  }
}

/** The per-code-point NFKD-minus-marks result, cached (only non-ASCII code points get here). */
const decomposed = new Map<number, string>();

function decompose(cp: number, ch: string): string {
  let d = decomposed.get(cp);
  if (d === undefined) {
    d = dropCombining(ch.normalize("NFKD"));
    if (decomposed.size < 1 << 14) decomposed.set(cp, d);
  }
  return d;
}

/** `preprocessText(text, options)` with the origin of every output code unit. */
export function preprocessAligned(text: string, options: PreprocessOptions): AlignedText {
  const collapse = NEEDS_COLLAPSE.test(text);
  const quotes = text.includes("``") || text.includes("''");
  const nfkd = !options.keepAccents && NON_ASCII.test(text);
  if (!quotes && !nfkd) {
    // Lowercasing changes the length only for U+0130: otherwise it maps unit to unit.
    // Spaces only at the ends (common) are a shift, not a collapse.
    let from = 0;
    let to = text.length;
    if (collapse) {
      while (from < to && text.charCodeAt(from) === 0x20) from++;
      while (to > from && text.charCodeAt(to - 1) === 0x20) to--;
    }
    const core = from === 0 && to === text.length ? text : text.slice(from, to);
    if (!collapse || !NEEDS_INNER_COLLAPSE.test(core)) {
      const lower = options.lowercase ? core.toLowerCase() : core;
      if (lower.length === core.length) return { text: lower, starts: null, ends: null, shift: from };
    }
  }
  const n = text.length;

  // 1. " ".join(text.split()): a whitespace run becomes one space standing for the run.
  let s: string;
  let starts: Int32Array;
  let ends: Int32Array;
  if (collapse) {
    const b = new Builder(n);
    let i = 0;
    while (i < n && isPyWhitespace(text.charCodeAt(i))) i++;
    while (i < n) {
      const word = i;
      while (i < n && !isPyWhitespace(text.charCodeAt(i))) {
        b.starts[b.length] = i;
        b.ends[b.length++] = i + 1;
        i++;
      }
      b.parts.push(text.slice(word, i));
      const space = i;
      while (i < n && isPyWhitespace(text.charCodeAt(i))) i++;
      if (i < n) b.push(" ", space, i);
    }
    s = b.text();
    starts = b.starts.subarray(0, b.length);
    ends = b.ends.subarray(0, b.length);
  } else {
    s = text;
    starts = new Int32Array(n);
    ends = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      starts[i] = i;
      ends[i] = i + 1;
    }
  }

  // 2. "``" and "''" -> '"' (left to right, non-overlapping; the two patterns share no character).
  if (quotes) {
    const b = new Builder(s.length);
    let copied = 0;
    for (let i = 0; i + 1 < s.length; i++) {
      const u = s.charCodeAt(i);
      if ((u === 0x60 || u === 0x27) && s.charCodeAt(i + 1) === u) {
        b.copy(s, starts, ends, copied, i);
        b.push('"', starts[i]!, ends[i + 1]!);
        copied = i + 2;
        i++;
      }
    }
    b.copy(s, starts, ends, copied, s.length);
    s = b.text();
    starts = b.starts.subarray(0, b.length);
    ends = b.ends.subarray(0, b.length);
  }

  // 3. NFKD, combining marks dropped, character by character.
  if (nfkd) {
    const m = s.length;
    const b = new Builder(m + 16);
    let copied = 0;
    for (let i = 0; i < m; i++) {
      const u = s.charCodeAt(i);
      if (u < 0x80) continue;
      b.copy(s, starts, ends, copied, i);
      let width = 1;
      if (u >= 0xd800 && u <= 0xdbff && i + 1 < m && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) width = 2;
      const ch = width === 1 ? s[i]! : s.slice(i, i + 2);
      const start = starts[i]!;
      const end = ends[i + width - 1]!;
      const d = decompose(ch.codePointAt(0)!, ch);
      // A dropped mark belongs to the character before it.
      if (d.length === 0) {
        if (b.length > 0) b.ends[b.length - 1] = end;
      } else if (d === ch) b.copy(s, starts, ends, i, i + width);
      else b.push(d, start, end);
      i += width - 1;
      copied = i + 1;
    }
    b.copy(s, starts, ends, copied, m);
    s = b.text();
    starts = b.starts.subarray(0, b.length);
    ends = b.ends.subarray(0, b.length);
  }

  // 4. Lowercase (the real one, with its context rules). Only U+0130 changes the length in
  // today's Unicode; any character that does gets its lowercase's units.
  if (options.lowercase) {
    const lower = s.toLowerCase();
    if (lower.length !== s.length) {
      const b = new Builder(lower.length);
      for (let i = 0; i < s.length; i++) {
        const u = s.charCodeAt(i);
        const width = u >= 0xd800 && u <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
        const units = u === 0x130 ? 2 : s.slice(i, i + width).toLowerCase().length;
        for (let k = 0; k < units; k++) b.unit(starts[i]!, ends[i + width - 1]!);
        i += width - 1;
      }
      starts = b.starts.subarray(0, b.length);
      ends = b.ends.subarray(0, b.length);
      // Lowercasing that depends on context and changes lengths: every unit gets the whole text.
      if (b.length !== lower.length) {
        starts = new Int32Array(lower.length).fill(starts[0] ?? 0);
        ends = new Int32Array(lower.length).fill(ends[ends.length - 1] ?? text.length);
      }
    }
    s = lower;
  }
  return { text: s, starts, ends, shift: 0 };
}

/**
 * Rewrites `span`, a range of output units [start, end), as the range of the original it
 * stands for. An empty range maps to the position where output unit `start` begins (or the end
 * of the text). Never splits a surrogate pair of `original`.
 */
export function toOriginalSpan(aligned: AlignedText, span: [number, number], original: string): void {
  const { starts, ends } = aligned;
  if (starts === null || ends === null) {
    span[0] += aligned.shift;
    span[1] += aligned.shift;
    return;
  }
  const [start, end] = span;
  if (start === end) {
    let at = start < starts.length ? starts[start]! : starts.length > 0 ? ends[starts.length - 1]! : original.length;
    if (splitsPair(original, at)) at--;
    span[0] = span[1] = at;
    return;
  }
  let a = starts[start]!;
  let b = ends[end - 1]!;
  if (splitsPair(original, a)) a--;
  if (splitsPair(original, b)) b++;
  span[0] = a;
  span[1] = b;
}

/** Whether position i falls between the two units of a surrogate pair. */
function splitsPair(s: string, i: number): boolean {
  return i > 0 && i < s.length && isLowSurrogate(s, i) && isHighSurrogate(s, i - 1);
}

function isHighSurrogate(s: string, i: number): boolean {
  return (s.charCodeAt(i) & 0xfc00) === 0xd800;
}

function isLowSurrogate(s: string, i: number): boolean {
  return (s.charCodeAt(i) & 0xfc00) === 0xdc00;
}
