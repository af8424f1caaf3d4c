/**
 * @module engine/kernels/vec
 * Small SIMD helpers shared by the kernels. `madd` is a fused multiply-add where relaxed SIMD is
 * enabled (one FMA instruction) and mul + add in the plain SIMD128 build; the choice is made at
 * compile time (`ASC_FEATURE_RELAXED_SIMD`), so the plain build never contains a relaxed opcode.
 *
 * Lowering notes (V8, x64): `f32x4.min/max` must propagate NaN and order ±0, which costs a
 * sequence of ~8 instructions, while `pmin/pmax` are one `minps/maxps` — every min/max here is
 * p-min/max (no NaN reaches them). Likewise `i32x4.trunc_sat_f32x4_s` needs fix-ups for NaN and
 * overflow; `relaxed_trunc` is one `cvttps2dq` where the input is known to be in range.
 */

/** a * b + c, lane-wise on f32x4. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

/** Lane-wise max / min, one instruction each (inputs are never NaN). */
// @ts-ignore: decorator
@inline export function fmax(a: v128, b: v128): v128 {
  return f32x4.pmax(a, b);
}

// @ts-ignore: decorator
@inline export function fmin(a: v128, b: v128): v128 {
  return f32x4.pmin(a, b);
}

/** Rounds to nearest (even) and converts to i32; lanes must be within ±2^31. */
// @ts-ignore: decorator
@inline export function roundI32(v: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return i32x4.relaxed_trunc_f32x4_s(f32x4.nearest(v));
  return i32x4.trunc_sat_f32x4_s(f32x4.nearest(v));
}

/** Sum of the four f32 lanes. */
// @ts-ignore: decorator
@inline export function hsum(v: v128): f32 {
  const t = f32x4.add(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return f32x4.extract_lane(t, 0) + f32x4.extract_lane(t, 1);
}

/** Largest of the four f32 lanes. */
// @ts-ignore: decorator
@inline export function hmax(v: v128): f32 {
  const t = f32x4.pmax(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return max<f32>(f32x4.extract_lane(t, 0), f32x4.extract_lane(t, 1));
}

/** Smallest of the four f32 lanes. */
// @ts-ignore: decorator
@inline export function hmin(v: v128): f32 {
  const t = f32x4.pmin(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return min<f32>(f32x4.extract_lane(t, 0), f32x4.extract_lane(t, 1));
}
