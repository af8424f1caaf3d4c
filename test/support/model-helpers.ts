/**
 * @module test/support/model-helpers
 * Helpers for runtime tests: converting into temp dirs, loading with a stub tokenizer that
 * reads space-separated ids (so synthetic checkpoints need no real vocabulary), and diffs.
 */
import { convertCheckpoint, type ConvertOptions } from "../../src/convert/convert.ts";
import { createModel, type AlbertModel } from "../../src/model/model.ts";
import type { ModelTokenizer } from "../../src/model/tokenizer.ts";
import { fsShardSource } from "../../src/node/fs-shard-source.ts";
import { nodeEngine, type NodeEngineOptions } from "../../src/node/load-model.ts";

/** "5 17 22" → [CLS] 5 17 22 [SEP], truncated to maxLength keeping [SEP] last. */
export const idsTokenizer = (): ModelTokenizer => ({
  encode(text, { maxLength }) {
    const body = text.trim() === "" ? [] : text.trim().split(/\s+/).map(Number);
    const kept = body.slice(0, Math.max(0, maxLength - 2));
    const ids = [2, ...kept, 3];
    return { ids, pieces: ids.map(String), truncated: kept.length < body.length };
  },
});

export async function convertQuietly(inDir: string, outDir: string, options: ConvertOptions = {}): Promise<void> {
  await convertCheckpoint(inDir, outDir, { ...options, log: () => {} });
}

/** Loads shards with the ids tokenizer on an engine (default: ours, kernel path by probe). */
export async function loadWithIds(dir: string, engine: NodeEngineOptions = {}): Promise<AlbertModel> {
  return createModel(fsShardSource(dir), { tokenizer: idsTokenizer, engine: await nodeEngine(engine) });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

export function argmaxOf(v: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

/** Random ids in [5, vocab) of the given length, wrapped in [CLS]/[SEP]. */
export function randomIds(next: () => number, vocab: number, length: number): number[] {
  return [2, ...Array.from({ length: length - 2 }, () => 5 + Math.floor(next() * (vocab - 5))), 3];
}
