/**
 * @module test/unit/model/manifest
 * The manifest parser (accepts what the converter writes, rejects malformed fields by name),
 * the HF layer → group schedule, and shard integrity checks at load (ShardIntegrityError
 * naming the file on a size or sha256 mismatch).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { groupOfLayer, parseManifest, ManifestError, type Manifest } from "../../../src/model/manifest.ts";
import { createModel } from "../../../src/model/model.ts";
import { nodeEngine } from "../../../src/node/load-model.ts";
import { readShard, ShardIntegrityError } from "../../../src/model/shard-source.ts";
import { fsShardSource } from "../../../src/node/fs-shard-source.ts";
import { generateCheckpoint, SMALL_SHAPE } from "../../support/checkpoint-generator.ts";
import { convertQuietly, idsTokenizer } from "../../support/model-helpers.ts";
import { tempDir } from "../../support/paths.ts";

const tmp = tempDir("manifest");
let manifest: Manifest;
let dir: string;

beforeAll(async () => {
  const ck = generateCheckpoint(join(tmp.dir, "ck"), { shape: { ...SMALL_SHAPE, num_hidden_groups: 2, num_hidden_layers: 4 }, numLabels: 2 });
  dir = join(tmp.dir, "model");
  await convertQuietly(ck.dir, dir, { maxShardBytes: 50_000 });
  manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
});
afterAll(() => tmp.cleanup());

describe("parseManifest", () => {
  it("accepts the converter's output, including split shards", () => {
    expect(parseManifest(structuredClone(manifest))).toEqual(manifest);
    expect(manifest.shards.some((s) => s.part !== undefined)).toBe(true);
    expect(manifest.shards.every((s) => s.bytes <= 50_000)).toBe(true);
  });

  const broken: [string, (m: Record<string, unknown> & Manifest) => void, RegExp][] = [
    ["format_version", (m) => ((m as Record<string, unknown>).format_version = 2), /format_version must be 1/],
    ["task", (m) => ((m as Record<string, unknown>).task = "regression"), /task must be one of/],
    ["labels for feature_extraction", (m) => (m.task = "feature_extraction"), /labels must be empty/],
    ["sha256", (m) => ((m.shards[0] as { sha256: string }).sha256 = "xyz"), /shards\[0\]\.sha256/],
    ["file name", (m) => ((m.shards[0] as { file: string }).file = "../etc/passwd"), /shards\[0\]\.file/],
    ["missing block group", (m) => (m.shards = m.shards.filter((s) => !(s.role === "block" && s.group === 1))), /no block group 1 shard/],
    ["hidden_act", (m) => ((m.config as { hidden_act: string }).hidden_act = "swish"), /config\.hidden_act/],
    ["max_length", (m) => (m.tokenizer.max_length = 10_000), /tokenizer\.max_length/],
    ["parts", (m) => m.shards.forEach((s) => s.part === 1 && (s.part = 5)), /parts must be numbered/],
  ];
  it.each(broken)("rejects a bad %s", (_name, edit, message) => {
    const m = structuredClone(manifest) as Record<string, unknown> & Manifest;
    edit(m);
    expect(() => parseManifest(m)).toThrow(ManifestError);
    expect(() => parseManifest(m)).toThrow(message);
  });
});

describe("groupOfLayer (HF AlbertTransformer: int(i / (layers / groups)))", () => {
  it.each([
    [12, 1, "0 0 0 0 0 0 0 0 0 0 0 0"],
    [12, 2, "0 0 0 0 0 0 1 1 1 1 1 1"],
    [12, 5, "0 0 0 1 1 2 2 2 3 3 4 4"],
    [5, 2, "0 0 0 1 1"],
    [3, 3, "0 1 2"],
  ])("%i layers, %i groups", (layers, groups, schedule) => {
    const got = Array.from({ length: layers }, (_, i) => groupOfLayer({ num_hidden_layers: layers, num_hidden_groups: groups }, i));
    expect(got.join(" ")).toBe(schedule);
  });
});

describe("shard integrity", () => {
  it("reassembles split shards and verifies each part", async () => {
    const bytes = await readShard(fsShardSource(dir), manifest, "block", 0);
    expect(bytes.length).toBe(manifest.shards.filter((s) => s.role === "block" && s.group === 0).reduce((n, s) => n + s.bytes, 0));
  });

  it("throws ShardIntegrityError naming the file on a sha256 mismatch", async () => {
    const target = manifest.shards.find((s) => s.role === "head");
    if (target === undefined) throw new Error("no head shard");
    const source = fsShardSource(dir);
    const tampered = {
      async read(file: string): Promise<Uint8Array> {
        const bytes = await source.read(file);
        if (file === target.file) bytes[bytes.length - 1] = (bytes[bytes.length - 1] as number) ^ 1;
        return bytes;
      },
    };
    const error = await createModel(tampered, { tokenizer: idsTokenizer, engine: await nodeEngine() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShardIntegrityError);
    expect((error as ShardIntegrityError).file).toBe(target.file);
    expect((error as Error).message).toMatch(new RegExp(`shard ${target.file.replace(".", "\\.")}: sha256 mismatch`));
  });

  it("throws ShardIntegrityError on a size mismatch", async () => {
    const copy = join(tmp.dir, "copy");
    await convertQuietly(join(tmp.dir, "ck"), copy);
    writeFileSync(join(copy, "spiece.model"), new Uint8Array(10));
    await expect(createModel(fsShardSource(copy), { tokenizer: idsTokenizer, engine: await nodeEngine() })).rejects.toThrow(/shard spiece\.model: expected \d+ bytes, got 10/);
  });
});
