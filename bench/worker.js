/**
 * bench/worker.js — the Worker used by `npm run bench` for our engine (bench/wrangler.bench.toml):
 * the real app (src/app.ts, unchanged, our engine as in the product) plus read-only probes:
 *
 * - `GET /__bench/memory`: the WASM linear memory of this isolate. The probe wraps
 *   WebAssembly.instantiate before any engine starts and remembers every memory an instance
 *   exports or imports: our engine's kernel memory (one per loaded model, exported by the kernels
 *   module that src/engine/kernels.ts instantiates) or onnxruntime-web's (bench/worker-ort.js;
 *   ORT's workerd shim, src/worker/ort-wasm.ts, calls through the wrapper). All are summed. The
 *   same figure is `globalThis.__benchWasmMemoryBytes()` for the V8-inspector sampler of
 *   bench/lib/inspector.ts, which reads it with Runtime.evaluate between requests.
 * - `POST /__bench/loop {"model", "text", "n", "kernel"?}`: classifies `text` n times in a row
 *   inside one request with a separately loaded copy of the model (same engine and shards as the
 *   app; `kernel` forces one of our kernel paths: vnni, relaxed, simd128). Timing n = 1 against
 *   n = 21 from the client gives the per-inference cost inside workerd without HTTP or app
 *   overhead (performance.now() does not advance inside workerd during CPU work). Answers the
 *   engine description (e.g. "wasm-simd/vnni": the path the probe chose in workerd).
 *
 * Everything model-related is imported lazily, as the app does, so start-up and cold-start
 * figures are the product's. Plain JS on purpose: it is bundled by wrangler for workerd and stays
 * out of the Node type-check.
 */
import { createApp } from "../src/app.ts";
// Compiled modules (wrangler compiles .wasm imports), as src/worker/engine.ts imports the first.
import relaxed from "../src/engine/wasm/engine-relaxed.wasm";
import simd128 from "../src/engine/wasm/engine-simd128.wasm";

const app = createApp();
const memories = [];
const models = new Map();
// Every WASM memory the isolate instantiated, summed.
const wasmMemoryBytes = () => [...new Set(memories)].reduce((sum, m) => sum + m.buffer.byteLength, 0);
globalThis.__benchWasmMemoryBytes = wasmMemoryBytes;

const original = WebAssembly.instantiate.bind(WebAssembly);
WebAssembly.instantiate = async (source, imports) => {
  const result = await original(source, imports);
  const instance = result instanceof WebAssembly.Instance ? result : result.instance;
  for (const value of Object.values(instance?.exports ?? {})) if (value instanceof WebAssembly.Memory) memories.push(value);
  for (const group of Object.values(imports ?? {})) {
    for (const value of Object.values(group ?? {})) if (value instanceof WebAssembly.Memory) memories.push(value);
  }
  return result;
};

const KERNELS = ["vnni", "relaxed", "simd128"];

/** The engine for /__bench/loop: the app's own (default), or ours with a forced kernel path. */
async function engineFor(kernel) {
  const { workerEngine } = await import("../src/worker/engine.ts");
  if (kernel === undefined) return workerEngine;
  if (!KERNELS.includes(kernel)) throw new Error(`unknown kernel path ${kernel}`);
  const { wasmEngine } = await import("../src/engine/index.ts");
  return wasmEngine({ relaxed, simd128 }, { kernel });
}

function benchModel(env, id, kernel) {
  const key = `${id}/${kernel ?? "default"}`;
  let pending = models.get(key);
  if (pending === undefined) {
    pending = (async () => {
      const [{ loadModel }, { assetsSource }, engine] = await Promise.all([import("../src/model/index.ts"), import("../src/worker/assets-source.ts"), engineFor(kernel)]);
      return loadModel(assetsSource(env.ASSETS, id), { engine });
    })();
    // A failed load is forgotten (and this request's promise always settles before it ends).
    pending.catch(() => models.delete(key));
    models.set(key, pending);
  }
  return pending;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__bench/memory") {
      return Response.json({ wasm_memory_bytes: wasmMemoryBytes(), memories: new Set(memories).size });
    }
    if (url.pathname === "/__bench/loop" && request.method === "POST") {
      const { model = "sentiment", text = "hello", n = 1, kernel } = await request.json();
      try {
        const m = await benchModel(env, model, kernel);
        let label = "";
        for (let i = 0; i < Math.min(1000, Math.max(1, n)); i++) label = (await m.classify([text]))[0].label;
        return Response.json({ n, label, engine: m.engine });
      } catch (error) {
        return Response.json({ error: { code: "bench_loop_failed", message: String(error?.message ?? error) } }, { status: 500 });
      }
    }
    return app.fetch(request, env, ctx);
  },
};
