/**
 * @module engine/kernels/vec
 * Small SIMD helpers shared by the kernels. `madd` is a fused multiply-add where relaxed SIMD is
 * enabled (one FMA instruction) and mul + add in the plain SIMD128 build; the choice is made at
 * compile time (`ASC_FEATURE_RELAXED_SIMD`), so the plain build never contains a relaxed opcode.
 */

/** a * b + c, lane-wise on f32x4. */
// @ts-ignore: decorator
@inline export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
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
  const t = f32x4.max(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return max<f32>(f32x4.extract_lane(t, 0), f32x4.extract_lane(t, 1));
}

/** Smallest of the four f32 lanes. */
// @ts-ignore: decorator
@inline export function hmin(v: v128): f32 {
  const t = f32x4.min(v, i32x4.shuffle(v, v, 2, 3, 0, 1));
  return min<f32>(f32x4.extract_lane(t, 0), f32x4.extract_lane(t, 1));
}
