/**
 * @module test/support/heads-golden
 * Shared by the head parity tests (test/unit/model/heads-*.test.ts): reads a ../shared golden
 * JSONL, converts a ../shared checkpoint once per form (fp32, int8 default) into a temp dir and
 * loads it on both engines, plus the measures the issue defines: max |Δ|, cosine, token argmax,
 * and the golden's QA span rule (start ≤ end, at most 30 tokens, inside the context: positions
 * of token type 1 except the final [SEP]; score = start + end logit).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { AlbertModel } from "../../src/model/index.ts";
import { loadModelDir, type EngineName } from "../../src/node/load-model.ts";
import { convertQuietly } from "./model-helpers.ts";
import { sharedCheckpoint } from "./paths.ts";

/** One row of ../shared/golden/albert-qa-mini.jsonl (see its README). */
export interface QaGolden {
  question: string;
  context: string;
  ids: number[];
  token_type_ids: number[];
  start_logits: number[];
  end_logits: number[];
  best: { start_token: number; end_token: number; score_logit_sum: number; answer?: string };
}

export const FORMS = ["fp32", "int8"] as const;
export type Form = (typeof FORMS)[number];
export const ENGINES: readonly EngineName[] = ["wasm", "ort"];

export function readJsonl<T>(path: string): T[] {
  return readFileSync(path, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as T);
}

/** Converts `checkpoint` to fp32 and int8 (default) shards under `dir`, loads each on both engines. */
export async function loadForms(checkpoint: string, dir: string): Promise<Map<string, AlbertModel>> {
  const models = new Map<string, AlbertModel>();
  for (const form of FORMS) {
    const out = join(dir, `${checkpoint}-${form}`);
    await convertQuietly(sharedCheckpoint(checkpoint), out, form === "fp32" ? { fp32: true } : {});
    for (const engine of ENGINES) models.set(`${form}/${engine}`, await loadModelDir(out, { engine }));
  }
  return models;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return ab / Math.sqrt(aa * bb);
}

/** Column `c` of a row-major [rows × cols] matrix. */
export function column(m: ArrayLike<number>, cols: number, c: number): number[] {
  return Array.from({ length: m.length / cols }, (_, r) => m[r * cols + c]!);
}

/** Argmax of each row of a row-major [rows × cols] matrix. */
export function rowArgmax(m: ArrayLike<number>, cols: number): number[] {
  return Array.from({ length: m.length / cols }, (_, r) => {
    let best = 0;
    for (let c = 1; c < cols; c++) if (m[r * cols + c]! > m[r * cols + best]!) best = c;
    return best;
  });
}

export interface Span {
  start: number;
  end: number;
  score: number;
  /** Best score among all other allowed spans. */
  runnerUp: number;
}

/** The golden's best-span rule over start/end logits (see the module comment). */
export function bestSpan(start: readonly number[], end: readonly number[], typeIds: readonly number[], maxTokens = 30): Span {
  const last = typeIds.length - 1; // the final [SEP]
  let best: Span = { start: -1, end: -1, score: -Infinity, runnerUp: -Infinity };
  for (let s = 0; s < last; s++) {
    if (typeIds[s] !== 1) continue;
    for (let e = s; e < last && e - s + 1 <= maxTokens; e++) {
      if (typeIds[e] !== 1) continue;
      const score = start[s]! + end[e]!;
      if (score > best.score) best = { start: s, end: e, score, runnerUp: best.score };
      else if (score > best.runnerUp) best.runnerUp = score;
    }
  }
  if (best.start < 0) throw new Error("no context tokens");
  return best;
}
