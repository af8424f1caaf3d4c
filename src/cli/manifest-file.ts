/**
 * @module cli/manifest-file
 * Reads and rewrites the manifest of converted shards for the commands that change a setting
 * without the checkpoint (`early-exit`, `thresholds`): the new manifest gets the content version
 * the converter would give it (cache keys change with it), is validated, and replaces the old
 * one atomically. The shards themselves are never touched.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { contentVersion } from "../convert/shards.ts";
import { parseManifest, type Manifest } from "../model/manifest.ts";

/** The manifest of `<dir>/manifest.json`; throws with the path on a missing or invalid file. */
export async function readManifestFile(dir: string): Promise<Manifest> {
  const path = join(dir, "manifest.json");
  try {
    return parseManifest(JSON.parse(await readFile(path, "utf8")));
  } catch (e) {
    throw new Error(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Writes `next` (its version recomputed) as `<dir>/manifest.json`; returns the new version. */
export async function writeManifestFile(dir: string, next: Manifest): Promise<string> {
  const path = join(dir, "manifest.json");
  next.version = contentVersion(next);
  parseManifest(structuredClone(next));
  await writeFile(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  return next.version;
}
