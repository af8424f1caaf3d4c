/**
 * @module engine/kernels/quantize
 * Dynamic activation quantization, one scale and zero point per row (per token): the row's
 * range [min(x, 0), max(x, 0)] maps onto 0..127, the 7 bits the relaxed dot product's i7
 * operand allows. Per-row parameters keep every text's result independent of what else is in
 * the batch. q = clamp(round(x / scale) + zp, 0, 127); columns k..kp are written as 0.
 */
import { fmax, fmin, hmax, hmin, roundI32 } from "./vec";

/** x: f32 [m][ldx] (first k used) → out: u8 [m][kp], sa: f32 [m], za: i32 [m]. */
export function quantize_rows(x: usize, m: i32, k: i32, ldx: i32, out: usize, kp: i32, sa: usize, za: usize): void {
  for (let r = 0; r < m; r++) {
    const row = x + (<usize>r * <usize>ldx << 2);
    let vmin = f32x4.splat(0);
    let vmax = f32x4.splat(0);
    let c = 0;
    for (; c + 4 <= k; c += 4) {
      const v = v128.load(row + (<usize>c << 2));
      vmin = fmin(vmin, v);
      vmax = fmax(vmax, v);
    }
    let lo = hmin(vmin);
    let hi = hmax(vmax);
    for (; c < k; c++) {
      const v = load<f32>(row + (<usize>c << 2));
      lo = min<f32>(lo, v);
      hi = max<f32>(hi, v);
    }
    let scale: f32 = (hi - lo) / 127;
    let zp: i32 = 0;
    if (scale > 0 && isFinite<f32>(scale)) {
      zp = <i32>nearest<f32>(-lo / scale);
      zp = zp < 0 ? 0 : zp > 127 ? 127 : zp;
    } else {
      scale = 1;
    }
    store<f32>(sa + (<usize>r << 2), scale);
    store<i32>(za + (<usize>r << 2), zp);
    const inv = f32x4.splat(<f32>1 / scale);
    const z = i32x4.splat(zp);
    const cap = i8x16.splat(127);
    const o = out + <usize>r * <usize>kp;
    c = 0;
    for (; c + 16 <= k; c += 16) {
      const p = row + (<usize>c << 2);
      const q0 = i32x4.add(roundI32(f32x4.mul(v128.load(p), inv)), z);
      const q1 = i32x4.add(roundI32(f32x4.mul(v128.load(p, 16), inv)), z);
      const q2 = i32x4.add(roundI32(f32x4.mul(v128.load(p, 32), inv)), z);
      const q3 = i32x4.add(roundI32(f32x4.mul(v128.load(p, 48), inv)), z);
      const b = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3));
      v128.store(o + <usize>c, i8x16.min_u(b, cap));
    }
    const invs: f32 = <f32>1 / scale;
    for (; c < k; c++) {
      let q = <i32>nearest<f32>(load<f32>(row + (<usize>c << 2)) * invs) + zp;
      q = q < 0 ? 0 : q > 127 ? 127 : q;
      store<u8>(o + <usize>c, <u8>q);
    }
    for (; c < kp; c++) store<u8>(o + <usize>c, 0);
  }
}
