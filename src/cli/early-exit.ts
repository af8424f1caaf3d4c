/**
 * @module cli/early-exit
 * `albert-edge early-exit <shard-dir> --patience N | --off`
 * Sets (or removes) the manifest's adaptive-depth setting on converted shards, without the
 * checkpoint: `early_exit.patience` for a sequence classifier, and the content version that
 * depends on it (cache keys change with it). Measure first: `albert-edge classify --patience N`
 * gives each setting's answers and `layers`. The shards themselves are not touched.
 * Exit 0 on success, 1 when the directory or model cannot take it, 2 on bad usage.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { contentVersion } from "../convert/shards.ts";
import { isSequenceClassification, parseManifest, type Manifest } from "../model/manifest.ts";

const usage = "usage: albert-edge early-exit <shard-dir> --patience N | --off\n";

export async function run(argv: string[]): Promise<number> {
  let values: { patience?: string; off?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { patience: { type: "string" }, off: { type: "boolean" }, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }));
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n${usage}`);
    return 2;
  }
  if (values.help === true) {
    process.stdout.write(usage);
    return 0;
  }
  const usageError = (message: string): number => (process.stderr.write(`${message}\n${usage}`), 2);
  if (positionals.length !== 1) return usageError("one <shard-dir> is required");
  if ((values.patience === undefined) === (values.off !== true)) return usageError("give either --patience N or --off");
  const patience = values.patience === undefined ? undefined : Number(values.patience);
  if (patience !== undefined && (!Number.isInteger(patience) || patience < 1)) return usageError(`--patience must be an integer >= 1 (got ${JSON.stringify(values.patience)})`);

  const path = join(positionals[0]!, "manifest.json");
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(await readFile(path, "utf8")));
  } catch (e) {
    process.stderr.write(`albert-edge early-exit: ${path}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (!isSequenceClassification(manifest.task)) {
    process.stderr.write(`albert-edge early-exit: model ${manifest.id} is a ${manifest.task} model; early exit needs a sequence classifier head\n`);
    return 1;
  }
  // The key order a converted manifest has: early_exit after graph, shards last.
  const { early_exit: _previous, shards, ...rest } = manifest;
  const next: Manifest = { ...rest, ...(patience === undefined ? {} : { early_exit: { patience } }), shards };
  next.version = contentVersion(next);
  parseManifest(structuredClone(next));
  await writeFile(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  process.stderr.write(`${manifest.id}: early exit ${patience === undefined ? "off" : `at patience ${patience}`}; version ${manifest.version} -> ${next.version}\n`);
  return 0;
}
