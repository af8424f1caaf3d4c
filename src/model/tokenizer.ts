/**
 * @module model/tokenizer
 * What the runtime needs from a tokenizer, and how one is built from the tokenizer shard.
 * The factory is injected (default: the exact ALBERT tokenizer from src/tokenizer), which keeps
 * the encoder usable with ids alone and lets tests stub text handling.
 */
import type { TokenizerSettings } from "./manifest.ts";

export interface Encoding {
  ids: number[];
  pieces: string[];
  truncated: boolean;
}

export interface ModelTokenizer {
  encode(text: string, options: { maxLength: number }): Encoding;
}

/** Builds a tokenizer from the `tokenizer` shard bytes (spiece.model) and manifest settings. */
export type TokenizerFactory = (spiece: Uint8Array, settings: TokenizerSettings) => ModelTokenizer | Promise<ModelTokenizer>;
