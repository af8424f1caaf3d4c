/**
 * @module node/load-model
 * Loads a shard directory in Node with the engine of your choice: ours (default; compiled
 * kernels from src/node/engine-modules.ts, optionally a forced kernel path) or onnxruntime-web
 * (`ort`, the independent reference). Used by the CLI, tests and benchmarks.
 */
import { wasmEngine, type KernelPath } from "../engine/index.ts";
import { loadModel, type AlbertModel, type Engine, type ModelOptions } from "../model/index.ts";
import { engineModules } from "./engine-modules.ts";
import { fsShardSource } from "./fs-shard-source.ts";

export type EngineName = "wasm" | "ort";
export const ENGINE_NAMES: readonly EngineName[] = ["wasm", "ort"];

export interface NodeEngineOptions {
  engine?: EngineName;
  /** Our engine's kernel path (default: chosen by the probe). */
  kernel?: KernelPath;
}

export async function nodeEngine(options: NodeEngineOptions = {}): Promise<Engine> {
  if (options.engine === "ort") {
    const { ortEngine } = await import("../ort/engine.ts");
    return ortEngine();
  }
  return wasmEngine(await engineModules(), options.kernel === undefined ? {} : { kernel: options.kernel });
}

export async function loadModelDir(dir: string, options: ModelOptions & NodeEngineOptions = {}): Promise<AlbertModel> {
  const { engine, kernel, ...rest } = options;
  return loadModel(fsShardSource(dir), { ...rest, engine: await nodeEngine({ ...(engine === undefined ? {} : { engine }), ...(kernel === undefined ? {} : { kernel }) }) });
}
