/**
 * @module cli/manifest-setting
 * What `early-exit` and `thresholds` share: change one setting in the manifest of converted
 * shards without the checkpoint. `albert-edge <command> <shard-dir> [setting ...] [options]`:
 * options parsed with `node:util` parseArgs, the manifest read and validated, the model refused
 * when it cannot take the setting, and the new manifest written atomically with the content
 * version the converter would give it (cache keys change with it). The shards are never touched.
 * Exit 0 on success, 1 when the directory or model cannot take it, 2 on bad usage.
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { contentVersion } from "../convert/shards.ts";
import { parseManifest, type Manifest } from "../model/manifest.ts";

type Options = NonNullable<ParseArgsConfig["options"]>;
type Values = Record<string, string | boolean | undefined>;

export interface ManifestSetting<T> {
  name: string;
  usage: string;
  options: Options;
  /** The setting from the options and the arguments after <shard-dir>, or a usage error (`{ usage }`). */
  parse(values: Values, args: string[]): { value: T } | { usage: string };
  /** Why this model cannot take the setting, or undefined. */
  refuse(manifest: Manifest): string | undefined;
  /** The manifest with the setting (version still the old one) and a few words saying what it is. */
  apply(manifest: Manifest, value: T): { next: Manifest; what: string };
}

export async function runManifestSetting<T>(argv: string[], command: ManifestSetting<T>): Promise<number> {
  const usageError = (message: string): number => (process.stderr.write(`${message}\n${command.usage}`), 2);
  const fail = (message: string): number => (process.stderr.write(`albert-edge ${command.name}: ${message}\n`), 1);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: { ...command.options, help: { type: "boolean", short: "h" } }, allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    });
  } catch (e) {
    return usageError(e instanceof Error ? e.message : String(e));
  }
  if (values.help === true) {
    process.stdout.write(command.usage);
    return 0;
  }
  const [dir, ...args] = positionals;
  if (dir === undefined) return usageError("a <shard-dir> is required");
  const parsed = command.parse(values, args);
  if ("usage" in parsed) return usageError(parsed.usage);

  const path = join(dir, "manifest.json");
  let manifest: Manifest;
  try {
    manifest = parseManifest(JSON.parse(await readFile(path, "utf8")));
  } catch (e) {
    return fail(`${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const refusal = command.refuse(manifest);
  if (refusal !== undefined) return fail(refusal);
  const { next, what } = command.apply(manifest, parsed.value);
  next.version = contentVersion(next);
  try {
    parseManifest(structuredClone(next));
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  await writeFile(`${path}.tmp`, `${JSON.stringify(next, null, 2)}\n`);
  await rename(`${path}.tmp`, path);
  process.stderr.write(`${manifest.id}: ${what}; version ${manifest.version} -> ${next.version}\n`);
  return 0;
}
