/**
 * @module engine/kernels/attention
 * fp32 multi-head self-attention over one sequence (no padding, no mask), head by head:
 * K_h transposed into `kt`, scores P = Q_h·K_hᵀ/√D (4 queries × 8 keys per tile, keys along the
 * vector lanes), row softmax, then context = P·V_h (4 queries × 8 dims per tile) written into
 * its head's columns of `ctx`.
 *
 * qkv: f32 [s][3h] (Q | K | V columns, as the packed QKV projection writes them);
 * ctx: f32 [s][h]; kt: scratch f32 [h/heads][sp]; p: scratch f32 [s][sp]; sp = s rounded up to 8.
 *
 * `attention_int8` computes the same with both products on the int8 GEMM (the relaxed dot):
 * scores = Q (7-bit per query) · K (int8 per key), context = P (7-bit per query) · Vᵀ (int8
 * per dimension); softmax stays fp32 and writes its weights already quantized: the largest
 * unnormalized weight is e^0 = 1, so q = round(127·e) with scale 1/(127·Σe) and zero point 0 —
 * no normalizing pass, no second pass to find the range. About 4× fewer instructions per multiply-add than fp32
 * SIMD, which is what long inputs spend their time on.
 */
import { gemm_u7i8 } from "./gemm";
import { expSoftmax4 } from "./math";
import { pack_cols, pack_rows } from "./pack";
import { quantize_rows } from "./quantize";
import { fmax, hmax, hsum, madd, roundI32 } from "./vec";

// @ts-ignore: decorator
@inline function splatAt(p: usize): v128 {
  return v128.load32_splat(p);
}

export function attention(qkv: usize, s: i32, h: i32, heads: i32, ctx: usize, kt: usize, p: usize): void {
  const d = h / heads;
  const sp = (s + 7) & ~7;
  const ld = <usize>(3 * h) << 2; // qkv row stride in bytes
  const spB = <usize>sp << 2;
  const ctxB = <usize>h << 2;
  const scale = f32x4.splat(<f32>1 / Mathf.sqrt(<f32>d));
  const one = f32x4.splat(1);
  for (let hd = 0; hd < heads; hd++) {
    const q = qkv + (<usize>(hd * d) << 2);
    const k = q + (<usize>h << 2);
    const v = q + (<usize>(2 * h) << 2);
    // kt[c][j] = K[j][c]; zero keys beyond s.
    for (let c = 0; c < d; c++) {
      const dst = kt + <usize>c * spB;
      const src = k + (<usize>c << 2);
      for (let j = 0; j < s; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + <usize>j * ld));
      for (let j = s; j < sp; j++) store<f32>(dst + (<usize>j << 2), 0);
    }
    // Scores.
    let i = 0;
    for (; i + 4 <= s; i += 4) {
      const q0 = q + <usize>i * ld;
      for (let j = 0; j < sp; j += 8) tile4x8(q0, ld, 4, kt + (<usize>j << 2), spB, d, p + <usize>i * spB + (<usize>j << 2), spB, scale);
    }
    for (; i < s; i++) {
      const q0 = q + <usize>i * ld;
      for (let j = 0; j < sp; j += 8) {
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
        let kp = kt + (<usize>j << 2);
        for (let c: usize = 0; c < <usize>d << 2; c += 4) {
          const x = splatAt(q0 + c);
          c00 = madd(x, v128.load(kp), c00);
          c01 = madd(x, v128.load(kp, 16), c01);
          kp += spB;
        }
        const o = p + <usize>i * spB + (<usize>j << 2);
        v128.store(o, f32x4.mul(c00, scale));
        v128.store(o, f32x4.mul(c01, scale), 16);
      }
    }
    // Softmax over the first s entries of each row.
    for (i = 0; i < s; i++) softmaxRow(p + <usize>i * spB, s);
    // Context.
    i = 0;
    for (; i + 4 <= s; i += 4) {
      const p0 = p + <usize>i * spB;
      const out = ctx + <usize>i * ctxB + (<usize>(hd * d) << 2);
      let c = 0;
      for (; c + 8 <= d; c += 8) tile4x8(p0, spB, 4, v + (<usize>c << 2), ld, s, out + (<usize>c << 2), ctxB, one);
      for (let r = 0; r < 4; r++) contextTail(p0 + <usize>r * spB, v, ld, s, c, d, out + <usize>r * ctxB);
    }
    for (; i < s; i++) contextTail(p + <usize>i * spB, v, ld, s, 0, d, ctx + <usize>i * ctxB + (<usize>(hd * d) << 2));
  }
}

/**
 * The fp32 micro-kernel of both attention products: out[r][0..8) = scale · Σ_k A[r][k] · B[k][0..8)
 * for 4 rows r, with A's rows `aRow` bytes apart (elements `aStep` apart) and B's rows `bStep`
 * bytes apart: eight f32x4 accumulators, A broadcast from memory.
 */
function tile4x8(a: usize, aRow: usize, aStep: usize, b: usize, bStep: usize, n: i32, out: usize, outRow: usize, scale: v128): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const a1 = a + aRow;
  const a2 = a1 + aRow;
  const a3 = a2 + aRow;
  let bp = b;
  const end = <usize>n * aStep;
  for (let k: usize = 0; k < end; k += aStep) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    bp += bStep;
    let x = splatAt(a + k);
    c00 = madd(x, b0, c00);
    c01 = madd(x, b1, c01);
    x = splatAt(a1 + k);
    c10 = madd(x, b0, c10);
    c11 = madd(x, b1, c11);
    x = splatAt(a2 + k);
    c20 = madd(x, b0, c20);
    c21 = madd(x, b1, c21);
    x = splatAt(a3 + k);
    c30 = madd(x, b0, c30);
    c31 = madd(x, b1, c31);
  }
  v128.store(out, f32x4.mul(c00, scale));
  v128.store(out, f32x4.mul(c01, scale), 16);
  v128.store(out + outRow, f32x4.mul(c10, scale));
  v128.store(out + outRow, f32x4.mul(c11, scale), 16);
  v128.store(out + 2 * outRow, f32x4.mul(c20, scale));
  v128.store(out + 2 * outRow, f32x4.mul(c21, scale), 16);
  v128.store(out + 3 * outRow, f32x4.mul(c30, scale));
  v128.store(out + 3 * outRow, f32x4.mul(c31, scale), 16);
}

/** One query row's context for dims [c0, d): 4 at a time, then one at a time. */
function contextTail(prow: usize, v: usize, ld: usize, s: i32, c0: i32, d: i32, out: usize): void {
  let c = c0;
  for (; c + 4 <= d; c += 4) {
    let acc = f32x4.splat(0);
    let vp = v + (<usize>c << 2);
    for (let j: usize = 0; j < <usize>s << 2; j += 4) {
      acc = madd(splatAt(prow + j), v128.load(vp), acc);
      vp += ld;
    }
    v128.store(out + (<usize>c << 2), acc);
  }
  for (; c < d; c++) {
    let acc: f32 = 0;
    let vp = v + (<usize>c << 2);
    for (let j: usize = 0; j < <usize>s << 2; j += 4) {
      acc += load<f32>(prow + j) * load<f32>(vp);
      vp += ld;
    }
    store<f32>(out + (<usize>c << 2), acc);
  }
}

/** Largest of row[0..n). */
function rowMax(row: usize, n: i32): f32 {
  let vmax = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) vmax = fmax(vmax, v128.load(row + (<usize>j << 2)));
  let m = hmax(vmax);
  for (; j < n; j++) m = max<f32>(m, load<f32>(row + (<usize>j << 2)));
  return m;
}

/** In-place softmax of row[0..n). */
function softmaxRow(row: usize, n: i32): void {
  const m = rowMax(row, n);
  const vm = f32x4.splat(m);
  let vsum = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = row + (<usize>j << 2);
    const e = expSoftmax4(f32x4.sub(v128.load(o), vm));
    v128.store(o, e);
    vsum = f32x4.add(vsum, e);
  }
  let sum = hsum(vsum);
  for (; j < n; j++) {
    const o = row + (<usize>j << 2);
    const e = f32x4.extract_lane(expSoftmax4(f32x4.splat(load<f32>(o) - m)), 0);
    store<f32>(o, e);
    sum += e;
  }
  const inv = f32x4.splat(<f32>1 / sum);
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = row + (<usize>j << 2);
    v128.store(o, f32x4.mul(v128.load(o), inv));
  }
  const invs: f32 = <f32>1 / sum;
  for (; j < n; j++) {
    const o = row + (<usize>j << 2);
    store<f32>(o, load<f32>(o) * invs);
  }
}

// @ts-ignore: decorator
@inline function pad(x: i32, to: i32): i32 {
  return (x + to - 1) & ~(to - 1);
}

/** Scratch bytes `attention_int8` needs for sequences up to s tokens (beyond `p`). */
export function attention_int8_scratch(s: i32, h: i32, heads: i32): i32 {
  const d = h / heads;
  const dp = pad(d, 16);
  const s8 = pad(s, 8);
  const s16 = pad(s, 16);
  return pad(s * dp, 16) + 2 * pad(s * 4, 16) + pad(s8 * dp, 16) + 2 * pad(s8 * 4, 16) + pad(s * s16, 16) + 2 * pad(s * 4, 16) + pad(pad(d, 8) * s16, 16) + 2 * pad(pad(d, 8) * 4, 16);
}

export function attention_int8(qkv: usize, s: i32, h: i32, heads: i32, ctx: usize, p: usize, scratch: usize): void {
  const d = h / heads;
  const dp = pad(d, 16);
  const d8 = pad(d, 8);
  const s8 = pad(s, 8);
  const s16 = pad(s, 16);
  let at = scratch;
  const qx = at; at += <usize>pad(s * dp, 16);
  const qs = at; at += <usize>pad(s * 4, 16);
  const qz = at; at += <usize>pad(s * 4, 16);
  const kw = at; at += <usize>pad(s8 * dp, 16);
  const ks = at; at += <usize>pad(s8 * 4, 16);
  const ksum = at; at += <usize>pad(s8 * 4, 16);
  const px = at; at += <usize>pad(s * s16, 16);
  const ps = at; at += <usize>pad(s * 4, 16);
  const pz = at; at += <usize>pad(s * 4, 16);
  const vw = at; at += <usize>pad(d8 * s16, 16);
  const vs = at; at += <usize>pad(d8 * 4, 16);
  const vsum = at;
  const ld = 3 * h;
  const scale: f32 = <f32>1 / Mathf.sqrt(<f32>d);
  for (let hd = 0; hd < heads; hd++) {
    const q = qkv + (<usize>(hd * d) << 2);
    const k = q + (<usize>h << 2);
    const v = q + (<usize>(2 * h) << 2);
    quantize_rows(q, s, d, ld, qx, dp, qs, qz);
    pack_rows(k, s, d, ld, kw, dp, s8, scale, ks, ksum);
    gemm_u7i8(qx, s, dp, kw, s, s8, p, s8, qs, qz, ks, ksum, 0);
    for (let i = 0; i < s; i++) {
      const r = <usize>i << 2;
      softmaxQuantRow(p + (<usize>(i * s8) << 2), s, px + <usize>(i * s16), s16, ps + r, pz + r);
    }
    pack_cols(v, d, s, ld, vw, s16, d8, 1, vs, vsum);
    gemm_u7i8(px, s, s16, vw, d, d8, ctx + (<usize>(hd * d) << 2), h, ps, pz, vs, vsum, 0);
  }
}

/** Softmax of each of `rows` rows (n values, row stride ld floats), in place. */
export function softmax_rows(p: usize, rows: i32, n: i32, ld: i32): void {
  for (let i = 0; i < rows; i++) softmaxRow(p + (<usize>(i * ld) << 2), n);
}

/** Softmax of row[0..n) straight into 7-bit weights: q[j] = round(127·e^(x_j − max)), scale 1/(127·Σe). */
function softmaxQuantRow(row: usize, n: i32, q: usize, kp: i32, scale: usize, zero: usize): void {
  const m = rowMax(row, n);
  const vm = f32x4.splat(m);
  const c127 = f32x4.splat(127);
  let vsum = f32x4.splat(0);
  let j = 0;
  for (; j + 16 <= n; j += 16) {
    const o = row + (<usize>j << 2);
    const e0 = expSoftmax4(f32x4.sub(v128.load(o), vm));
    const e1 = expSoftmax4(f32x4.sub(v128.load(o, 16), vm));
    const e2 = expSoftmax4(f32x4.sub(v128.load(o, 32), vm));
    const e3 = expSoftmax4(f32x4.sub(v128.load(o, 48), vm));
    vsum = f32x4.add(vsum, f32x4.add(f32x4.add(e0, e1), f32x4.add(e2, e3)));
    const a = i16x8.narrow_i32x4_s(roundI32(f32x4.mul(e0, c127)), roundI32(f32x4.mul(e1, c127)));
    const b = i16x8.narrow_i32x4_s(roundI32(f32x4.mul(e2, c127)), roundI32(f32x4.mul(e3, c127)));
    v128.store(q + <usize>j, i8x16.narrow_i16x8_u(a, b));
  }
  let sum = hsum(vsum);
  for (; j < n; j++) {
    const e = f32x4.extract_lane(expSoftmax4(f32x4.splat(load<f32>(row + (<usize>j << 2)) - m)), 0);
    sum += e;
    store<u8>(q + <usize>j, <u8>(<i32>nearest<f32>(e * 127)));
  }
  for (; j < kp; j++) store<u8>(q + <usize>j, 0);
  store<f32>(scale, <f32>1 / (<f32>127 * sum));
  store<i32>(zero, 0);
}
