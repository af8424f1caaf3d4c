/**
 * @module model/tokenizer
 * What the runtime needs from a tokenizer, and how one is built from the tokenizer shard.
 * The factory is injected (default: the exact ALBERT tokenizer from src/tokenizer), which keeps
 * the encoder usable with ids alone and lets tests stub text handling.
 *
 * Offsets are `[start, end)` in UTF-16 code units (what `String.prototype.slice` takes) of the
 * string the token came from; a leading ▁ does not cover the whitespace it stands for.
 */
import type { AlbertTokenizerOptions } from "../tokenizer/index.ts";
import type { TokenizerSettings } from "./manifest.ts";

/** A `[start, end)` character span in UTF-16 code units. */
export type Offset = [number, number];

export interface Encoding {
  ids: number[];
  pieces: string[];
  /** Per id: its span in `text` (type 0) or `pair` (type 1); null for [CLS] and [SEP]. */
  offsets: (Offset | null)[];
  /**
   * 0 for [CLS], the text and its [SEP]; 1 for the pair and its [SEP]. With the manifest's
   * `tokenizer.case_token_types`: 1 for tokens that begin with an uppercase letter, else 0.
   */
  typeIds: number[];
  truncated: boolean;
}

/** The tokens of one text without special tokens (spans into that text). */
export interface Tokens {
  ids: number[];
  pieces: string[];
  offsets: Offset[];
}

export interface EncodeOptions {
  /** Maximum ids including the special tokens. */
  maxLength: number;
  /** A second text: `[CLS] text [SEP] pair [SEP]`. */
  pair?: string;
  /**
   * A hint: "eager" computes offsets in the same pass (callers that always read them); "lazy"
   * (the default) may compute them on first read of `Encoding.offsets`.
   */
  offsets?: "lazy" | "eager";
}

export interface ModelTokenizer {
  /**
   * `[CLS] text [SEP]`, or `[CLS] text [SEP] pair [SEP]`, truncated to `maxLength` ids (a pair
   * as Hugging Face `longest_first`).
   */
  encode(text: string, options: EncodeOptions): Encoding;
  /** The tokens of `text` alone, no special tokens, no truncation (to build windows from). */
  tokenize(text: string): Tokens;
  readonly clsId: number;
  readonly sepId: number;
}

/** Builds a tokenizer from the `tokenizer` shard bytes (spiece.model) and manifest settings. */
export type TokenizerFactory = (spiece: Uint8Array, settings: TokenizerSettings) => ModelTokenizer | Promise<ModelTokenizer>;

/** The ALBERT tokenizer's options for a manifest's tokenizer settings. */
export function tokenizerOptions(settings: TokenizerSettings): AlbertTokenizerOptions {
  return { lowercase: settings.lowercase, keepAccents: settings.keep_accents, caseTokenTypes: settings.case_token_types === true };
}
