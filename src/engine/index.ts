/**
 * @module engine
 * Our inference engine: `wasmEngine(modules)` implements the model layer's `Engine` on the WASM
 * SIMD kernels. The compiled kernel modules are injected (the Worker imports the .wasm as a
 * compiled module; Node compiles the file, see src/node/engine-modules.ts).
 */
import type { Engine, EngineRunner } from "../model/engine.ts";
import { AlbertEngine, type AttentionMode } from "./albert.ts";
import { instantiateKernels, type KernelModules, type KernelPath } from "./kernels.ts";
import { readBlock, readEmbeddings, readHead, type Precision } from "./weights.ts";

export { AlbertEngine, type AttentionMode, type ForwardResult, type Sequence } from "./albert.ts";
export { instantiateKernels, kernelInstances, probeKind, KERNEL_PATHS, type KernelModules, type KernelPath, type Kernels } from "./kernels.ts";
export { ShardFormatError } from "./onnx-tensors.ts";
export type { Precision } from "./weights.ts";

export interface WasmEngineOptions {
  /** Force a kernel path (tests, benchmarks); default: chosen by the probe. */
  kernel?: KernelPath;
  /** Attention products in int8 on the GEMM kernel (default; fp32 with fp32 precision) or in fp32 SIMD. */
  attention?: AttentionMode;
  /**
   * Linear and embedding arithmetic: int8 kernels, or fp32 (full precision, slower). Default:
   * what the shards hold — fp32 for fp32 shards (`--fp32`), int8 otherwise.
   */
  precision?: Precision;
}

export function wasmEngine(modules: KernelModules, options: WasmEngineOptions = {}): Engine {
  return {
    name: "wasm",
    async load(manifest, shards): Promise<EngineRunner> {
      const c = manifest.config;
      const file = (role: string, group?: number): string => manifest.shards.find((s) => s.role === role && (group === undefined || s.group === group))?.file ?? role;
      const precision: Precision = options.precision ?? (manifest.quantization === "fp32" ? "fp32" : "int8");
      const sources = {
        embeddings: readEmbeddings(shards.embeddings, c, file("embeddings"), precision),
        groups: shards.blocks.map((b, g) => readBlock(b, c, g, file("block", g), precision)),
        head: readHead(shards.head, c, manifest, file("head"), precision),
      };
      const kernels = await instantiateKernels(modules, options.kernel);
      const engine = new AlbertEngine(manifest, kernels, sources, options.attention === undefined ? {} : { attention: options.attention });
      return {
        description: `wasm-simd/${kernels.path}${engine.precision === "fp32" ? "+fp32" : engine.attention === "fp32" ? "+fp32-attention" : ""}`,
        forward: (ids, typeIds, forwardOptions) => engine.forward(ids, typeIds, forwardOptions),
        forwardMany: (seqs, forwardOptions) => engine.forwardMany(seqs, forwardOptions),
        dispose() {},
      };
    },
  };
}
