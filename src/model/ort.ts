/**
 * @module model/ort
 * The only file that imports onnxruntime-web (WASM backend, single thread). Sessions are
 * created lazily from bytes, so the Worker can configure `ort.env.wasm` before the first one.
 *
 * The runtime talks to ORT through an `OrtBackend` (session factory + Tensor class + base
 * session options). The default is onnxruntime-web; benchmarks pass onnxruntime-node (native,
 * same onnxruntime-common API) to run the very same shards and encoder loop natively.
 */
import * as ort from "onnxruntime-web/wasm";

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
