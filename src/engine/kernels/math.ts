/**
 * @module engine/kernels/math
 * Vector exp, tanh and erf on f32x4, plus the activations built from them (gelu with erf,
 * gelu_new with tanh, relu), applied in place over a buffer.
 *
 * V8 rebuilds a SIMD constant every time a loop uses it unless it comes from memory, so every
 * constant here is stored pre-splatted in a static table and loaded with one `v128.load`.
 *
 * exp: Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, degree-6 Taylor polynomial for
 * e^r (relative error < 2e-7), 2^n built in the exponent bits. tanh(u) = 1 − 2/(e^{2u} + 1).
 * erf: Abramowitz & Stegun 7.1.26 (absolute error < 1.5e-7).
 *
 * Denormals: WebAssembly keeps IEEE subnormals (no flush-to-zero), and x86 takes a slow
 * microcode assist for each one. Softmax weights far below the row maximum would become
 * subnormal after normalization and then stall every multiply that reads them, so `expSoftmax4`
 * returns exact zeros below e^-60 (a weight under 1e-26 of the largest one).
 */
import { fmax, fmin, madd } from "./vec";

const C = memory.data<f32>([
  /*  0 */ 1.44269504, 1.44269504, 1.44269504, 1.44269504, // log2(e)
  /* 16 */ 0.693359375, 0.693359375, 0.693359375, 0.693359375, // ln2 hi
  /* 32 */ -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, -2.12194440e-4, // ln2 lo
  /* 48 */ 1.0 / 720.0, 1.0 / 720.0, 1.0 / 720.0, 1.0 / 720.0,
  /* 64 */ 1.0 / 120.0, 1.0 / 120.0, 1.0 / 120.0, 1.0 / 120.0,
  /* 80 */ 1.0 / 24.0, 1.0 / 24.0, 1.0 / 24.0, 1.0 / 24.0,
  /* 96 */ 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0,
  /* 112 */ 0.5, 0.5, 0.5, 0.5,
  /* 128 */ 1.0, 1.0, 1.0, 1.0,
  /* 144 */ 88.0, 88.0, 88.0, 88.0, // exp input clamp (e^88 < f32 max)
  /* 160 */ -87.0, -87.0, -87.0, -87.0,
  /* 176 */ 2.0, 2.0, 2.0, 2.0,
  /* 192 */ 0.7978845608, 0.7978845608, 0.7978845608, 0.7978845608, // sqrt(2/pi)
  /* 208 */ 0.044715, 0.044715, 0.044715, 0.044715,
  /* 224 */ 0.70710678, 0.70710678, 0.70710678, 0.70710678, // 1/sqrt(2)
  /* 240 */ 0.3275911, 0.3275911, 0.3275911, 0.3275911, // A&S p
  /* 256 */ 0.254829592, 0.254829592, 0.254829592, 0.254829592, // a1
  /* 272 */ -0.284496736, -0.284496736, -0.284496736, -0.284496736, // a2
  /* 288 */ 1.421413741, 1.421413741, 1.421413741, 1.421413741, // a3
  /* 304 */ -1.453152027, -1.453152027, -1.453152027, -1.453152027, // a4
  /* 320 */ 1.061405429, 1.061405429, 1.061405429, 1.061405429, // a5
  /* 336 */ 0.0, 0.0, 0.0, 0.0,
  /* 352 */ -60.0, -60.0, -60.0, -60.0,
]);

// @ts-ignore: decorator
@inline function k(offset: usize): v128 {
  return v128.load(C + offset);
}

/** e^x lane-wise (inputs clamped to [-87, 88]). */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  x = fmin(fmax(x, k(160)), k(144));
  const n = f32x4.nearest(f32x4.mul(x, k(0)));
  let r = madd(n, f32x4.neg(k(16)), x);
  r = madd(n, f32x4.neg(k(32)), r);
  let p = madd(k(48), r, k(64));
  p = madd(p, r, k(80));
  p = madd(p, r, k(96));
  p = madd(p, r, k(112));
  p = madd(p, r, k(128));
  p = madd(p, r, k(128));
  const ni = ASC_FEATURE_RELAXED_SIMD ? i32x4.relaxed_trunc_f32x4_s(n) : i32x4.trunc_sat_f32x4_s(n);
  const pow2n = i32x4.shl(i32x4.add(ni, i32x4.splat(127)), 23);
  return f32x4.mul(p, pow2n);
}

/** e^x for softmax (x ≤ 0, the row maximum subtracted): exact 0 below x = -60, never subnormal. */
// @ts-ignore: decorator
@inline export function expSoftmax4(x: v128): v128 {
  return v128.and(exp4(x), f32x4.gt(x, k(352)));
}

/** tanh lane-wise. */
// @ts-ignore: decorator
@inline export function tanh4(u: v128): v128 {
  const e = exp4(f32x4.mul(u, k(176)));
  return f32x4.sub(k(128), f32x4.div(k(176), f32x4.add(e, k(128))));
}

/** erf lane-wise. */
// @ts-ignore: decorator
@inline export function erf4(x: v128): v128 {
  const a = f32x4.abs(x);
  const t = f32x4.div(k(128), madd(k(240), a, k(128)));
  let p = madd(k(320), t, k(304));
  p = madd(p, t, k(288));
  p = madd(p, t, k(272));
  p = madd(p, t, k(256));
  p = f32x4.mul(p, t);
  const e = exp4(f32x4.neg(f32x4.mul(a, a)));
  const y = f32x4.sub(k(128), f32x4.mul(p, e));
  // copy the sign of x onto y
  const sign = v128.and(x, i32x4.splat(0x80000000));
  return v128.or(y, sign);
}

/** gelu_new / gelu_pytorch_tanh / gelu_fast: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))). */
// @ts-ignore: decorator
@inline function geluTanh4(x: v128): v128 {
  const x3 = f32x4.mul(f32x4.mul(x, x), x);
  const u = f32x4.mul(k(192), madd(k(208), x3, x));
  return f32x4.mul(f32x4.mul(x, k(112)), f32x4.add(k(128), tanh4(u)));
}

/** gelu (exact): 0.5·x·(1 + erf(x/√2)). */
// @ts-ignore: decorator
@inline function geluErf4(x: v128): v128 {
  return f32x4.mul(f32x4.mul(x, k(112)), f32x4.add(k(128), erf4(f32x4.mul(x, k(224)))));
}

/** Activation codes shared with the TypeScript side. */
export const ACT_GELU_TANH: i32 = 0;
export const ACT_GELU_ERF: i32 = 1;
export const ACT_RELU: i32 = 2;

/** Applies an activation in place to `count` floats at `x` (rows may be strided: `rows`×`cols`, stride `ld`). */
export function activate(x: usize, rows: i32, cols: i32, ld: i32, act: i32): void {
  for (let r = 0; r < rows; r++) {
    const row = x + (<usize>r * <usize>ld << 2);
    let c = 0;
    if (act == ACT_GELU_TANH) {
      for (; c + 4 <= cols; c += 4) {
        const p = row + (<usize>c << 2);
        v128.store(p, geluTanh4(v128.load(p)));
      }
    } else if (act == ACT_GELU_ERF) {
      for (; c + 4 <= cols; c += 4) {
        const p = row + (<usize>c << 2);
        v128.store(p, geluErf4(v128.load(p)));
      }
    } else {
      for (; c + 4 <= cols; c += 4) {
        const p = row + (<usize>c << 2);
        v128.store(p, fmax(v128.load(p), k(336)));
      }
    }
    for (; c < cols; c++) {
      const p = row + (<usize>c << 2);
      const v = f32x4.splat(load<f32>(p));
      const y = act == ACT_GELU_TANH ? geluTanh4(v) : act == ACT_GELU_ERF ? geluErf4(v) : fmax(v, k(336));
      store<f32>(p, f32x4.extract_lane(y, 0));
    }
  }
}

/** tanh in place over `count` floats (the pooler). */
export function tanh_inplace(x: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const p = x + (<usize>i << 2);
    v128.store(p, tanh4(v128.load(p)));
  }
  for (; i < count; i++) {
    const p = x + (<usize>i << 2);
    store<f32>(p, f32x4.extract_lane(tanh4(f32x4.splat(load<f32>(p))), 0));
  }
}
