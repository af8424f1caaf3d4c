/**
 * @module tokenizer/albert
 * `AlbertTokenizer` as Hugging Face's SentencePiece-based (slow) tokenizer runs it:
 * preprocess_text, SentencePiece encode to pieces, the `_tokenize` split of pieces that end
 * in digit + ',' ("▁1999," -> "▁1999", ","), piece_to_id, then `[CLS] … [SEP]` with optional
 * truncation that keeps both special tokens.
 */
import { TokenizerError } from "./errors.ts";
import { parseModelProto } from "./model-proto.ts";
import { isPythonDigit, preprocessText } from "./preprocess.ts";
import { SentencePieceProcessor, type Encoded } from "./sentencepiece.ts";

const SPIECE_UNDERLINE = "\u2581";

export interface AlbertTokenizerOptions {
  /** HF `do_lower_case` (default true, as ALBERT checkpoints use). */
  lowercase?: boolean;
  /** HF `keep_accents` (default false: NFKD and drop combining marks). */
  keepAccents?: boolean;
}

export interface EncodeOptions {
  /** Maximum number of ids including [CLS] and [SEP] (>= 2). Default: no truncation. */
  maxLength?: number;
}

export interface Encoding {
  /** `[CLS]`, the text's ids, `[SEP]`. */
  ids: number[];
  /** The piece for each id (same length as `ids`). */
  pieces: string[];
  /** True when ids were dropped to fit `maxLength`. */
  truncated: boolean;
}

export class AlbertTokenizer {
  readonly vocabSize: number;
  readonly lowercase: boolean;
  readonly keepAccents: boolean;
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

  /** `AlbertTokenizer.tokenize`: the pieces of `text`, without [CLS]/[SEP]. */
  tokenize(text: string): Encoded {
    if (typeof text !== "string") {
      throw new TokenizerError("invalid_input", `text must be a string, got ${text === null ? "null" : typeof text}`);
    }
    const sp = this.sp;
    const first: Encoded = { ids: [], pieces: [] };
    sp.encodeInto(preprocessText(text, { lowercase: this.lowercase, keepAccents: this.keepAccents }), first);

    // HF _tokenize: re-split pieces that end with digit + ",".
    let needsSplit = false;
    for (let i = 0; i < first.ids.length; i++) {
      if (this.splits(first.ids[i]!, first.pieces[i]!)) {
        needsSplit = true;
        break;
      }
    }
    if (!needsSplit) return first;

    const out: Encoded = { ids: [], pieces: [] };
    for (let i = 0; i < first.ids.length; i++) {
      const id = first.ids[i]!;
      const piece = first.pieces[i]!;
      if (!this.splits(id, piece)) {
        out.ids.push(id);
        out.pieces.push(piece);
        continue;
      }
      const cur = sp.encode(piece.slice(0, -1).replaceAll(SPIECE_UNDERLINE, ""));
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
    }
    return out;
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

  /** Encodes `text` as `[CLS] pieces [SEP]`, truncated to `maxLength` ids when given. */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    const { maxLength } = options;
    if (maxLength !== undefined && (!Number.isInteger(maxLength) || maxLength < 2)) {
      throw new TokenizerError("invalid_input", `maxLength must be an integer >= 2 (room for [CLS] and [SEP]), got ${maxLength}`);
    }
    const { ids, pieces } = this.tokenize(text);
    let truncated = false;
    if (maxLength !== undefined && ids.length > maxLength - 2) {
      ids.length = maxLength - 2;
      pieces.length = maxLength - 2;
      truncated = true;
    }
    ids.unshift(this.clsId);
    ids.push(this.sepId);
    pieces.unshift(this.sp.idToPiece(this.clsId));
    pieces.push(this.sp.idToPiece(this.sepId));
    return { ids, pieces, truncated };
  }
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
