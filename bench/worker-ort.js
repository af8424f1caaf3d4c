/**
 * bench/worker-ort.js — the benchmark-only Worker build that also carries onnxruntime-web
 * (bench/wrangler.bench-ort.toml), so that `npm run bench` can run the ORT-web engine inside
 * workerd through the very same app, routes and probes as ours (bench/worker.js). The product
 * Worker never imports ORT.
 *
 * Models whose manifest id ends in `-ort` (bench/run.ts stages `sentiment-ort`, `base-ort`: the
 * same shards, only the manifest's id renamed) are loaded by the ORT engine (src/ort/engine.ts,
 * made to start in workerd by src/worker/ort-wasm.ts); every other model by ours. The switch
 * wraps the `load` of the app's engine object (src/worker/engine.ts's `workerEngine`), which the
 * model registry reads when a model loads — a bench-only seam, no change to src/.
 */
import { workerEngine } from "../src/worker/engine.ts";
import worker from "./worker.js";

const ours = workerEngine.load.bind(workerEngine);
let ort;

/** The ORT engine, set up once per isolate (a failed set-up is forgotten, so the next load retries). */
function ortEngineForWorkers() {
  if (ort === undefined) {
    ort = (async () => {
      const [{ ortEngine }, { configureOrtForWorkers }, ortWeb] = await Promise.all([import("../src/ort/engine.ts"), import("../src/worker/ort-wasm.ts"), import("onnxruntime-web/wasm")]);
      configureOrtForWorkers(ortWeb);
      return ortEngine();
    })();
    ort.catch(() => (ort = undefined));
  }
  return ort;
}

workerEngine.load = async (manifest, shards) => (manifest.id.endsWith("-ort") ? (await ortEngineForWorkers()).load(manifest, shards) : ours(manifest, shards));

export default worker;
