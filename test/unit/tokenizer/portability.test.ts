/**
 * @module test/unit/tokenizer/portability
 * src/tokenizer must run unchanged in workerd: no Node modules or globals, only relative
 * imports inside the folder. (The worker tests run goldens in workerd itself.)
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers.ts";

const dir = join(repoRoot, "src/tokenizer");
const files = readdirSync(dir).filter((f) => f.endsWith(".ts"));

/** Source without comments, so prose mentioning e.g. "Buffer" does not count. */
function code(file: string): string {
  return readFileSync(join(dir, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:])\/\/.*$/gm, "$1");
}

describe("src/tokenizer portability", () => {
  it("has source files", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(files)("%s uses no Node APIs", (file) => {
    const src = code(file);
    expect(src).not.toMatch(/from\s+["']node:/);
    expect(src).not.toMatch(/\brequire\s*\(/);
    expect(src).not.toMatch(/\b(process|Buffer|__dirname|__filename|setImmediate)\b/);
    for (const m of src.matchAll(/from\s+["']([^"']+)["']/g)) expect(m[1]).toMatch(/^\.\/[\w-]+\.ts$/);
  });

  it.each(files)("%s starts with a @module comment", (file) => {
    expect(readFileSync(join(dir, file), "utf8")).toMatch(/^\/\*\*\n \* @module /);
  });
});
