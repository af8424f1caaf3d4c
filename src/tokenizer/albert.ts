/**
 * @module tokenizer/albert
 * `AlbertTokenizer` as Hugging Face's SentencePiece-based (slow) tokenizer runs it:
 * preprocess_text, SentencePiece encode to pieces, the `_tokenize` split of pieces that end
 * in digit + ',' ("▁1999," -> "▁1999", ","), piece_to_id, then `[CLS] a [SEP]` or
 * `[CLS] a [SEP] b [SEP]` (token types 0 then 1) with optional truncation that keeps the
 * special tokens (pairs: HF `longest_first`).
 *
 * With `caseTokenTypes` (models trained that way, manifest `tokenizer.case_token_types`) the token
 * types carry what lowercasing removes: 1 for a token whose first character in the caller's text
 * is an uppercase letter, else 0 (see `caseTypeOf`).
 *
 * Every token also gets its span in the caller's string (UTF-16 code units, `[start, end)`),
 * through all of the preprocessing and normalization: see `Encoding.offsets`.
 */
import { TokenizerError } from "./errors.ts";
import { parseModelProto } from "./model-proto.ts";
import { preprocessAligned, toOriginalSpan, type AlignedText } from "./preprocess-aligned.ts";
import { isPythonDigit, preprocessText } from "./preprocess.ts";
import { SentencePieceProcessor, type AlignedEncoded, type Encoded } from "./sentencepiece.ts";

const SPIECE_UNDERLINE = "\u2581";

/** A character span `[start, end)` in UTF-16 code units of the caller's string. */
export type Offset = [number, number];

export interface AlbertTokenizerOptions {
  /** HF `do_lower_case` (default true, as ALBERT checkpoints use). */
  lowercase?: boolean;
  /** HF `keep_accents` (default false: NFKD and drop combining marks). */
  keepAccents?: boolean;
  /**
   * Token types from capitalisation instead of segments (default false): 1 where the token's
   * first character in the text is an uppercase letter. Single texts only (no pairs).
   */
  caseTokenTypes?: boolean;
}

export interface EncodeOptions {
  /** Maximum number of ids including [CLS] and [SEP] (>= 2, or >= 3 with a pair). Default: no truncation. */
  maxLength?: number;
  /** A second text: `[CLS] text [SEP] pair [SEP]`, token types 0 then 1. */
  pair?: string;
  /**
   * When the offsets are computed: "lazy" (default) on the first read of `Encoding.offsets`
   * (tokenizing again with alignment, so callers that never read them pay nothing), "eager"
   * in the same pass (for callers that always need them).
   */
  offsets?: "lazy" | "eager";
}

/** Tokens of one text, without special tokens. */
export interface Tokenized extends Encoded {
  /**
   * Per token, its span in the text (UTF-16 code units). A token's span covers the original
   * characters its piece came from, without the whitespace a leading ▁ stands for; a lone ▁
   * gets the empty span where the following text begins; tokens made from one character
   * (an NFKD or charsmap expansion, the digit-comma split) may share that character's span.
   */
  offsets: Offset[];
}

export interface Encoding {
  /** `[CLS]`, the text's ids, `[SEP]` (then the pair's ids and `[SEP]`). */
  ids: number[];
  /** The piece for each id (same length as `ids`). */
  pieces: string[];
  /**
   * Per id, its `[start, end)` span in UTF-16 code units of the text it came from (`text`
   * for type 0, `pair` for type 1); null for `[CLS]` and `[SEP]`.
   */
  offsets: (Offset | null)[];
  /**
   * Token type per id: 0 for `[CLS]`, the text and its `[SEP]`; 1 for the pair and its `[SEP]`.
   * With `caseTokenTypes`: 1 for tokens that begin with an uppercase letter, else 0.
   */
  typeIds: number[];
  /** True when ids were dropped to fit `maxLength`. */
  truncated: boolean;
}

export class AlbertTokenizer {
  readonly vocabSize: number;
  readonly lowercase: boolean;
  readonly keepAccents: boolean;
  readonly caseTokenTypes: boolean;
  readonly clsId: number;
  readonly sepId: number;
  private readonly sp: SentencePieceProcessor;
  /**
   * Per vocabulary id, whether HF `_tokenize` re-splits the piece: 0 not yet known, 1 no,
   * 2 yes. Filled on first sight (30k checks at load would cost load time).
   */
  private readonly commaSplit: Uint8Array;

  private constructor(sp: SentencePieceProcessor, options: AlbertTokenizerOptions) {
    this.sp = sp;
    this.vocabSize = sp.vocabSize;
    this.lowercase = options.lowercase ?? true;
    this.keepAccents = options.keepAccents ?? false;
    this.caseTokenTypes = options.caseTokenTypes ?? false;
    this.clsId = specialId(sp, "[CLS]", 2);
    this.sepId = specialId(sp, "[SEP]", 3);
    this.commaSplit = new Uint8Array(sp.vocabSize);
  }

  /** Loads a tokenizer from `spiece.model` bytes. Throws TokenizerError("invalid_model") if unusable. */
  static fromModel(bytes: Uint8Array, options: AlbertTokenizerOptions = {}): AlbertTokenizer {
    if (!(bytes instanceof Uint8Array)) {
      throw new TokenizerError("invalid_model", "AlbertTokenizer.fromModel expects the spiece.model bytes as a Uint8Array");
    }
    return new AlbertTokenizer(new SentencePieceProcessor(parseModelProto(bytes)), options);
  }

  /** The piece string of an id (throws invalid_input when out of range). */
  idToPiece(id: number): string {
    if (!Number.isInteger(id) || id < 0 || id >= this.vocabSize) {
      throw new TokenizerError("invalid_input", `token id ${id} is outside the vocabulary (0..${this.vocabSize - 1})`);
    }
    return this.sp.idToPiece(id);
  }

  /** `piece_to_id` (unknown pieces give the <unk> id). */
  pieceToId(piece: string): number {
    return this.sp.pieceToId(piece);
  }

  /**
   * `AlbertTokenizer.tokenize`: the pieces of `text`, without [CLS]/[SEP], with each piece's
   * span in `text`.
   */
  tokenize(text: string): Tokenized {
    return this.pieces(text, true) as Tokenized;
  }

  /** The pieces of `text` (HF `tokenize`), with their spans when `withOffsets`. */
  private pieces(text: string, withOffsets: boolean): Encoded & { offsets?: Offset[] } {
    if (typeof text !== "string") {
      throw new TokenizerError("invalid_input", `text must be a string, got ${text === null ? "null" : typeof text}`);
    }
    const sp = this.sp;
    const options = { lowercase: this.lowercase, keepAccents: this.keepAccents };
    let aligned: AlignedText | null = null;
    let first: Encoded & { offsets?: Offset[] };
    if (withOffsets) {
      aligned = preprocessAligned(text, options);
      const encoded: AlignedEncoded = { ids: [], pieces: [], offsets: [] };
      sp.encodeAlignedInto(aligned.text, encoded);
      first = encoded;
    } else {
      first = { ids: [], pieces: [] };
      sp.encodeInto(preprocessText(text, options), first);
    }

    // HF _tokenize: re-split pieces that end with digit + ",".
    let needsSplit = false;
    for (let i = 0; i < first.ids.length; i++) {
      if (this.splits(first.ids[i]!, first.pieces[i]!)) {
        needsSplit = true;
        break;
      }
    }
    if (!needsSplit) {
      if (aligned !== null) finishSpans(aligned, first.pieces, first.offsets!, text);
      return first;
    }

    const out: Encoded & { offsets?: Offset[] } = { ids: [], pieces: [] };
    const offsets: Offset[] = [];
    let normStart = 0; // where piece i starts in the normalized text
    for (let i = 0; i < first.ids.length; i++) {
      const id = first.ids[i]!;
      const piece = first.pieces[i]!;
      const pieceStart = normStart;
      if (aligned !== null) normStart += this.normalizedLength(id, piece);
      if (!this.splits(id, piece)) {
        out.ids.push(id);
        out.pieces.push(piece);
        if (aligned !== null) offsets.push(first.offsets![i]!);
        continue;
      }
      const sub = piece.slice(0, -1).replaceAll(SPIECE_UNDERLINE, "");
      const cur = sp.encode(sub);
      const head = cur.pieces[0];
      if (!piece.startsWith(SPIECE_UNDERLINE) && head !== undefined && head.startsWith(SPIECE_UNDERLINE)) {
        if (head.length === 1) {
          cur.pieces.shift();
          cur.ids.shift();
        } else {
          const rest = head.slice(1);
          cur.pieces[0] = rest;
          cur.ids[0] = sp.pieceToId(rest);
        }
      }
      for (let k = 0; k < cur.ids.length; k++) {
        out.ids.push(cur.ids[k]!);
        out.pieces.push(cur.pieces[k]!);
      }
      out.ids.push(sp.pieceToId(","));
      out.pieces.push(",");
      if (aligned !== null) offsets.push(...this.splitSpans(piece, pieceStart, first.offsets![i]!, sub, cur.pieces));
    }
    if (aligned !== null) out.offsets = finishSpans(aligned, out.pieces, offsets, text);
    return out;
  }

  /**
   * Spans (in the preprocessed text) of the pieces a digit-comma piece was re-split into, then
   * of its ",": each sub-piece covers the normalized characters it spells. `normStart` is where
   * the piece starts in the normalized text of the last aligned encode.
   */
  private splitSpans(piece: string, normStart: number, whole: Offset, sub: string, subPieces: string[]): Offset[] {
    const spans: Offset[] = [];
    let lead = 0;
    while (piece.startsWith(SPIECE_UNDERLINE, lead)) lead++;
    const pieceBytes = utf8Length(piece, 0, piece.length);
    const commaSpan = this.sp.spanOfNormalized(normStart + pieceBytes - 1, normStart + pieceBytes);
    // The sub-pieces spell `sub`, which is the piece's text after its leading ▁s (a ▁ elsewhere,
    // or a normalization that changes vocabulary text, would break that: then they share the span).
    if (piece.indexOf(SPIECE_UNDERLINE, lead) >= 0) return [...subPieces.map((): Offset => [whole[0], whole[1]]), commaSpan];
    const contentStart = normStart + 3 * lead;
    let at = 0; // position in `sub`
    let atByte = contentStart;
    for (const p of subPieces) {
      let k = 0;
      while (p.startsWith(SPIECE_UNDERLINE, k)) k++;
      const content = k === 0 ? p : p.slice(k);
      if (!sub.startsWith(content, at)) return [...subPieces.map((): Offset => [whole[0], whole[1]]), commaSpan];
      if (content.length === 0) {
        const next = this.sp.spanOfNormalized(atByte, atByte + 1)[0];
        spans.push([next, next]);
        continue;
      }
      const bytes = utf8Length(content, 0, content.length);
      spans.push(this.sp.spanOfNormalized(atByte, atByte + bytes));
      at += content.length;
      atByte += bytes;
    }
    spans.push(commaSpan);
    return spans;
  }

  /** Bytes a piece takes in the normalized text (a byte-fallback piece <0xXX> is one). */
  private normalizedLength(id: number, piece: string): number {
    if (this.sp.byteFallback && piece.length === 6 && piece.startsWith("<0x") && this.sp.pieceToId(piece) === id) return 1;
    return utf8Length(piece, 0, piece.length);
  }

  /** HF `_tokenize`'s test for piece `piece` with id `id` (cached per vocabulary id). */
  private splits(id: number, piece: string): boolean {
    if (id === this.sp.unkId) return endsWithDigitComma(piece);
    const known = this.commaSplit[id]!;
    if (known !== 0) return known === 2;
    const split = endsWithDigitComma(piece);
    this.commaSplit[id] = split ? 2 : 1;
    return split;
  }

  /**
   * Encodes `text` as `[CLS] text [SEP]`, or with `pair` as `[CLS] text [SEP] pair [SEP]`,
   * truncated to `maxLength` ids when given (a pair as HF `longest_first`: one token at a time
   * from the longer sequence, from the pair when they are equal).
   */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    const { maxLength, pair } = options;
    if (pair !== undefined && typeof pair !== "string") {
      throw new TokenizerError("invalid_input", `pair must be a string, got ${pair === null ? "null" : typeof pair}`);
    }
    if (pair !== undefined && this.caseTokenTypes) {
      throw new TokenizerError("invalid_input", "this model's token types mark capitalisation (case_token_types); it takes single texts, not pairs");
    }
    const special = pair === undefined ? 2 : 3;
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < special)) {
      const room = pair === undefined ? "room for [CLS] and [SEP]" : "room for [CLS] and two [SEP]";
      throw new TokenizerError("invalid_input", `maxLength must be an integer >= ${special} (${room}), got ${maxLength}`);
    }
    const eager = options.offsets === "eager" || this.caseTokenTypes;
    const a = this.pieces(text, eager);
    const b = pair === undefined ? null : this.pieces(pair, eager);
    let keepA = a.ids.length;
    let keepB = b === null ? 0 : b.ids.length;
    let truncated = false;
    if (maxLength !== undefined && keepA + keepB > maxLength - special) {
      truncated = true;
      [keepA, keepB] = b === null ? [maxLength - special, 0] : longestFirst(keepA, keepB, keepA + keepB - (maxLength - special));
    }
    const cls = this.sp.idToPiece(this.clsId);
    const sep = this.sp.idToPiece(this.sepId);
    // [CLS] a [SEP] in a's own arrays, then the pair.
    const { ids, pieces } = a;
    ids.length = pieces.length = keepA;
    ids.unshift(this.clsId);
    pieces.unshift(cls);
    ids.push(this.sepId);
    pieces.push(sep);
    const typeIds = new Array<number>(ids.length).fill(0);
    if (b !== null) {
      for (let i = 0; i < keepB; i++) {
        ids.push(b.ids[i]!);
        pieces.push(b.pieces[i]!);
        typeIds.push(1);
      }
      ids.push(this.sepId);
      pieces.push(sep);
      typeIds.push(1);
    }
    const spans = (): (Offset | null)[] => {
      const offsets: (Offset | null)[] = a.offsets ?? this.tokenize(text).offsets;
      offsets.length = keepA;
      offsets.unshift(null);
      offsets.push(null);
      if (b !== null) {
        const second = b.offsets ?? this.tokenize(pair!).offsets;
        for (let i = 0; i < keepB; i++) offsets.push(second[i]!);
        offsets.push(null);
      }
      return offsets;
    };
    const encoding: Encoding = { ids, pieces, offsets: eager ? spans() : [], typeIds, truncated };
    if (this.caseTokenTypes) encoding.offsets.forEach((span, i) => (typeIds[i] = caseTypeOf(text, span)));
    if (!eager) lazyProperty(encoding, "offsets", spans);
    return encoding;
  }
}

/**
 * The case token type of a span of `text`: 1 when its first character is an uppercase letter
 * (it changes under lowercasing: `c !== c.toLowerCase()`), else 0; 0 for null and empty spans.
 * training/finetune_ner.py (`case_types`) computes the same for the words it trains on.
 */
export function caseTypeOf(text: string, span: Offset | null): number {
  if (span === null || span[1] <= span[0]) return 0;
  const c = String.fromCodePoint(text.codePointAt(span[0])!);
  return c !== c.toLowerCase() ? 1 : 0;
}

/**
 * Makes `key` of `target` computed by `compute` on first read (then a plain property): an
 * enumerable getter, so JSON.stringify and spreads see the value.
 */
function lazyProperty<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  Object.defineProperty(target, key, {
    configurable: true,
    enumerable: true,
    get(this: T) {
      const value = compute();
      Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
      return value;
    },
    set(this: T, value: T[K]) {
      Object.defineProperty(this, key, { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

/**
 * HF `truncate_sequences` with `longest_first` for a pair: removing `remove` tokens one at a
 * time, each from the longer sequence (from the second on a tie). Returns the lengths kept.
 */
export function longestFirst(first: number, second: number, remove: number): [number, number] {
  const fromLonger = Math.min(Math.abs(first - second), remove);
  const rest = remove - fromLonger;
  // After evening out, the removals alternate starting with the second sequence.
  const a = (first > second ? fromLonger : 0) + Math.floor(rest / 2);
  const b = (first > second ? 0 : fromLonger) + Math.ceil(rest / 2);
  return [first - a, second - b];
}

/**
 * Maps spans in the preprocessed text to spans in the caller's string, then gives each piece
 * made only of ▁ the empty span where what it stands for ends (whitespace, or nothing for the
 * dummy prefix), unless that character also gave a neighbouring token characters (an NFKD
 * expansion with spaces such as U+FDFA): then it shares that character's span, like them.
 */
function finishSpans(aligned: AlignedText, pieces: string[], spans: Offset[], text: string): Offset[] {
  if (aligned.starts !== null || aligned.shift !== 0) for (const span of spans) toOriginalSpan(aligned, span, text);
  for (let i = 0; i < pieces.length; i++) {
    const piece = pieces[i]!;
    if (piece.charCodeAt(0) !== 0x2581 || piece.charCodeAt(piece.length - 1) !== 0x2581 || !onlySpaceSymbols(piece)) continue;
    const span = spans[i]!;
    const shared = (i > 0 && spans[i - 1]![1] > span[0]) || (i + 1 < spans.length && spans[i + 1]![0] < span[1]);
    if (!shared) span[0] = span[1];
  }
  return spans;
}

function onlySpaceSymbols(piece: string): boolean {
  for (let i = 0; i < piece.length; i++) if (piece.charCodeAt(i) !== 0x2581) return false;
  return true;
}

/** UTF-8 byte length of s[start, end) (a lone surrogate counts as U+FFFD, 3 bytes). */
function utf8Length(s: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** HF `_tokenize` test: len(piece) > 1 and piece[-1] == "," and piece[-2].isdigit(). */
function endsWithDigitComma(piece: string): boolean {
  const n = piece.length;
  if (n < 2 || piece.charCodeAt(n - 1) !== 0x2c) return false;
  const cp = piece.codePointAt(n - 2)!;
  // A low surrogate at n-2 is the end of an astral character: read the whole code point.
  const last = cp >= 0xdc00 && cp <= 0xdfff && n >= 3 ? piece.codePointAt(n - 3)! : cp;
  return isPythonDigit(last > 0xffff ? last : cp);
}

function specialId(sp: SentencePieceProcessor, piece: string, fallback: number): number {
  const id = sp.pieceToId(piece);
  if (id !== sp.unkId) return id;
  if (fallback < sp.vocabSize) return fallback;
  throw new TokenizerError("invalid_model", `spiece.model: no ${piece} piece`);
}
