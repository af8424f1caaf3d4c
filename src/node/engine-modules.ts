/**
 * @module node/engine-modules
 * Compiles our engine's kernel modules from the built .wasm files (Node only; the Worker imports
 * them as modules instead). The relaxed-SIMD build is skipped where this Node cannot compile
 * it, leaving the plain SIMD128 build. Looks in `../engine/wasm/` from this module: src/engine/wasm
 * (`npm run build:engine`) for the sources, dist/engine/wasm for the bundled CLI in dist/cli/.
 */
import { readFile } from "node:fs/promises";
import type { KernelModules } from "../engine/index.ts";

const CANDIDATES = ["../engine/wasm/"];

async function compile(name: string): Promise<WebAssembly.Module | undefined> {
  for (const dir of CANDIDATES) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(new URL(`${dir}${name}`, import.meta.url));
    } catch {
      continue;
    }
    try {
      return await WebAssembly.compile(bytes);
    } catch {
      return undefined; // e.g. relaxed SIMD unsupported by this runtime
    }
  }
  return undefined;
}

let modules: Promise<KernelModules> | undefined;

/** The compiled kernel modules (compiled once per process). */
export function engineModules(): Promise<KernelModules> {
  modules ??= (async () => {
    const [relaxed, simd128] = await Promise.all([compile("engine-relaxed.wasm"), compile("engine-simd128.wasm")]);
    if (relaxed === undefined && simd128 === undefined) {
      throw new Error("engine kernels not found: run `npm run build:engine` (src/engine/wasm/*.wasm)");
    }
    return { ...(relaxed === undefined ? {} : { relaxed }), ...(simd128 === undefined ? {} : { simd128 }) };
  })();
  return modules;
}
