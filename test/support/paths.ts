/**
 * @module test/support/paths
 * Locations used by tests: the repo root and `../shared` beside it (CI clones the repo with
 * shared/ next to it), plus fresh temp directories under os.tmpdir().
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const sharedDir = resolve(repoRoot, "..", "shared");
export const sst2MiniDir = join(sharedDir, "checkpoints", "albert-sst2-mini");
export const sst2MiniGolden = join(sharedDir, "golden", "albert-sst2-mini.logits.jsonl");
export const spieceModel = join(sharedDir, "tokenizer", "spiece.model");
export const datasetsDir = join(sharedDir, "datasets");

export function sharedAvailable(): boolean {
  return existsSync(sst2MiniDir) && existsSync(sst2MiniGolden) && existsSync(spieceModel);
}

/** A fresh temp directory; call the returned cleanup in afterAll. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `albert-edge-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
