/**
 * @module engine/kernels
 * The TypeScript face of the WASM kernels (src/engine/kernels/*.ts, AssemblyScript): their
 * export signatures, instantiation, and the choice of GEMM inner loop by a behaviour probe.
 *
 * Kernel paths (`KernelPath`):
 * - `vnni`: `i32x4.relaxed_dot_i8x16_i7x16_add_s`; V8 lowers it to one `vpdpbusd` on AVX-VNNI CPUs.
 * - `relaxed`: relaxed i16 dot + `i32x4.dot_i16x8_s` by a ones vector held in a register
 *   (pmaddubsw + pmaddwd), the better choice where the fused dot-add is not one instruction.
 * - `simd128`: plain SIMD128, for runtimes without relaxed SIMD (also built as its own module).
 * All paths give bit-identical integer GEMM results (7-bit activations never saturate).
 */

export type KernelPath = "vnni" | "relaxed" | "simd128";
export const KERNEL_PATHS: readonly KernelPath[] = ["vnni", "relaxed", "simd128"];

const PATH_CODE: Record<KernelPath, number> = { vnni: 0, relaxed: 1, simd128: 2 };

/** Activation codes of kernels/math.ts. */
export const ACT = { gelu_tanh: 0, gelu_erf: 1, relu: 2 } as const;

/** Exports of the kernels module; every pointer is a byte offset into `memory`. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  gemm_f32(x: number, m: number, k: number, ldx: number, w: number, n: number, np: number, out: number, ldo: number, bias: number): void;
  gemm_u7i8(a: number, m: number, kp: number, w: number, n: number, np: number, out: number, ldo: number, sa: number, za: number, ws: number, wsum: number, bias: number): void;
  quantize_rows(x: number, m: number, k: number, ldx: number, out: number, kp: number, sa: number, za: number): void;
  add_layernorm(x: number, res: number, m: number, n: number, gamma: number, beta: number, eps: number): void;
  attention(qkv: number, s: number, h: number, heads: number, ctx: number, kt: number, p: number): void;
  attention_int8(qkv: number, s: number, h: number, heads: number, ctx: number, p: number, scratch: number): void;
  attention_int8_scratch(s: number, h: number, heads: number): number;
  pack_rows(src: number, n: number, k: number, ld: number, dst: number, kp: number, np: number, scaleMul: number, scales: number, sums: number): void;
  pack_weights(src: number, k: number, n: number, dst: number, kp: number, np: number, sums: number): void;
  pack_cols(src: number, n: number, k: number, ld: number, dst: number, kp: number, np: number, scaleMul: number, scales: number, sums: number): void;
  activate(x: number, rows: number, cols: number, ld: number, act: number): void;
  tanh_inplace(x: number, count: number): void;
  embed(ids: number, types: number, s: number, e: number, word: number, wscale: number, pos: number, pscale: number, type: number, gamma: number, beta: number, eps: number, out: number): void;
  set_kernel(code: number): number;
  get_kernel(): number;
  probe_dot(): number;
}

/** The compiled kernel modules: the relaxed-SIMD build and/or the plain SIMD128 build. */
export interface KernelModules {
  relaxed?: WebAssembly.Module;
  simd128?: WebAssembly.Module;
}

export interface Kernels {
  exports: KernelExports;
  path: KernelPath;
  /** What the probe saw: the relaxed dot's semantics on this CPU/runtime. */
  probe: "vnni" | "pmaddubsw" | "signed" | "none";
}

/** Interprets `probe_dot()` (see kernels/gemm.ts). */
export function probeKind(value: number): Kernels["probe"] {
  if (value === -130560) return "vnni";
  if (value === -65536) return "pmaddubsw";
  if (value === 512) return "signed";
  return "none";
}

let instances = 0;

/** How many kernel instances this isolate has created (one per loaded model); for tests and benchmarks. */
export function kernelInstances(): number {
  return instances;
}

/**
 * Instantiates the kernels with their own memory. `force` picks a path (tests, benchmarks);
 * otherwise the probe decides: `vnni` when the relaxed dot is one exact 4-way instruction,
 * `relaxed` when it is emulated with saturating pairs, `simd128` without relaxed SIMD.
 */
export async function instantiateKernels(modules: KernelModules, force?: KernelPath): Promise<Kernels> {
  const wantsRelaxed = force !== "simd128";
  const module = (wantsRelaxed ? modules.relaxed : undefined) ?? modules.simd128 ?? modules.relaxed;
  if (module === undefined) throw new Error("no engine kernel module given");
  const instance = await WebAssembly.instantiate(module, {});
  instances++;
  const exports = instance.exports as unknown as KernelExports;
  const isRelaxedBuild = module === modules.relaxed;
  const probe = isRelaxedBuild ? probeKind(exports.probe_dot()) : "none";
  let path: KernelPath = force ?? (probe === "vnni" ? "vnni" : probe === "none" ? "simd128" : "relaxed");
  if (!isRelaxedBuild) {
    if (force !== undefined && force !== "simd128") throw new Error(`kernel path ${force} needs the relaxed-SIMD module`);
    path = "simd128";
  }
  const code = exports.set_kernel(PATH_CODE[path]);
  if (code !== PATH_CODE[path]) throw new Error(`kernel path ${path} is not available in this module`);
  return { exports, path, probe };
}
