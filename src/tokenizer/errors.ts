/**
 * @module tokenizer/errors
 * The one error type the tokenizer throws, with a machine-readable `code` so callers
 * (HTTP routes, the CLI) can map it to a status or exit code without parsing messages.
 */

/** Why tokenization failed. */
export type TokenizerErrorCode =
  /** The text (or an option) is not acceptable: not a string, bad maxLength, ... */
  | "invalid_input"
  /** The model bytes are not a usable SentencePiece unigram model. */
  | "invalid_model"
  /** The model is well-formed but uses a feature this implementation does not support. */
  | "unsupported_model";

export class TokenizerError extends Error {
  readonly code: TokenizerErrorCode;

  constructor(code: TokenizerErrorCode, message: string) {
    super(message);
    this.name = "TokenizerError";
    this.code = code;
  }
}
