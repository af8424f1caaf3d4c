/**
 * @module node/load-model
 * Loads a shard directory in Node with the engine of your choice: ours (default; compiled
 * kernels from src/node/engine-modules.ts, optionally a forced kernel path) or onnxruntime-web
 * (`ort`, the independent reference; an optional peer dependency of the package, imported only
 * when asked for). Used by the CLI, tests and benchmarks.
 */
import { wasmEngine, type AttentionMode, type KernelPath } from "../engine/index.ts";
import { loadModel, type AlbertModel, type Engine, type ModelOptions } from "../model/index.ts";
import { engineModules } from "./engine-modules.ts";
import { fsShardSource } from "./fs-shard-source.ts";

export type EngineName = "wasm" | "ort";
export const ENGINE_NAMES: readonly EngineName[] = ["wasm", "ort"];

export interface NodeEngineOptions {
  engine?: EngineName;
  /** Our engine's kernel path (default: chosen by the probe). */
  kernel?: KernelPath;
  /** Our engine's attention arithmetic (default int8). */
  attention?: AttentionMode;
}

export async function nodeEngine(options: NodeEngineOptions = {}): Promise<Engine> {
  if (options.engine === "ort") {
    let ort: typeof import("../ort/engine.ts");
    try {
      ort = await import("../ort/engine.ts");
    } catch (error) {
      if (!isMissingPackage(error, "onnxruntime-web")) throw error;
      throw new Error("--engine ort needs onnxruntime-web, an optional peer dependency of albert-edge: npm install onnxruntime-web@^1.30.0");
    }
    return ort.ortEngine();
  }
  const { kernel, attention } = options;
  return wasmEngine(await engineModules(), { ...(kernel === undefined ? {} : { kernel }), ...(attention === undefined ? {} : { attention }) });
}

/** True when `error` is Node's "cannot find package `name`" (ESM or CommonJS resolution). */
function isMissingPackage(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") && error instanceof Error && error.message.includes(`'${name}`);
}

export async function loadModelDir(dir: string, options: ModelOptions & NodeEngineOptions = {}): Promise<AlbertModel> {
  const { engine, kernel, attention, ...rest } = options;
  const chosen: NodeEngineOptions = { ...(engine === undefined ? {} : { engine }), ...(kernel === undefined ? {} : { kernel }), ...(attention === undefined ? {} : { attention }) };
  return loadModel(fsShardSource(dir), { ...rest, engine: await nodeEngine(chosen) });
}
