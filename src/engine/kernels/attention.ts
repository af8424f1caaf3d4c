/**
 * @module engine/kernels/attention
 * fp32 multi-head self-attention over one sequence (no padding, no mask), head by head:
 * K_h transposed into `kt`, scores P = Q_h·K_hᵀ/√D (4 queries × 8 keys per tile, keys along the
 * vector lanes), row softmax, then context = P·V_h (4 queries × 8 dims per tile) written into
 * its head's columns of `ctx`.
 *
 * qkv: f32 [s][3h] (Q | K | V columns, as the packed QKV projection writes them);
 * ctx: f32 [s][h]; kt: scratch f32 [h/heads][sp]; p: scratch f32 [s][sp]; sp = s rounded up to 8.
 */
import { exp4 } from "./math";
import { hmax, hsum, madd } from "./vec";

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
      const q1 = q0 + ld;
      const q2 = q1 + ld;
      const q3 = q2 + ld;
      for (let j = 0; j < sp; j += 8) {
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        let kp = kt + (<usize>j << 2);
        for (let c: usize = 0; c < <usize>d << 2; c += 4) {
          const b0 = v128.load(kp);
          const b1 = v128.load(kp, 16);
          kp += spB;
          let x = splatAt(q0 + c);
          c00 = madd(x, b0, c00);
          c01 = madd(x, b1, c01);
          x = splatAt(q1 + c);
          c10 = madd(x, b0, c10);
          c11 = madd(x, b1, c11);
          x = splatAt(q2 + c);
          c20 = madd(x, b0, c20);
          c21 = madd(x, b1, c21);
          x = splatAt(q3 + c);
          c30 = madd(x, b0, c30);
          c31 = madd(x, b1, c31);
        }
        const o = p + <usize>i * spB + (<usize>j << 2);
        v128.store(o, f32x4.mul(c00, scale));
        v128.store(o, f32x4.mul(c01, scale), 16);
        v128.store(o + spB, f32x4.mul(c10, scale));
        v128.store(o + spB, f32x4.mul(c11, scale), 16);
        v128.store(o + 2 * spB, f32x4.mul(c20, scale));
        v128.store(o + 2 * spB, f32x4.mul(c21, scale), 16);
        v128.store(o + 3 * spB, f32x4.mul(c30, scale));
        v128.store(o + 3 * spB, f32x4.mul(c31, scale), 16);
      }
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
      for (; c + 8 <= d; c += 8) {
        let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c10 = f32x4.splat(0), c11 = f32x4.splat(0);
        let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c30 = f32x4.splat(0), c31 = f32x4.splat(0);
        let vp = v + (<usize>c << 2);
        for (let j: usize = 0; j < <usize>s << 2; j += 4) {
          const b0 = v128.load(vp);
          const b1 = v128.load(vp, 16);
          vp += ld;
          let x = splatAt(p0 + j);
          c00 = madd(x, b0, c00);
          c01 = madd(x, b1, c01);
          x = splatAt(p0 + spB + j);
          c10 = madd(x, b0, c10);
          c11 = madd(x, b1, c11);
          x = splatAt(p0 + 2 * spB + j);
          c20 = madd(x, b0, c20);
          c21 = madd(x, b1, c21);
          x = splatAt(p0 + 3 * spB + j);
          c30 = madd(x, b0, c30);
          c31 = madd(x, b1, c31);
        }
        const o = out + (<usize>c << 2);
        v128.store(o, c00);
        v128.store(o, c01, 16);
        v128.store(o + ctxB, c10);
        v128.store(o + ctxB, c11, 16);
        v128.store(o + 2 * ctxB, c20);
        v128.store(o + 2 * ctxB, c21, 16);
        v128.store(o + 3 * ctxB, c30);
        v128.store(o + 3 * ctxB, c31, 16);
      }
      for (let r = 0; r < 4; r++) contextTail(p0 + <usize>r * spB, v, ld, s, c, d, out + <usize>r * ctxB);
    }
    for (; i < s; i++) contextTail(p + <usize>i * spB, v, ld, s, 0, d, ctx + <usize>i * ctxB + (<usize>(hd * d) << 2));
  }
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

/** In-place softmax of row[0..n). */
function softmaxRow(row: usize, n: i32): void {
  let vmax = f32x4.splat(-Infinity);
  let j = 0;
  for (; j + 4 <= n; j += 4) vmax = f32x4.max(vmax, v128.load(row + (<usize>j << 2)));
  let m = hmax(vmax);
  for (; j < n; j++) m = max<f32>(m, load<f32>(row + (<usize>j << 2)));
  const vm = f32x4.splat(m);
  let vsum = f32x4.splat(0);
  j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = row + (<usize>j << 2);
    const e = exp4(f32x4.sub(v128.load(o), vm));
    v128.store(o, e);
    vsum = f32x4.add(vsum, e);
  }
  let sum = hsum(vsum);
  for (; j < n; j++) {
    const o = row + (<usize>j << 2);
    const e = f32x4.extract_lane(exp4(f32x4.splat(load<f32>(o) - m)), 0);
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
