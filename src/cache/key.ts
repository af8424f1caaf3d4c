/**
 * @module cache/key
 * Result-cache keys: SHA-256 over model id, content version, task, the normalized input and the
 * options that change the answer. The input is normalized with the tokenizer's own first step
 * (Python `str.split()` whitespace collapse), so texts that tokenize identically because they
 * differ only in spacing share an entry, while nothing that could change the answer is folded
 * (answers with character offsets into the input key it exactly).
 */
import { collapseWhitespace } from "../tokenizer/preprocess.ts";

export interface KeyParts {
  model: string;
  version: string;
  /** What is cached: "classify", "moderate", ... */
  task: string;
  input: string;
  /** Options that change the answer (e.g. max length); keep key order stable. */
  options?: Record<string, string | number | boolean>;
  /**
   * Key the input as given, without the whitespace collapse: for answers that carry character
   * offsets into it (entities, QA), which differ between texts that differ only in spacing.
   */
  exact?: boolean;
}

const encoder = new TextEncoder();

export async function cacheKey(parts: KeyParts): Promise<string> {
  const canonical = JSON.stringify([parts.model, parts.version, parts.task, parts.exact === true ? parts.input : collapseWhitespace(parts.input), parts.options ?? {}]);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", encoder.encode(canonical)));
  let hex = "";
  for (const byte of digest) hex += byte.toString(16).padStart(2, "0");
  return `r1:${hex}`;
}
