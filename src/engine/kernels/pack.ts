/**
 * @module engine/kernels/pack
 * Quantizes an fp32 matrix to int8 (symmetric, one scale per output row n) straight into the
 * GEMM's 4×4 block layout (see gemm.ts), with each row's scale (× `scaleMul`) and sum of
 * values. Used at run time for attention, whose "weights" (K, Vᵀ) change with every input:
 * - `pack_rows`: W[n][k] = src[n·ld + k] (keys as rows: K_h for the scores);
 * - `pack_cols`: W[n][k] = src[k·ld + n] (V_h transposed, for the context).
 * Padding rows/columns up to np/kp are zero (scale 0, sum 0).
 */
import { fmax, roundI32 } from "./vec";

// @ts-ignore: decorator
@inline function quant4(v: v128, inv: v128): v128 {
  return roundI32(f32x4.mul(v, inv));
}

/** Bytes [r0c0..r0c3, r1c0.., r2.., r3..] of four i32x4 rows (values in −127..127). */
// @ts-ignore: decorator
@inline function narrow4(r0: v128, r1: v128, r2: v128, r3: v128): v128 {
  return i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(r0, r1), i16x8.narrow_i32x4_s(r2, r3));
}

function clearPadding(dst: usize, n: i32, np: i32, k: i32, kp: i32, scales: usize, sums: usize): void {
  const kb = <usize>kp << 2; // bytes per 4-row block
  if ((n & 3) != 0 || (k & 15) != 0) memory.fill(dst, 0, <usize>np * <usize>kp);
  else if (np > n) memory.fill(dst + <usize>(n >> 2) * kb, 0, <usize>(np - n) * <usize>kp);
  for (let j = n; j < np; j++) {
    store<f32>(scales + (<usize>j << 2), 0);
    store<i32>(sums + (<usize>j << 2), 0);
  }
}

/** One row of W, scalar: row j of src (elements `stride` floats apart), k values. */
function packOne(src: usize, stride: usize, k: i32, j: i32, dst: usize, blockB: usize, scaleMul: f32, scales: usize, sums: usize): void {
  let m: f32 = 0;
  for (let c = 0; c < k; c++) m = max<f32>(m, Mathf.abs(load<f32>(src + <usize>c * stride)));
  const s: f32 = m > 0 ? m / 127 : 1;
  const inv: f32 = 1 / s;
  let sum = 0;
  const base = dst + <usize>(j >> 2) * blockB + <usize>((j & 3) << 2);
  for (let c = 0; c < k; c++) {
    let q = <i32>nearest<f32>(load<f32>(src + <usize>c * stride) * inv);
    q = q > 127 ? 127 : q < -127 ? -127 : q;
    sum += q;
    store<i8>(base + (<usize>(c >> 2) << 4) + <usize>(c & 3), <i8>q);
  }
  store<f32>(scales + (<usize>j << 2), s * scaleMul);
  store<i32>(sums + (<usize>j << 2), sum);
}

/** Largest |x| over a row of k contiguous floats. */
// @ts-ignore: decorator
@inline function rowMaxAbs(row: usize, k: i32): f32 {
  let v = f32x4.splat(0);
  let c = 0;
  for (; c + 4 <= k; c += 4) v = fmax(v, f32x4.abs(v128.load(row + (<usize>c << 2))));
  let m = max<f32>(max<f32>(f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1)), max<f32>(f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3)));
  for (; c < k; c++) m = max<f32>(m, Mathf.abs(load<f32>(row + (<usize>c << 2))));
  return m;
}

/** src f32 rows n × k (row stride ld floats) → packed int8, scales (× scaleMul), sums. */
export function pack_rows(src: usize, n: i32, k: i32, ld: i32, dst: usize, kp: i32, np: i32, scaleMul: f32, scales: usize, sums: usize): void {
  clearPadding(dst, n, np, k, kp, scales, sums);
  const ldB = <usize>ld << 2;
  const blockB = <usize>kp << 2;
  let j = 0;
  if ((k & 3) == 0) {
    for (; j + 4 <= n; j += 4) {
      const r0 = src + <usize>j * ldB;
      const r1 = r0 + ldB;
      const r2 = r1 + ldB;
      const r3 = r2 + ldB;
      const m = f32x4.replace_lane(f32x4.replace_lane(f32x4.replace_lane(f32x4.splat(rowMaxAbs(r0, k)), 1, rowMaxAbs(r1, k)), 2, rowMaxAbs(r2, k)), 3, rowMaxAbs(r3, k));
      const sc = v128.bitselect(f32x4.div(m, f32x4.splat(127)), f32x4.splat(1), f32x4.gt(m, f32x4.splat(0)));
      v128.store(scales + (<usize>j << 2), f32x4.mul(sc, f32x4.splat(scaleMul)));
      const inv = f32x4.div(f32x4.splat(1), sc);
      const i0 = f32x4.splat(f32x4.extract_lane(inv, 0));
      const i1 = f32x4.splat(f32x4.extract_lane(inv, 1));
      const i2 = f32x4.splat(f32x4.extract_lane(inv, 2));
      const i3 = f32x4.splat(f32x4.extract_lane(inv, 3));
      let s0 = i32x4.splat(0), s1 = i32x4.splat(0), s2 = i32x4.splat(0), s3 = i32x4.splat(0);
      const out = dst + <usize>(j >> 2) * blockB;
      for (let c = 0; c < k; c += 4) {
        const o = <usize>c << 2;
        const q0 = quant4(v128.load(r0 + o), i0);
        const q1 = quant4(v128.load(r1 + o), i1);
        const q2 = quant4(v128.load(r2 + o), i2);
        const q3 = quant4(v128.load(r3 + o), i3);
        s0 = i32x4.add(s0, q0);
        s1 = i32x4.add(s1, q1);
        s2 = i32x4.add(s2, q2);
        s3 = i32x4.add(s3, q3);
        v128.store(out + (<usize>(c >> 2) << 4), narrow4(q0, q1, q2, q3)); // bytes (j&3)·4 + (c&3)
      }
      // Lane sums of each row: transpose-add.
      const t0 = i32x4.add(i32x4.shuffle(s0, s1, 0, 4, 1, 5), i32x4.shuffle(s0, s1, 2, 6, 3, 7));
      const t1 = i32x4.add(i32x4.shuffle(s2, s3, 0, 4, 1, 5), i32x4.shuffle(s2, s3, 2, 6, 3, 7));
      v128.store(sums + (<usize>j << 2), i32x4.add(i32x4.shuffle(t0, t1, 0, 1, 4, 5), i32x4.shuffle(t0, t1, 2, 3, 6, 7)));
    }
  }
  for (; j < n; j++) packOne(src + <usize>j * ldB, 4, k, j, dst, blockB, scaleMul, scales, sums);
}

/**
 * src f32 k × n (row stride ld floats), packed as W[n][k] = src[k][n]: n (columns of src) are the
 * output rows. Four columns × four rows of src make one 16-byte block (a 4×4 byte transpose).
 */
export function pack_cols(src: usize, n: i32, k: i32, ld: i32, dst: usize, kp: i32, np: i32, scaleMul: f32, scales: usize, sums: usize): void {
  clearPadding(dst, n, np, k, kp, scales, sums);
  const ldB = <usize>ld << 2;
  const blockB = <usize>kp << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const col = src + (<usize>j << 2);
    // Column maxima of |src| for columns j..j+3.
    let vmax = f32x4.splat(0);
    for (let r = 0; r < k; r++) vmax = fmax(vmax, f32x4.abs(v128.load(col + <usize>r * ldB)));
    const s = f32x4.div(vmax, f32x4.splat(127));
    const safe = v128.bitselect(s, f32x4.splat(1), f32x4.gt(vmax, f32x4.splat(0)));
    const inv = f32x4.div(f32x4.splat(1), safe);
    v128.store(scales + (<usize>j << 2), f32x4.mul(safe, f32x4.splat(scaleMul)));
    let vsum = i32x4.splat(0);
    const out = dst + <usize>(j >> 2) * blockB;
    let r = 0;
    for (; r + 4 <= k; r += 4) {
      const p = col + <usize>r * ldB;
      const q0 = quant4(v128.load(p), inv);
      const q1 = quant4(v128.load(p + ldB), inv);
      const q2 = quant4(v128.load(p + 2 * ldB), inv);
      const q3 = quant4(v128.load(p + 3 * ldB), inv);
      vsum = i32x4.add(vsum, i32x4.add(i32x4.add(q0, q1), i32x4.add(q2, q3)));
      // bytes are [r·4 + c]; the block wants [c·4 + r]
      const b = narrow4(q0, q1, q2, q3);
      v128.store(out + (<usize>(r >> 2) << 4), i8x16.shuffle(b, b, 0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15));
    }
    for (; r < k; r++) {
      const q = quant4(v128.load(col + <usize>r * ldB), inv);
      vsum = i32x4.add(vsum, q);
      const o = out + (<usize>(r >> 2) << 4) + <usize>(r & 3);
      store<i8>(o, <i8>i32x4.extract_lane(q, 0));
      store<i8>(o, <i8>i32x4.extract_lane(q, 1), 4);
      store<i8>(o, <i8>i32x4.extract_lane(q, 2), 8);
      store<i8>(o, <i8>i32x4.extract_lane(q, 3), 12);
    }
    v128.store(sums + (<usize>j << 2), vsum);
  }
  for (; j < n; j++) packOne(src + (<usize>j << 2), ldB, k, j, dst, blockB, scaleMul, scales, sums);
}

/**
 * Load-time packing of a Linear's int8 weights: src [k][n] (input-major, as the shards store
 * `weight_t`) → the GEMM layout, plus each output column's sum. dst and sums are fully written
 * (padding zero).
 */
export function pack_weights(src: usize, k: i32, n: i32, dst: usize, kp: i32, np: i32, sums: usize): void {
  memory.fill(dst, 0, <usize>kp * <usize>np);
  memory.fill(sums, 0, <usize>np << 2);
  const blockB = <usize>kp << 2;
  for (let r = 0; r < k; r++) {
    const row = src + <usize>r * <usize>n;
    const kOff = <usize>(r >> 2) * 16 + <usize>(r & 3);
    for (let j = 0; j < n; j++) {
      const v = load<i8>(row + <usize>j);
      store<i8>(dst + <usize>(j >> 2) * blockB + kOff + <usize>((j & 3) << 2), v);
      const s = sums + (<usize>j << 2);
      store<i32>(s, load<i32>(s) + <i32>v);
    }
  }
}
