/**
 * @module engine/kernels/embed
 * ALBERT embeddings for one sequence: word row (int8 × row scale) + position row (int8 × row
 * scale) + token-type row (f32), then LayerNorm over E. The E→H projection that follows is an
 * ordinary int8 GEMM, run by the caller.
 */
import { add_layernorm } from "./norm";

// @ts-ignore: decorator
@inline function i8x4ToF32(p: usize): v128 {
  return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(p))));
}

/** out: f32 [s][e]. ids, types: i32 [s]; word: i8 [V][e], wscale: f32 [V]; pos: i8 [P][e], pscale: f32 [P]; type: f32 [T][e]. */
export function embed(ids: usize, types: usize, s: i32, e: i32, word: usize, wscale: usize, pos: usize, pscale: usize, type: usize, gamma: usize, beta: usize, eps: f32, out: usize): void {
  const eb = <usize>e;
  for (let t = 0; t < s; t++) {
    const id = <usize>load<i32>(ids + (<usize>t << 2));
    const ty = <usize>load<i32>(types + (<usize>t << 2));
    const w = word + id * eb;
    const ws = f32x4.splat(load<f32>(wscale + (id << 2)));
    const pp = pos + <usize>t * eb;
    const ps = f32x4.splat(load<f32>(pscale + (<usize>t << 2)));
    const tp = type + ((ty * eb) << 2);
    const o = out + ((<usize>t * eb) << 2);
    let c = 0;
    for (; c + 4 <= e; c += 4) {
      const cb = <usize>c;
      const v = f32x4.add(f32x4.add(f32x4.mul(i8x4ToF32(w + cb), ws), f32x4.mul(i8x4ToF32(pp + cb), ps)), v128.load(tp + (cb << 2)));
      v128.store(o + (cb << 2), v);
    }
    const wss = f32x4.extract_lane(ws, 0);
    const pss = f32x4.extract_lane(ps, 0);
    for (; c < e; c++) {
      const cb = <usize>c;
      store<f32>(o + (cb << 2), <f32>load<i8>(w + cb) * wss + <f32>load<i8>(pp + cb) * pss + load<f32>(tp + (cb << 2)));
    }
  }
  add_layernorm(out, 0, s, e, gamma, beta, eps);
}
