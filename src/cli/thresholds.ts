/**
 * @module cli/thresholds
 * `albert-edge thresholds <shard-dir> <label=T,...> | --off`
 * Sets (or removes) a multi-label model's per-label decision thresholds in its manifest, without
 * the checkpoint: moderation flags and the early-exit rule read them (a label is on when its
 * score is ≥ its threshold; labels not given: 0.5). Choose them on held-out data, never on the
 * set you report (training/eval_shards.py --tune-thresholds does it on the selection split).
 * Exit 0 on success, 1 when the directory or model cannot take it, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import type { Manifest } from "../model/manifest.ts";
import { parseLabelThresholds } from "./label-thresholds.ts";
import { readManifestFile, writeManifestFile } from "./manifest-file.ts";

const usage = "usage: albert-edge thresholds <shard-dir> <label=T,...> | --off   (0 <= T <= 1)\n";

export async function run(argv: string[]): Promise<number> {
  let values: { off?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { off: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const usageError = (message: string): number => (process.stderr.write(`${message}\n${usage}`), 2);
  const [dir, spec, ...extra] = positionals;
  if (dir === undefined || extra.length > 0) return usageError("one <shard-dir> and at most one threshold list are required");
  if ((spec === undefined) === (values.off !== true)) return usageError("give either <label=T,...> or --off");
  let thresholds: Record<string, number> | undefined;
  try {
    thresholds = spec === undefined ? undefined : parseLabelThresholds(spec);
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }

  let manifest: Manifest;
  try {
    manifest = await readManifestFile(dir);
  } catch (e) {
    process.stderr.write(`albert-edge thresholds: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (manifest.task !== "multi_label_classification") {
    process.stderr.write(`albert-edge thresholds: model ${manifest.id} is a ${manifest.task} model; thresholds are for multi-label classifiers\n`);
    return 1;
  }
  const { thresholds: _previous, shards, ...rest } = manifest;
  let version: string;
  try {
    version = await writeManifestFile(dir, { ...rest, ...(thresholds === undefined ? {} : { thresholds }), shards });
  } catch (e) {
    process.stderr.write(`albert-edge thresholds: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const what = thresholds === undefined ? "thresholds removed (0.5)" : `thresholds ${Object.entries(thresholds).map(([l, t]) => `${l}=${t}`).join(", ")}`;
  process.stderr.write(`${manifest.id}: ${what}; version ${manifest.version} -> ${version}\n`);
  return 0;
}
