/**
 * @module test/unit/cli/key
 * `albert-edge key`: a fresh random key each time, printed with the `API_KEYS` entry that holds
 * its sha256; the entry parses as the Worker parses `API_KEYS`; bad ids are usage errors.
 */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseApiKeys } from "../../../src/api-keys.ts";
import { run } from "../../../src/cli/key.ts";
import { runCaptured, type CliResult } from "../../support/cli-run.ts";

function key(argv: string[]): Promise<CliResult> {
  return runCaptured(run, argv);
}

const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");

describe("albert-edge key", () => {
  it("prints a new key and the API_KEYS entry holding its sha256", async () => {
    const r = await key(["--id", "acme"]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const [token, entry, ...rest] = r.stdout.split("\n");
    expect(rest).toEqual([""]);
    expect(token).toMatch(/^ae_[A-Za-z0-9_-]{43}$/);
    const parsed = JSON.parse(`{${entry}}`) as Record<string, string>;
    expect(parsed).toEqual({ acme: sha256(token!) });
    const [configured] = parseApiKeys(JSON.stringify(parsed));
    expect(configured!.id).toBe("acme");
    expect(Buffer.from(configured!.sha256).toString("hex")).toBe(sha256(token!));
    expect(entry).not.toContain(token!.slice(3));
  });

  it("makes a different key every time; --json gives one object", async () => {
    const a = JSON.parse((await key(["--json"])).stdout) as { id: string; key: string; sha256: string };
    const b = JSON.parse((await key(["--json"])).stdout) as { id: string; key: string; sha256: string };
    expect(a.key).not.toBe(b.key);
    expect(a.id).toMatch(/^key-\d{8}$/);
    expect(a.sha256).toBe(sha256(a.key));
  });

  it("refuses a bad id or an unknown option with exit code 2", async () => {
    expect((await key(["--id", "has space"])).code).toBe(2);
    expect((await key(["--id", ""])).code).toBe(2);
    expect((await key(["--nope"])).code).toBe(2);
  });
});
