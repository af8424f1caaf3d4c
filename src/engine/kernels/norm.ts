/**
 * @module engine/kernels/norm
 * LayerNorm over the last axis, optionally after a residual add: x = LN(x + res) in place
 * (post-LN ALBERT: attention output + input, FFN output + attention block output).
 */
import { hsum } from "./vec";

/** x: f32 [m][n] (contiguous); res: f32 [m][n] or 0; gamma, beta: f32 [n]. */
export function add_layernorm(x: usize, res: usize, m: i32, n: i32, gamma: usize, beta: usize, eps: f32): void {
  const rowBytes = <usize>n << 2;
  for (let r = 0; r < m; r++) {
    const row = x + <usize>r * rowBytes;
    const rrow = res + <usize>r * rowBytes;
    let acc = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= n; c += 4) {
      const o = <usize>c << 2;
      let v = v128.load(row + o);
      if (res != 0) {
        v = f32x4.add(v, v128.load(rrow + o));
        v128.store(row + o, v);
      }
      acc = f32x4.add(acc, v);
    }
    let sum = hsum(acc);
    for (; c < n; c++) {
      const o = <usize>c << 2;
      let v = load<f32>(row + o);
      if (res != 0) {
        v += load<f32>(rrow + o);
        store<f32>(row + o, v);
      }
      sum += v;
    }
    const mean: f32 = sum / <f32>n;
    const vmean = f32x4.splat(mean);
    acc = f32x4.splat(0);
    c = 0;
    for (; c + 4 <= n; c += 4) {
      const d = f32x4.sub(v128.load(row + (<usize>c << 2)), vmean);
      acc = f32x4.add(acc, f32x4.mul(d, d));
    }
    let sq = hsum(acc);
    for (; c < n; c++) {
      const d = load<f32>(row + (<usize>c << 2)) - mean;
      sq += d * d;
    }
    const inv: f32 = <f32>1 / Mathf.sqrt(sq / <f32>n + eps);
    const vinv = f32x4.splat(inv);
    c = 0;
    for (; c + 4 <= n; c += 4) {
      const o = <usize>c << 2;
      const d = f32x4.mul(f32x4.sub(v128.load(row + o), vmean), vinv);
      v128.store(row + o, f32x4.add(f32x4.mul(d, v128.load(gamma + o)), v128.load(beta + o)));
    }
    for (; c < n; c++) {
      const o = <usize>c << 2;
      store<f32>(row + o, (load<f32>(row + o) - mean) * inv * load<f32>(gamma + o) + load<f32>(beta + o));
    }
  }
}
