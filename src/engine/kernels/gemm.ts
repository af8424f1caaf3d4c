/**
 * @module engine/kernels/gemm
 * int8 GEMM with dynamic activation quantization: out[m, j] = sa[m]·sw[j]·(Σk A[m,k]·W[j,k] −
 * za[m]·ΣkW[j,k]) + bias[j], for A u7 (0..127, one scale sa and zero point za per row, see
 * quantize.ts) and W int8 (one symmetric scale sw per output column j).
 *
 * W is packed by the TypeScript side as blocks of 4 columns × 4 k: byte
 * ((j/4)·(Kp/4) + k/4)·16 + (j%4)·4 + k%4, zero-padded to Kp (multiple of 16) and Np (multiple
 * of 8) — the layout the 4-way dot products want. A row is broadcast 4 bytes at a time
 * (`load32_splat`); a tile is 4 rows × 8 columns, eight i32x4 accumulators.
 *
 * Three inner loops, chosen at load by the TypeScript side (`set_kernel`) from a behaviour probe:
 * - KERNEL_VNNI: `i32x4.relaxed_dot_i8x16_i7x16_add_s` (one vpdpbusd on AVX-VNNI CPUs);
 * - KERNEL_RELAXED: `i16x8.relaxed_dot_i8x16_i7x16_s` + `i32x4.dot_i16x8_s` by a ones vector
 *   loaded once (pmaddubsw + pmaddwd, what V8 emits without VNNI but without its per-use
 *   constant rebuild);
 * - KERNEL_SIMD128: plain SIMD128 only (sign-extend to i16, `i32x4.dot_i16x8_s`), the only one
 *   in the build without relaxed SIMD.
 * With 7-bit activations no path saturates, so all three give bit-identical integers.
 */

export const KERNEL_VNNI: i32 = 0;
export const KERNEL_RELAXED: i32 = 1;
export const KERNEL_SIMD128: i32 = 2;

let kernel: i32 = ASC_FEATURE_RELAXED_SIMD ? KERNEL_VNNI : KERNEL_SIMD128;

const ONES16 = memory.data<i16>([1, 1, 1, 1, 1, 1, 1, 1]);

/** Selects the inner loop; returns the one in force (the plain build only has KERNEL_SIMD128). */
export function set_kernel(k: i32): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (k >= KERNEL_VNNI && k <= KERNEL_SIMD128) kernel = k;
  }
  return kernel;
}

export function get_kernel(): i32 {
  return kernel;
}

/**
 * Behaviour probe of the relaxed dot product: lane 0 of dot(i8 −128 ×4, 0xFF ×4). With
 * vpdpbusd (AVX-VNNI) the bytes 0xFF count as 255 and nothing saturates: −130560. With
 * pmaddubsw the i16 pair sums saturate: −65536. Signed semantics (e.g. Arm sdot): 512.
 * Returns 0 in the plain build.
 */
export function probe_dot(): i32 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    const r = i32x4.relaxed_dot_i8x16_i7x16_add_s(i8x16.splat(-128), i8x16.splat(-1), i32x4.splat(0));
    return i32x4.extract_lane(r, 0);
  }
  return 0;
}

/**
 * acc + dot(w, a). The type parameter picks the instruction sequence at compile time (i32: the
 * fused relaxed dot-add; i64: pmaddubsw-style relaxed dot + dot by ones), so the hot loop has
 * no branch.
 */
// @ts-ignore: decorator
@inline function dotAdd<T>(w: v128, a: v128, acc: v128, ones: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) {
    if (sizeof<T>() == 4) return i32x4.relaxed_dot_i8x16_i7x16_add_s(w, a, acc);
    return i32x4.add(acc, i32x4.dot_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, a), ones));
  }
  return acc;
}

/** Scales and stores one row of a tile: 4 columns from accumulator `acc`, starting at column j. */
// @ts-ignore: decorator
@inline function storeRow(acc: v128, out: usize, j: i32, n: i32, zp: v128, sa: v128, wsum: usize, ws: usize, bias: usize): void {
  const jo = <usize>j << 2;
  const corrected = i32x4.sub(acc, i32x4.mul(zp, v128.load(wsum + jo)));
  let v = f32x4.mul(f32x4.convert_i32x4_s(corrected), f32x4.mul(sa, v128.load(ws + jo)));
  if (bias != 0) v = f32x4.add(v, v128.load(bias + jo));
  const p = out + jo;
  if (j + 4 <= n) {
    v128.store(p, v);
  } else {
    const left = n - j;
    if (left > 0) store<f32>(p, f32x4.extract_lane(v, 0));
    if (left > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
    if (left > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
  }
}

/**
 * out (f32, row stride `ldo` floats) = dequantized A·Wᵀ (+ bias).
 * a: u8 [m][kp]; sa: f32 [m]; za: i32 [m]; w: packed [np/4][kp/4][4][4] i8; ws: f32 [np];
 * wsum: i32 [np]; bias: f32 [np] or 0. kp % 16 == 0, np % 8 == 0, columns ≥ n are not written.
 */
export function gemm_u7i8(a: usize, m: i32, kp: i32, w: usize, n: i32, np: i32, out: usize, ldo: i32, sa: usize, za: usize, ws: usize, wsum: usize, bias: usize): void {
  if (!ASC_FEATURE_RELAXED_SIMD || kernel == KERNEL_SIMD128) gemmPlain(a, m, kp, w, n, np, out, ldo, sa, za, ws, wsum, bias);
  else if (kernel == KERNEL_VNNI) gemmRelaxed<i32>(a, m, kp, w, n, np, out, ldo, sa, za, ws, wsum, bias);
  else gemmRelaxed<i64>(a, m, kp, w, n, np, out, ldo, sa, za, ws, wsum, bias);
}

/** Relaxed-SIMD paths: 4 rows × 8 columns. T selects the dot sequence (see dotAdd). */
function gemmRelaxed<T>(a: usize, m: i32, kp: i32, w: usize, n: i32, np: i32, out: usize, ldo: i32, sa: usize, za: usize, ws: usize, wsum: usize, bias: usize): void {
  const ones = v128.load(ONES16);
  const colStride = <usize>kp << 2; // bytes per block of 4 columns: (kp/4)·16
  const rowA = <usize>kp;
  const rowOut = <usize>ldo << 2;
  for (let j = 0; j < np; j += 8) {
    const w0 = w + (<usize>(j >> 2)) * colStride;
    const w1 = w0 + colStride;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = a + <usize>i * rowA;
      const a1 = a0 + rowA;
      const a2 = a1 + rowA;
      const a3 = a2 + rowA;
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0), c10 = i32x4.splat(0), c11 = i32x4.splat(0);
      let c20 = i32x4.splat(0), c21 = i32x4.splat(0), c30 = i32x4.splat(0), c31 = i32x4.splat(0);
      for (let k: usize = 0; k < rowA; k += 4) {
        const b0 = v128.load(w0 + (k << 2));
        const b1 = v128.load(w1 + (k << 2));
        let x = v128.load32_splat(a0 + k);
        c00 = dotAdd<T>(b0, x, c00, ones);
        c01 = dotAdd<T>(b1, x, c01, ones);
        x = v128.load32_splat(a1 + k);
        c10 = dotAdd<T>(b0, x, c10, ones);
        c11 = dotAdd<T>(b1, x, c11, ones);
        x = v128.load32_splat(a2 + k);
        c20 = dotAdd<T>(b0, x, c20, ones);
        c21 = dotAdd<T>(b1, x, c21, ones);
        x = v128.load32_splat(a3 + k);
        c30 = dotAdd<T>(b0, x, c30, ones);
        c31 = dotAdd<T>(b1, x, c31, ones);
      }
      let o = out + <usize>i * rowOut;
      let r = <usize>i << 2;
      storeRow(c00, o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      storeRow(c01, o, j + 4, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      o += rowOut; r += 4;
      storeRow(c10, o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      storeRow(c11, o, j + 4, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      o += rowOut; r += 4;
      storeRow(c20, o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      storeRow(c21, o, j + 4, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      o += rowOut; r += 4;
      storeRow(c30, o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      storeRow(c31, o, j + 4, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
    }
    for (; i < m; i++) {
      const a0 = a + <usize>i * rowA;
      let c00 = i32x4.splat(0), c01 = i32x4.splat(0);
      for (let k: usize = 0; k < rowA; k += 4) {
        const x = v128.load32_splat(a0 + k);
        c00 = dotAdd<T>(v128.load(w0 + (k << 2)), x, c00, ones);
        c01 = dotAdd<T>(v128.load(w1 + (k << 2)), x, c01, ones);
      }
      const o = out + <usize>i * rowOut;
      const r = <usize>i << 2;
      storeRow(c00, o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      storeRow(c01, o, j + 4, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
    }
  }
}

/** Pairwise-adds the lanes of the two half accumulators: [lo0+lo1, lo2+lo3, hi0+hi1, hi2+hi3]. */
// @ts-ignore: decorator
@inline function fold(lo: v128, hi: v128): v128 {
  return i32x4.add(i32x4.shuffle(lo, hi, 0, 2, 4, 6), i32x4.shuffle(lo, hi, 1, 3, 5, 7));
}

/** Plain SIMD128 path: 4 rows × 4 columns, W sign-extended to i16, `i32x4.dot_i16x8_s`. */
function gemmPlain(a: usize, m: i32, kp: i32, w: usize, n: i32, np: i32, out: usize, ldo: i32, sa: usize, za: usize, ws: usize, wsum: usize, bias: usize): void {
  const colStride = <usize>kp << 2;
  const rowA = <usize>kp;
  const rowOut = <usize>ldo << 2;
  for (let j = 0; j < np; j += 4) {
    const w0 = w + (<usize>(j >> 2)) * colStride;
    let i = 0;
    for (; i + 4 <= m; i += 4) {
      const a0 = a + <usize>i * rowA;
      let l0 = i32x4.splat(0), h0 = i32x4.splat(0), l1 = i32x4.splat(0), h1 = i32x4.splat(0);
      let l2 = i32x4.splat(0), h2 = i32x4.splat(0), l3 = i32x4.splat(0), h3 = i32x4.splat(0);
      for (let k: usize = 0; k < rowA; k += 4) {
        const b = v128.load(w0 + (k << 2));
        const bl = i16x8.extend_low_i8x16_s(b);
        const bh = i16x8.extend_high_i8x16_s(b);
        let x = i16x8.extend_low_i8x16_u(v128.load32_splat(a0 + k));
        l0 = i32x4.add(l0, i32x4.dot_i16x8_s(bl, x));
        h0 = i32x4.add(h0, i32x4.dot_i16x8_s(bh, x));
        x = i16x8.extend_low_i8x16_u(v128.load32_splat(a0 + rowA + k));
        l1 = i32x4.add(l1, i32x4.dot_i16x8_s(bl, x));
        h1 = i32x4.add(h1, i32x4.dot_i16x8_s(bh, x));
        x = i16x8.extend_low_i8x16_u(v128.load32_splat(a0 + 2 * rowA + k));
        l2 = i32x4.add(l2, i32x4.dot_i16x8_s(bl, x));
        h2 = i32x4.add(h2, i32x4.dot_i16x8_s(bh, x));
        x = i16x8.extend_low_i8x16_u(v128.load32_splat(a0 + 3 * rowA + k));
        l3 = i32x4.add(l3, i32x4.dot_i16x8_s(bl, x));
        h3 = i32x4.add(h3, i32x4.dot_i16x8_s(bh, x));
      }
      let o = out + <usize>i * rowOut;
      let r = <usize>i << 2;
      storeRow(fold(l0, h0), o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      o += rowOut; r += 4;
      storeRow(fold(l1, h1), o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      o += rowOut; r += 4;
      storeRow(fold(l2, h2), o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
      o += rowOut; r += 4;
      storeRow(fold(l3, h3), o, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
    }
    for (; i < m; i++) {
      const a0 = a + <usize>i * rowA;
      let l0 = i32x4.splat(0), h0 = i32x4.splat(0);
      for (let k: usize = 0; k < rowA; k += 4) {
        const b = v128.load(w0 + (k << 2));
        const x = i16x8.extend_low_i8x16_u(v128.load32_splat(a0 + k));
        l0 = i32x4.add(l0, i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_s(b), x));
        h0 = i32x4.add(h0, i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_s(b), x));
      }
      const r = <usize>i << 2;
      storeRow(fold(l0, h0), out + <usize>i * rowOut, j, n, i32x4.splat(load<i32>(za + r)), f32x4.splat(load<f32>(sa + r)), wsum, ws, bias);
    }
  }
}
