/**
 * @module convert/shards
 * Turns named shard payloads into files + manifest entries: sha256 per file, splitting any
 * payload larger than MAX_SHARD_BYTES into numbered parts, and the content version
 * (first 16 hex of sha256 over the concatenated shard sha256 hex strings, in manifest order).
 */
import { createHash } from "node:crypto";
import { MAX_SHARD_BYTES, type Manifest, type ShardEntry, type ShardRole } from "../model/manifest.ts";

export interface ShardPayload {
  file: string;
  role: ShardRole;
  group?: number;
  bytes: Uint8Array;
}

export interface ShardFile {
  entry: ShardEntry;
  bytes: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Splits payloads into ≤ maxBytes files and describes each. */
export function toShardFiles(payloads: readonly ShardPayload[], maxBytes = MAX_SHARD_BYTES): ShardFile[] {
  const out: ShardFile[] = [];
  for (const p of payloads) {
    const parts = Math.max(1, Math.ceil(p.bytes.length / maxBytes));
    for (let i = 0; i < parts; i++) {
      const bytes = parts === 1 ? p.bytes : p.bytes.subarray(i * maxBytes, Math.min(p.bytes.length, (i + 1) * maxBytes));
      const entry: ShardEntry = { file: parts === 1 ? p.file : `${p.file}.part${i}`, bytes: bytes.length, sha256: sha256Hex(bytes), role: p.role };
      if (p.group !== undefined) entry.group = p.group;
      if (parts > 1) entry.part = i;
      out.push({ entry, bytes });
    }
  }
  return out;
}

/** What a manifest's content version covers: its shards and the settings that change answers. */
export type VersionedSettings = Pick<Manifest, "shards" | "early_exit" | "pooling" | "aggregation" | "decoding" | "thresholds"> & { tokenizer: Pick<Manifest["tokenizer"], "case_token_types"> };

/**
 * Content version of a model: first 16 hex of sha256 over its shards' hashes (and the early-exit,
 * pooling, case-token-type, aggregation, decoding and threshold settings when there are any, since they
 * change answers; cache keys include the version).
 */
export function contentVersion(m: VersionedSettings): string {
  const { shards, early_exit: earlyExit, pooling, aggregation, decoding, thresholds } = m;
  const extra =
    (earlyExit === undefined ? "" : `|early_exit.patience=${earlyExit.patience}`) +
    (pooling === undefined ? "" : `|pooling=${pooling}`) +
    (m.tokenizer.case_token_types === true ? "|case_token_types" : "") +
    (aggregation === undefined ? "" : `|aggregation=${aggregation}`) +
    (decoding === undefined ? "" : `|decoding=${decoding}`) +
    (thresholds === undefined ? "" : `|thresholds=${Object.entries(thresholds).sort(([a], [b]) => (a < b ? -1 : 1)).map(([label, t]) => `${label}:${t}`).join(",")}`);
  return sha256Hex(shards.map((s) => s.sha256).join("") + extra).slice(0, 16);
}
