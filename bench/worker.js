/**
 * bench/worker.js — the Worker used by `npm run bench` (bench/wrangler.bench.toml): the real app
 * (src/app.ts, unchanged) plus two benchmark-only probes:
 *
 * - `GET /__bench/memory`: the size of onnxruntime-web's WASM linear memory in this isolate. The
 *   probe wraps WebAssembly.instantiate before ORT starts (ORT's own workerd shim,
 *   src/worker/ort-wasm.ts, calls through it) and remembers the memory the ORT instance imports
 *   or exports (every memory seen is summed; ORT's is the only one). The same figure is exposed
 *   as `globalThis.__benchWasmMemoryBytes()` for the V8-inspector sampler of
 *   bench/lib/inspector.ts, which reads it with Runtime.evaluate between requests.
 * - `POST /__bench/loop {"model", "text", "n"}`: classifies `text` n times in a row inside one
 *   request with a separately loaded copy of the model (same runtime code and shards as the app).
 *   Timing n = 1 against n = 21 from the client gives the per-inference cost inside workerd without
 *   HTTP or app overhead (performance.now() does not advance inside workerd during CPU work).
 *
 * Plain JS on purpose: it is bundled by wrangler for workerd and stays out of the Node type-check.
 */
import { createApp } from "../src/app.ts";

const app = createApp();
const memories = [];
const models = new Map();
// Every WASM memory the isolate instantiated, summed (ORT's is the only one in practice).
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

async function benchModel(env, id) {
  let pending = models.get(id);
  if (pending === undefined) {
    pending = (async () => {
      const [{ loadModel }, { configureOrtForWorkers }, { assetsSource }, ort] = await Promise.all([
        import("../src/model/index.ts"),
        import("../src/worker/ort-wasm.ts"),
        import("../src/worker/assets-source.ts"),
        import("onnxruntime-web/wasm"),
      ]);
      configureOrtForWorkers(ort);
      return loadModel(assetsSource(env.ASSETS, id));
    })();
    models.set(id, pending);
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
      const { model = "sentiment", text = "hello", n = 1 } = await request.json();
      const m = await benchModel(env, model);
      let label = "";
      for (let i = 0; i < Math.min(1000, Math.max(1, n)); i++) label = (await m.classify([text]))[0].label;
      return Response.json({ n, label });
    }
    return app.fetch(request, env, ctx);
  },
};
