/**
 * @module node/fs-shard-source
 * ShardSource over a local directory (Node only): `read(file)` → the file's bytes.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { ShardSource } from "../model/shard-source.ts";

export function fsShardSource(dir: string): ShardSource {
  return {
    async read(file: string): Promise<Uint8Array> {
      if (file.includes("/") || file.includes("\\") || file.startsWith(".")) throw new Error(`invalid shard file name "${file}"`);
      return new Uint8Array(await readFile(join(dir, file)));
    },
  };
}
