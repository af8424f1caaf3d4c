/**
 * @module ort/engine
 * onnxruntime as an `Engine` (Node; and a bench-only Worker build): one session per shard, the
 * layer loop in ort/encoder.ts. The independent second engine behind `--engine ort`, the parity
 * tests and the benchmark baseline. `backend` picks onnxruntime-web (default) or -node.
 */
import type { Engine, EngineRunner } from "../model/engine.ts";
import { forwardOne, type EncoderSessions } from "./encoder.ts";
import { createSession, webBackend, type OrtBackend } from "./ort.ts";

export interface OrtEngineOptions {
  backend?: OrtBackend;
  /**
   * For weight-only int8 models (manifest int8_matmul "dequantize"): dequantize the weights once
   * at load instead of on every run — about 2x faster, fp32 memory for weights. Default true.
   */
  foldInt8Weights?: boolean;
}

export function ortEngine(options: OrtEngineOptions = {}): Engine {
  const backend = options.backend ?? webBackend;
  return {
    name: "ort",
    async load(manifest, shards): Promise<EngineRunner> {
      const sessionOptions = { foldQuantizedWeights: manifest.int8_matmul === "dequantize" && options.foldInt8Weights !== false, backend };
      // Sequential session creation keeps peak memory to one graph's optimization at a time.
      const sessions: EncoderSessions = {
        embeddings: await createSession(shards.embeddings, sessionOptions),
        blocks: [],
        head: await createSession(shards.head, sessionOptions),
        backend,
      };
      for (const b of shards.blocks) sessions.blocks.push(await createSession(b, sessionOptions));
      return {
        description: backend.name,
        forward: (ids, typeIds, forwardOptions) => forwardOne(manifest, sessions, ids, typeIds, forwardOptions),
        async dispose() {
          await Promise.all([sessions.embeddings, sessions.head, ...sessions.blocks].map((s) => s.release()));
        },
      };
    },
  };
}
