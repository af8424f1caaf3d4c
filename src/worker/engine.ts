/**
 * @module worker/engine
 * Our engine inside workerd: Workers forbid compiling WebAssembly from bytes, so wrangler hands
 * us the relaxed-SIMD kernels (built by `npm run build:engine`) as a compiled module. The
 * kernel path is chosen by the probe when a model loads.
 */
import relaxed from "../engine/wasm/engine-relaxed.wasm";
import { wasmEngine } from "../engine/index.ts";
import type { Engine } from "../model/index.ts";

export const workerEngine: Engine = wasmEngine({ relaxed });
