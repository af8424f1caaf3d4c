/**
 * @module convert/errors
 * The converter's single error type: every message names the offending file or tensor, so the
 * CLI can print it as-is and exit non-zero.
 */
export class ConvertError extends Error {
  override readonly name = "ConvertError";
}
