/**
 * @module engine/kernels/gemm-f32
 * fp32 GEMM for models converted with `--fp32` (the engine's full-precision mode):
 * out (row stride `ldo` floats) = x (row stride `ldx` floats) · W + bias.
 * W: f32 [k][np] row-major (input-major, columns padded with zeros to np, a multiple of 8);
 * bias: f32 [np] or 0. Tiles of 4 rows × 8 columns; columns ≥ n are not written.
 */
import { madd } from "./vec";

/** Stores 4 columns starting at j, only those < n. */
// @ts-ignore: decorator
@inline function store4(p: usize, v: v128, j: i32, n: i32): void {
  if (j + 4 <= n) {
    v128.store(p, v);
    return;
  }
  const left = n - j;
  if (left > 0) store<f32>(p, f32x4.extract_lane(v, 0));
  if (left > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (left > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

export function gemm_f32(x: usize, m: i32, k: i32, ldx: i32, w: usize, n: i32, np: i32, out: usize, ldo: i32, bias: usize): void {
  const rowX = <usize>ldx << 2;
  const rowW = <usize>np << 2;
  const rowO = <usize>ldo << 2;
  for (let j = 0; j < n; j += 8) {
    const jb = <usize>j << 2;
    const b0 = bias == 0 ? f32x4.splat(0) : v128.load(bias + jb);
    const b1 = bias == 0 ? f32x4.splat(0) : v128.load(bias + jb + 16);
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const x0 = x + <usize>i * rowX;
      const x1 = x0 + rowX;
      const x2 = x1 + rowX;
      const x3 = x2 + rowX;
      let c00 = b0, c01 = b1, c10 = b0, c11 = b1, c20 = b0, c21 = b1, c30 = b0, c31 = b1;
      let wp = w + jb;
      for (let kk: usize = 0; kk < (<usize>k << 2); kk += 4) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp + 16);
        let a = v128.load32_splat(x0 + kk);
        c00 = madd(a, w0, c00);
        c01 = madd(a, w1, c01);
        a = v128.load32_splat(x1 + kk);
        c10 = madd(a, w0, c10);
        c11 = madd(a, w1, c11);
        a = v128.load32_splat(x2 + kk);
        c20 = madd(a, w0, c20);
        c21 = madd(a, w1, c21);
        a = v128.load32_splat(x3 + kk);
        c30 = madd(a, w0, c30);
        c31 = madd(a, w1, c31);
        wp += rowW;
      }
      let o = out + <usize>i * rowO + jb;
      store4(o, c00, j, n);
      store4(o + 16, c01, j + 4, n);
      o += rowO;
      store4(o, c10, j, n);
      store4(o + 16, c11, j + 4, n);
      o += rowO;
      store4(o, c20, j, n);
      store4(o + 16, c21, j + 4, n);
      o += rowO;
      store4(o, c30, j, n);
      store4(o + 16, c31, j + 4, n);
    }
    for (; i < m; i++) {
      const x0 = x + <usize>i * rowX;
      let c00 = b0, c01 = b1;
      let wp = w + jb;
      for (let kk: usize = 0; kk < (<usize>k << 2); kk += 4) {
        const a = v128.load32_splat(x0 + kk);
        c00 = madd(a, v128.load(wp), c00);
        c01 = madd(a, v128.load(wp + 16), c01);
        wp += rowW;
      }
      const o = out + <usize>i * rowO + jb;
      store4(o, c00, j, n);
      store4(o + 16, c01, j + 4, n);
    }
  }
}
