/**
 * @module test/unit/tokenizer/helpers
 * Shared fixtures for the tokenizer tests: the goldens' path in ../shared (beside the repo clone),
 * the albert-base-v2 `spiece.model` bytes (from the shipped shards) and a tokenizer loaded once
 * per test file.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";
import { AlbertTokenizer, TokenizerError } from "../../../src/tokenizer/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const repoRoot = resolve(here, "../../..");
/** `shared/` sits beside the repository clone (when it is there: see test/support/paths.ts). */
export const sharedDir = resolve(repoRoot, "../shared");
/** albert-base-v2's spiece.model as shipped in the shards (the same bytes as ../shared/tokenizer/spiece.model). */
export const modelPath = resolve(repoRoot, "model-shards/sentiment/spiece.model");
export const goldenPath = resolve(sharedDir, "golden/tokenizer.jsonl");

let bytes: Uint8Array | undefined;
let tokenizer: AlbertTokenizer | undefined;

export function modelBytes(): Uint8Array {
  bytes ??= new Uint8Array(readFileSync(modelPath));
  return bytes;
}

/** The ALBERT tokenizer as the goldens were made: lowercase, accents stripped. */
export function albert(): AlbertTokenizer {
  tokenizer ??= AlbertTokenizer.fromModel(modelBytes(), { lowercase: true, keepAccents: false });
  return tokenizer;
}

/** The TokenizerError `fn` throws (fails the test when it throws something else or nothing). */
export function errorOf(fn: () => unknown): TokenizerError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(TokenizerError);
    return e as TokenizerError;
  }
  throw new Error("expected a TokenizerError");
}
