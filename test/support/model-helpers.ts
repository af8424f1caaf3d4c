/**
 * @module test/support/model-helpers
 * Helpers for runtime tests: converting into temp dirs, loading with a stub tokenizer that
 * reads space-separated ids (so synthetic checkpoints need no real vocabulary), and diffs.
 */
import { convertCheckpoint, type ConvertOptions } from "../../src/convert/convert.ts";
import { createModel, type AlbertModel } from "../../src/model/model.ts";
import type { Encoding, ModelTokenizer } from "../../src/model/tokenizer.ts";
import { fsShardSource } from "../../src/node/fs-shard-source.ts";
import { nodeEngine, type NodeEngineOptions } from "../../src/node/load-model.ts";

/** The ids in "5 17 22" with their spans in the text. */
function idTokens(text: string): { ids: number[]; pieces: string[]; offsets: [number, number][] } {
  const matches = [...text.matchAll(/\S+/g)];
  return {
    ids: matches.map((m) => Number(m[0])),
    pieces: matches.map((m) => m[0]),
    offsets: matches.map((m) => [m.index, m.index + m[0].length]),
  };
}

/**
 * "5 17 22" → [CLS] 5 17 22 [SEP] (with a pair: [CLS] a [SEP] b [SEP], types 0 then 1),
 * truncated to maxLength keeping [SEP] last (pairs: from the longer side first).
 */
export const idsTokenizer = (): ModelTokenizer => ({
  clsId: 2,
  sepId: 3,
  tokenize: idTokens,
  encode(text, { maxLength, pair }) {
    const a = idTokens(text);
    const b = pair === undefined ? null : idTokens(pair);
    let keepA = a.ids.length;
    let keepB = b === null ? 0 : b.ids.length;
    const room = Math.max(0, maxLength - (b === null ? 2 : 3));
    while (keepA + keepB > room) {
      if (b === null || keepA > keepB) keepA--;
      else keepB--;
    }
    const encoding: Encoding = { ids: [2], pieces: ["[CLS]"], offsets: [null], typeIds: [0], truncated: keepA + keepB < a.ids.length + (b?.ids.length ?? 0) };
    const add = (t: ReturnType<typeof idTokens>, keep: number, type: number): void => {
      encoding.ids.push(...t.ids.slice(0, keep), 3);
      encoding.pieces.push(...t.pieces.slice(0, keep), "[SEP]");
      encoding.offsets.push(...t.offsets.slice(0, keep), null);
      for (let i = 0; i <= keep; i++) encoding.typeIds.push(type);
    };
    add(a, keepA, 0);
    if (b !== null) add(b, keepB, 1);
    return encoding;
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
