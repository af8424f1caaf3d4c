/**
 * @module cli/key
 * `albert-edge key [--id <key id>] [--json]`: makes a new random API key (32 random bytes,
 * base64url, prefixed `ae_`) and prints it with the line that goes into the `API_KEYS` secret:
 *
 * ```
 * ae_Qm9...             <- give this to the client; it is stored nowhere
 * "acme": "5f1c...e2"    <- add this entry to API_KEYS (the key's sha256, hex)
 * ```
 *
 * With `--json`: one line `{"id", "key", "sha256"}`. Usage errors exit 2.
 */
import { createHash, randomBytes } from "node:crypto";
import type { Writable } from "node:stream";
import { parseArgs } from "node:util";
import { KEY_ID } from "../api-keys.ts";

const usage = "usage: albert-edge key [--id <key id>] [--json]\n";

export interface KeyIo {
  stdout: Writable;
  stderr: Writable;
}

export interface NewKey {
  id: string;
  key: string;
  sha256: string;
}

export function newKey(id: string): NewKey {
  const key = `ae_${randomBytes(32).toString("base64url")}`;
  return { id, key, sha256: createHash("sha256").update(key, "utf8").digest("hex") };
}

function defaultId(now = new Date()): string {
  return `key-${now.toISOString().slice(0, 10).replaceAll("-", "")}`;
}

export async function run(argv: string[], io: KeyIo = process): Promise<number> {
  let values: { id?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { id: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(usage);
    return 0;
  }
  const id = values.id ?? defaultId();
  if (!KEY_ID.test(id)) {
    io.stderr.write(`--id must be 1-64 of A-Z a-z 0-9 . _ : -\n${usage}`);
    return 2;
  }
  const made = newKey(id);
  if (values.json) io.stdout.write(`${JSON.stringify(made)}\n`);
  else io.stdout.write(`${made.key}\n${JSON.stringify(made.id)}: ${JSON.stringify(made.sha256)}\n`);
  return 0;
}
