/**
 * @module ort/ort
 * The only file that imports onnxruntime-web (WASM backend, single thread). Sessions are
 * created lazily from bytes, so the Worker can configure `ort.env.wasm` before the first one.
 *
 * The runtime talks to ORT through an `OrtBackend` (session factory + Tensor class + base
 * session options). The default is onnxruntime-web; benchmarks pass onnxruntime-node (native,
 * same onnxruntime-common API) to run the very same shards and encoder loop natively.
 */
import * as ort from "onnxruntime-web/wasm";
import { releaseBuffer } from "../model/release.ts";

ort.env.wasm.numThreads = 1;

export { ort };
export type Session = ort.InferenceSession;
export type OrtTensor = ort.Tensor;

/** What the runtime needs from an onnxruntime package (web and node share this API). */
export interface OrtBackend {
  readonly name: string;
  readonly InferenceSession: { create(bytes: Uint8Array, options?: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> };
  readonly Tensor: typeof ort.Tensor;
  /** Merged under every session's options (e.g. execution providers, thread counts). */
  readonly sessionOptions: ort.InferenceSession.SessionOptions;
}

/** onnxruntime-web, WASM execution provider (the Worker's backend and the default in Node). */
export const webBackend: OrtBackend = {
  name: "onnxruntime-web",
  InferenceSession: ort.InferenceSession,
  Tensor: ort.Tensor,
  sessionOptions: { executionProviders: ["wasm"] },
};

export interface SessionOptions {
  /**
   * Constant-fold DequantizeLinear on int8 initializers at load (ORT session config
   * `session.disable_quant_qdq`): weights travel as int8 but are held and multiplied as fp32,
   * about 2x faster than dequantizing on every run, at fp32 memory for the weights. Use only for
   * weight-only ("dequantize") graphs; it would also disable the fusions the "dynamic" ones need.
   */
  foldQuantizedWeights?: boolean;
  /** ORT backend; default onnxruntime-web. */
  backend?: OrtBackend;
  /** Extra ORT session options (merged last; benchmarks use this for profiling). */
  extra?: ort.InferenceSession.SessionOptions;
}

export function createSession(bytes: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  const backend = options.backend ?? webBackend;
  return backend.InferenceSession.create(bytes, {
    graphOptimizationLevel: "all",
    ...backend.sessionOptions,
    ...(options.foldQuantizedWeights === true ? { extra: { session: { disable_quant_qdq: "1" } } } : {}),
    ...options.extra,
  });
}

export function int64Tensor(data: BigInt64Array, dims: number[], backend: OrtBackend = webBackend): ort.Tensor {
  return new backend.Tensor("int64", data, dims);
}

export function int32Tensor(data: Int32Array, dims: number[], backend: OrtBackend = webBackend): ort.Tensor {
  return new backend.Tensor("int32", data, dims);
}

export function float32Tensor(data: Float32Array, dims: number[], backend: OrtBackend = webBackend): ort.Tensor {
  return new backend.Tensor("float32", data, dims);
}

/**
 * Disposes a tensor that ORT returned and frees its data now rather than at the next garbage
 * collection. onnxruntime-web copies every output into a fresh typed array; between block passes
 * those are pure garbage (seq × hidden × 4 bytes each), and V8 only collects external memory after
 * ~64 MiB of it has piled up, which set the isolate's peak memory on long inputs. Detaching the
 * buffer (`transfer(0)`) releases it immediately (measured: peak 89 MiB → 0.1 MiB of live
 * ArrayBuffers over 2,000 512-KiB arrays in Node 24). Only call it on a tensor nobody else reads,
 * whose data owns its whole buffer; anything else is just disposed.
 */
export function releaseTensor(tensor: ort.Tensor): void {
  const data: unknown = tensor.location === "cpu" ? tensor.data : undefined;
  tensor.dispose();
  if (ArrayBuffer.isView(data)) releaseBuffer(data);
}
