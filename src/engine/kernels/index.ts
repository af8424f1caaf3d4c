/**
 * @module engine/kernels/index
 * The engine's WASM exports. Every argument is a byte offset into the module's own memory
 * (laid out once per model by the TypeScript side) or a size; nothing here allocates.
 */
export { gemm_f32 } from "./gemm-f32";
export { gemm_u7i8, set_kernel, get_kernel, probe_dot, KERNEL_VNNI, KERNEL_RELAXED, KERNEL_SIMD128 } from "./gemm";
export { quantize_rows } from "./quantize";
export { add_layernorm } from "./norm";
export { attention, attention_int8, attention_int8_scratch, softmax_rows } from "./attention";
export { pack_rows, pack_cols, pack_weights } from "./pack";
export { activate, tanh_inplace, ACT_GELU_TANH, ACT_GELU_ERF, ACT_RELU } from "./math";
export { embed } from "./embed";
