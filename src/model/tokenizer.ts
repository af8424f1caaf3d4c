/**
 * @module model/tokenizer
 * What the runtime needs from a tokenizer, and how one is built from the tokenizer shard.
 * The factory is injected (default: the exact ALBERT tokenizer from src/tokenizer), which keeps
 * the encoder usable with ids alone and lets tests stub text handling.
 *
 * Offsets are `[start, end)` in UTF-16 code units (what `String.prototype.slice` takes) of the
 * string the token came from; a leading ▁ does not cover the whitespace it stands for.
 */
import type { AlbertTokenizerOptions, EncodeOptions as AlbertEncodeOptions, Encoding, Offset, Tokenized } from "../tokenizer/index.ts";
import type { TokenizerSettings } from "./manifest.ts";

export type { Encoding, Offset };

/** The tokens of one text without special tokens (spans into that text). */
export type Tokens = Tokenized;

/** The tokenizer's encode options; the runtime always bounds the length. */
export type EncodeOptions = AlbertEncodeOptions & { maxLength: number };

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
