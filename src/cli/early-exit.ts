/**
 * @module cli/early-exit
 * `albert-edge early-exit <shard-dir> --patience N | --off`
 * Sets (or removes) the manifest's adaptive-depth setting on converted shards, without the
 * checkpoint: `early_exit.patience` for a sequence classifier, and the content version that
 * depends on it (cache keys change with it). Measure first: `albert-edge classify --patience N`
 * gives each setting's answers and `layers`. The shards themselves are not touched.
 * Exit 0 on success, 1 when the directory or model cannot take it, 2 on bad usage.
 */
import { parseArgs } from "node:util";
import { isSequenceClassification, type Manifest } from "../model/manifest.ts";
import { readManifestFile, writeManifestFile } from "./manifest-file.ts";

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

  const dir = positionals[0]!;
  let manifest: Manifest;
  try {
    manifest = await readManifestFile(dir);
  } catch (e) {
    process.stderr.write(`albert-edge early-exit: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  if (!isSequenceClassification(manifest.task)) {
    process.stderr.write(`albert-edge early-exit: model ${manifest.id} is a ${manifest.task} model; early exit needs a sequence classifier head\n`);
    return 1;
  }
  // The key order a converted manifest has: early_exit after graph, shards last.
  const { early_exit: _previous, shards, ...rest } = manifest;
  const version = await writeManifestFile(dir, { ...rest, ...(patience === undefined ? {} : { early_exit: { patience } }), shards });
  process.stderr.write(`${manifest.id}: early exit ${patience === undefined ? "off" : `at patience ${patience}`}; version ${manifest.version} -> ${version}\n`);
  return 0;
}
