/**
 * @module model/ort
 * The only file that imports onnxruntime-web (WASM backend, single thread). Sessions are
 * created lazily from bytes, so the Worker can configure `ort.env.wasm` before the first one.
 */
import * as ort from "onnxruntime-web/wasm";

ort.env.wasm.numThreads = 1;

export { ort };
export type Session = ort.InferenceSession;
export type OrtTensor = ort.Tensor;

export interface SessionOptions {
  /**
   * Constant-fold DequantizeLinear on int8 initializers at load (ORT session config
   * `session.disable_quant_qdq`): weights travel as int8 but are held and multiplied as fp32,
   * about 2x faster than dequantizing on every run, at fp32 memory for the weights. Use only for
   * weight-only ("dequantize") graphs; it would also disable the fusions the "dynamic" ones need.
   */
  foldQuantizedWeights?: boolean;
}

export function createSession(bytes: Uint8Array, options: SessionOptions = {}): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(bytes, {
    executionProviders: ["wasm"],
    graphOptimizationLevel: "all",
    ...(options.foldQuantizedWeights === true ? { extra: { session: { disable_quant_qdq: "1" } } } : {}),
  });
}

export function int64Tensor(data: BigInt64Array, dims: number[]): ort.Tensor {
  return new ort.Tensor("int64", data, dims);
}

export function float32Tensor(data: Float32Array, dims: number[]): ort.Tensor {
  return new ort.Tensor("float32", data, dims);
}
