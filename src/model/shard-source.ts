/**
 * @module model/shard-source
 * Where shard bytes come from (injected: files in Node, the ASSETS binding in the Worker),
 * plus manifest loading and integrity checks (size + sha256 against the manifest).
 */
import { parseManifest, shardFiles, type Manifest, type ShardRole } from "./manifest.ts";
import { sha256Hex } from "./sha256.ts";

/** Reads one file of a shard directory by its name (e.g. "manifest.json", "block-0.onnx"). */
export interface ShardSource {
  read(file: string): Promise<Uint8Array>;
}

/** A shard file whose size or sha256 differs from the manifest. */
export class ShardIntegrityError extends Error {
  override readonly name = "ShardIntegrityError";
  readonly file: string;
  constructor(file: string, message: string) {
    super(`shard ${file}: ${message}`);
    this.file = file;
  }
}

export async function readManifest(source: ShardSource): Promise<Manifest> {
  const bytes = await source.read("manifest.json");
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new SyntaxError(`manifest.json: invalid JSON (${(e as Error).message})`);
  }
  return parseManifest(json);
}

/** Reads one logical shard (concatenating its parts), verifying every file. */
export async function readShard(source: ShardSource, manifest: Manifest, role: ShardRole, group?: number): Promise<Uint8Array> {
  const entries = shardFiles(manifest, role, group);
  const parts = await Promise.all(
    entries.map(async (entry) => {
      const bytes = await source.read(entry.file);
      if (bytes.length !== entry.bytes) throw new ShardIntegrityError(entry.file, `expected ${entry.bytes} bytes, got ${bytes.length}`);
      const hash = await sha256Hex(bytes);
      if (hash !== entry.sha256) throw new ShardIntegrityError(entry.file, `sha256 mismatch (expected ${entry.sha256}, got ${hash})`);
      return bytes;
    }),
  );
  if (parts.length === 1) return parts[0] as Uint8Array;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}
