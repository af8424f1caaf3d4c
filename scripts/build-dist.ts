/**
 * @module scripts/build-dist
 * `npm run build:dist`: the package's Worker-side exports as JavaScript + declarations in dist/
 * (tsconfig.build.json), ready for a consumer's bundler and `tsc` without our compiler options:
 *
 * - `tsc` emits JS with relative `.ts` import paths rewritten to `.js`
 *   (`rewriteRelativeImportExtensions`); it leaves them as `.ts` in the declarations, which a
 *   consumer's `tsc` refuses (TS5097) without `allowImportingTsExtensions`, so they are rewritten here.
 * - The engine's kernels are copied to dist/engine/wasm/, where the emitted dist/worker/engine.js
 *   imports them from (wrangler bundles `.wasm` imports as compiled modules), and where the bundled
 *   CLI (dist/cli/) finds them. No declaration mentions a `.wasm` file.
 *
 * Offline and quick: one `tsc` run and file copies. dist/ is cleared first (the CLI
 * bundle is built into it by the next step), so no stale module or chunk is shipped.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const dist = join(root, "dist");

/** Relative specifiers ending in `.ts` inside `from "…"`, `import("…")` and `/// <reference path>`. */
const TS_SPECIFIER = /((?:from|import)\s*\(?\s*["'])(\.{1,2}\/[^"']*?)\.ts(["'])/g;

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

mkdirSync(dist, { recursive: true });
for (const entry of readdirSync(dist)) {
  rmSync(join(dist, entry), { recursive: true, force: true });
}

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
const compiled = spawnSync(process.execPath, [tsc, "-p", join(root, "tsconfig.build.json")], { stdio: "inherit" });
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

let rewritten = 0;
for (const file of filesUnder(dist).filter((f) => f.endsWith(".d.ts"))) {
  const text = readFileSync(file, "utf8");
  const fixed = text.replace(TS_SPECIFIER, (_, head: string, path: string, quote: string) => `${head}${path}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(file, fixed);
    rewritten++;
  }
}

const wasmDir = join(dist, "engine", "wasm");
mkdirSync(wasmDir, { recursive: true });
for (const name of ["engine-relaxed.wasm", "engine-simd128.wasm"]) {
  copyFileSync(join(root, "src", "engine", "wasm", name), join(wasmDir, name));
}
console.log(`dist/: ${filesUnder(dist).length} files (${rewritten} declarations with .ts import paths rewritten)`);
