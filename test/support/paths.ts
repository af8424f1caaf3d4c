/**
 * @module test/support/paths
 * Locations used by tests: the repo root and `../shared` beside it (CI clones the repo with
 * shared/ next to it; a plain clone has none, and the tests that need its data skip), plus fresh
 * temp directories under os.tmpdir().
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedDir = resolve(repoRoot, "..", "shared");
export const sst2MiniDir = join(sharedDir, "checkpoints", "albert-sst2-mini");
export const sst2MiniGolden = join(sharedDir, "golden", "albert-sst2-mini.logits.jsonl");
/**
 * albert-base-v2's SentencePiece model, from the shipped shards: the same bytes as
 * ../shared/tokenizer/spiece.model (its sha256 is in the manifest), so tests that only need the
 * tokenizer model run without ../shared.
 */
export const spieceModel = join(repoRoot, "model-shards", "sentiment", "spiece.model");
export const datasetsDir = join(sharedDir, "datasets");
export const goldenDir = join(sharedDir, "golden");

/** Why the tests that need ../shared are skipped: printed once per run (test/support/shared-check.ts). */
export const SHARED_MISSING = `../shared (${sharedDir}) is missing: the tests that compare with its golden data, checkpoints and datasets are skipped`;

/** Whether ../shared is there at all. */
export function sharedPresent(): boolean {
  return existsSync(sharedDir);
}

/** A development checkpoint under ../shared/checkpoints (e.g. "albert-ner-mini"). */
export const sharedCheckpoint = (name: string): string => join(sharedDir, "checkpoints", name);
/** A golden file under ../shared/golden (e.g. "albert-ner-mini.jsonl"). */
export const sharedGolden = (file: string): string => join(goldenDir, file);

/** Whether a checkpoint and its golden file are both there. */
export function sharedPairAvailable(checkpoint: string, golden: string): boolean {
  return existsSync(sharedCheckpoint(checkpoint)) && existsSync(sharedGolden(golden));
}

export function sharedAvailable(): boolean {
  return existsSync(sst2MiniDir) && existsSync(sst2MiniGolden);
}

/** A fresh temp directory; call the returned cleanup in afterAll. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `albert-edge-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
