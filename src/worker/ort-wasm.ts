/**
 * @module worker/ort-wasm
 * Makes onnxruntime-web's WASM backend start inside workerd — for the benchmark's Worker build
 * only (bench/worker.js), which compares our engine with ORT. The product Worker never imports it.
 *
 * Workers forbid compiling WebAssembly from bytes at run time, and ORT cannot locate its .wasm file
 * by URL there. Wrangler hands us the ORT binary as an already compiled `WebAssembly.Module`
 * (module import below), so we (1) give ORT a placeholder `wasmBinary` so it skips URL discovery and
 * (2) answer emscripten's one `WebAssembly.instantiate(bytes, imports)` call with an instance of the
 * precompiled module. Everything else in ORT runs untouched.
 */
import ortWasmModule from "onnxruntime-web/ort-wasm-simd-threaded.wasm";
import type * as OrtNamespace from "onnxruntime-web/wasm";

type Ort = typeof OrtNamespace;

/** Placeholder bytes given to ORT as `wasmBinary`; recognised by identity in the shim below. */
const placeholder = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

let installed = false;

/** Configures `ort.env.wasm` for workerd. Idempotent; call before the first session is created. */
export function configureOrtForWorkers(ort: Ort): void {
  if (installed) return;
  installed = true;
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  ort.env.wasm.wasmBinary = placeholder;

  const original = WebAssembly.instantiate.bind(WebAssembly) as (
    source: BufferSource | WebAssembly.Module,
    imports?: WebAssembly.Imports,
  ) => Promise<unknown>;
  const shim = async (source: BufferSource | WebAssembly.Module, imports?: WebAssembly.Imports): Promise<unknown> => {
    if (isPlaceholder(source)) {
      const instance = (await original(ortWasmModule, imports)) as WebAssembly.Instance;
      return { instance, module: ortWasmModule };
    }
    return original(source, imports);
  };
  (WebAssembly as { instantiate: unknown }).instantiate = shim;
}

function isPlaceholder(source: unknown): boolean {
  if (source === placeholder || source === placeholder.buffer) return true;
  // emscripten may copy the binary into a fresh Uint8Array; compare the (tiny) contents.
  if (source instanceof Uint8Array && source.byteLength === placeholder.byteLength) {
    return source.every((byte, i) => byte === placeholder[i]);
  }
  return false;
}
