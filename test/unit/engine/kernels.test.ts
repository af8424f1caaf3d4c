/**
 * @module test/unit/engine/kernels
 * Every WASM kernel against a scalar reference written here, on odd shapes (not multiples of 4,
 * 8 or 16), on each kernel path: `vnni` and `relaxed` in the relaxed-SIMD build, `simd128` in
 * the plain build. The int8 GEMM must give exact integers on every path; fp32 kernels agree with
 * the reference to float rounding. Also the behaviour probe, in this process and in a Node whose
 * V8 may not use AVX-VNNI (`--no-enable-avx-vnni`).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { instantiateKernels, KERNEL_PATHS, type KernelPath, type Kernels } from "../../../src/engine/kernels.ts";
import { engineModules } from "../../../src/node/engine-modules.ts";
import { repoRoot } from "../../support/paths.ts";
import { Rng } from "../../support/random.ts";

const BASE = 1 << 20;

/** Kernels with a scratch bump allocator over their memory. */
async function setup(path: KernelPath): Promise<{ k: Kernels["exports"]; alloc: (bytes: number) => number; kernels: Kernels }> {
  const kernels = await instantiateKernels(await engineModules(), path);
  const k = kernels.exports;
  k.memory.grow(64); // 4 MiB beyond the initial page
  let top = BASE;
  return { k, kernels, alloc: (bytes) => ((top = Math.ceil((top + bytes) / 64) * 64), top - Math.ceil(bytes / 64) * 64) };
}

const f32 = (k: Kernels["exports"], at: number, n: number) => new Float32Array(k.memory.buffer, at, n);
const i32 = (k: Kernels["exports"], at: number, n: number) => new Int32Array(k.memory.buffer, at, n);
const u8 = (k: Kernels["exports"], at: number, n: number) => new Uint8Array(k.memory.buffer, at, n);
const i8 = (k: Kernels["exports"], at: number, n: number) => new Int8Array(k.memory.buffer, at, n);

/** erf to ~1e-12 for a reference: Maclaurin series below 3, asymptotic expansion above. */
function erf(x: number): number {
  const t = Math.abs(x);
  if (t < 3) {
    let sum = t;
    let term = t;
    for (let n = 1; n < 100; n++) {
      term *= (-t * t) / n;
      sum += term / (2 * n + 1);
      if (Math.abs(term) < 1e-17) break;
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - Math.exp(-t * t) / (t * Math.sqrt(Math.PI)) * (1 - 1 / (2 * t * t) + 3 / (4 * t ** 4)));
}

describe.each(KERNEL_PATHS)("WASM kernels, %s path", (path) => {
  it("int8 GEMM: exact integers and rescale on odd shapes", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(path.length * 31 + 7);
    for (const [m, kk, n] of [[1, 3, 1], [3, 20, 9], [5, 36, 13], [17, 100, 30], [4, 16, 8], [9, 260, 70]] as const) {
      const kp = Math.ceil(kk / 16) * 16;
      const np = Math.ceil(n / 8) * 8;
      const a = alloc(m * kp), w = alloc(kp * np), sa = alloc(m * 4), za = alloc(m * 4), ws = alloc(np * 4), wsum = alloc(np * 4), bias = alloc(np * 4), out = alloc(m * (n + 3) * 4);
      const A = Array.from({ length: m }, () => Array.from({ length: kk }, () => Math.floor(rng.next() * 128)));
      const W = Array.from({ length: n }, () => Array.from({ length: kk }, () => Math.floor(rng.next() * 255) - 127));
      u8(k, a, m * kp).fill(0);
      A.forEach((row, r) => row.forEach((v, c) => (u8(k, a, m * kp)[r * kp + c] = v)));
      const packed = i8(k, w, kp * np).fill(0);
      W.forEach((row, j) => row.forEach((v, c) => (packed[(j >> 2) * (kp >> 2) * 16 + (c >> 2) * 16 + (j & 3) * 4 + (c & 3)] = v)));
      const sums = W.map((row) => row.reduce((s, v) => s + v, 0));
      const ldo = n + 3;
      // 1) Exact integers: unit scales, zero points 0, no bias.
      f32(k, sa, m).fill(1);
      i32(k, za, m).fill(0);
      f32(k, ws, np).fill(1);
      i32(k, wsum, np).set([...sums, ...Array(np - n).fill(0)]);
      f32(k, out, m * ldo).fill(-999);
      k.gemm_u7i8(a, m, kp, w, n, np, out, ldo, sa, za, ws, wsum, 0);
      const o = f32(k, out, m * ldo);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) expect(o[r * ldo + j]).toBe(A[r]!.reduce((s, v, c) => s + v * W[j]![c]!, 0));
        for (let j = n; j < ldo; j++) expect(o[r * ldo + j]).toBe(-999); // nothing written past n
      }
      // 2) Scales, zero points and bias.
      const SA = A.map(() => 0.001 + rng.next() * 0.05), ZA = A.map(() => Math.floor(rng.next() * 128));
      const WS = W.map(() => 0.001 + rng.next() * 0.02), B = W.map(() => rng.next() - 0.5);
      f32(k, sa, m).set(SA);
      i32(k, za, m).set(ZA);
      f32(k, ws, np).set([...WS, ...Array(np - n).fill(0)]);
      f32(k, bias, np).set([...B, ...Array(np - n).fill(0)]);
      k.gemm_u7i8(a, m, kp, w, n, np, out, ldo, sa, za, ws, wsum, bias);
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) {
          const acc = A[r]!.reduce((s, v, c) => s + (v - ZA[r]!) * W[j]![c]!, 0);
          const want = SA[r]! * WS[j]! * acc + B[j]!;
          expect(Math.abs(f32(k, out, m * ldo)[r * ldo + j]! - want)).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(want)));
        }
      }
    }
  });

  it("per-row 7-bit quantization: range, zero point, rounding, padding", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(99);
    for (const [m, kk, kp] of [[1, 1, 16], [3, 21, 32], [2, 48, 48], [4, 7, 16]] as const) {
      const x = alloc(m * kk * 4), q = alloc(m * kp), sa = alloc(m * 4), za = alloc(m * 4);
      const rows = Array.from({ length: m }, (_, r) => Array.from({ length: kk }, () => Math.fround((rng.next() - (r === 1 ? 0.1 : 0.5)) * (r + 1) * 3)));
      f32(k, x, m * kk).set(rows.flat());
      u8(k, q, m * kp).fill(255);
      k.quantize_rows(x, m, kk, kk, q, kp, sa, za);
      rows.forEach((row, r) => {
        const lo = Math.min(0, ...row), hi = Math.max(0, ...row);
        const scale = Math.fround((hi - lo) / 127);
        expect(f32(k, sa, m)[r]).toBeCloseTo(scale, 6);
        const zp = Math.round(-lo / scale);
        expect(i32(k, za, m)[r]).toBe(Math.min(127, Math.max(0, zp)));
        row.forEach((v, c) => {
          const got = u8(k, q, m * kp)[r * kp + c]!;
          expect(got).toBeLessThanOrEqual(127);
          expect(Math.abs((got - zp) * scale - v)).toBeLessThanOrEqual(scale * 0.5 + 1e-6);
        });
        for (let c = kk; c < kp; c++) expect(u8(k, q, m * kp)[r * kp + c]).toBe(0);
      });
    }
  });

  it("attention: softmax(QKᵀ/√D)·V per head on odd lengths and head sizes", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(5);
    for (const [s, h, heads] of [[1, 8, 2], [5, 12, 3], [13, 36, 4], [33, 64, 2]] as const) {
      const d = h / heads;
      const sp = Math.ceil(s / 8) * 8;
      const qkv = alloc(s * 3 * h * 4), ctx = alloc(s * h * 4), kt = alloc(d * sp * 4), p = alloc(s * sp * 4);
      const X = Array.from({ length: s * 3 * h }, () => Math.fround((rng.next() - 0.5) * 4));
      f32(k, qkv, s * 3 * h).set(X);
      k.attention(qkv, s, h, heads, ctx, kt, p);
      const at = (t: number, c: number) => X[t * 3 * h + c]!;
      for (let hd = 0; hd < heads; hd++) {
        for (let i = 0; i < s; i++) {
          const scores = Array.from({ length: s }, (_, j) => {
            let dot = 0;
            for (let c = 0; c < d; c++) dot += at(i, hd * d + c) * at(j, h + hd * d + c);
            return dot / Math.sqrt(d);
          });
          const max = Math.max(...scores);
          const e = scores.map((v) => Math.exp(v - max));
          const sum = e.reduce((a, b) => a + b, 0);
          for (let c = 0; c < d; c++) {
            const want = e.reduce((acc, w, j) => acc + (w / sum) * at(j, 2 * h + hd * d + c), 0);
            expect(Math.abs(f32(k, ctx, s * h)[i * h + hd * d + c]! - want)).toBeLessThanOrEqual(2e-5);
          }
        }
      }
    }
  });

  it("int8 attention (both products on the int8 GEMM) stays close to the fp64 reference", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(8);
    for (const [s, h, heads] of [[1, 8, 2], [7, 36, 4], [40, 64, 2]] as const) {
      const sp = Math.ceil(s / 8) * 8;
      const qkv = alloc(s * 3 * h * 4), ctx = alloc(s * h * 4), p = alloc(s * sp * 4), scratch = alloc(k.attention_int8_scratch(s, h, heads));
      const X = Array.from({ length: s * 3 * h }, () => Math.fround((rng.next() - 0.5) * 4));
      f32(k, qkv, s * 3 * h).set(X);
      k.attention_int8(qkv, s, h, heads, ctx, p, scratch);
      const d = h / heads;
      const at = (t: number, c: number) => X[t * 3 * h + c]!;
      let worst = 0;
      for (let hd = 0; hd < heads; hd++) {
        for (let i = 0; i < s; i++) {
          const scores = Array.from({ length: s }, (_, j) => Array.from({ length: d }, (_, c) => at(i, hd * d + c) * at(j, h + hd * d + c)).reduce((a, b) => a + b, 0) / Math.sqrt(d));
          const e = scores.map((v) => Math.exp(v - Math.max(...scores)));
          const sum = e.reduce((a, b) => a + b, 0);
          for (let c = 0; c < d; c++) {
            const want = e.reduce((acc, w, j) => acc + (w / sum) * at(j, 2 * h + hd * d + c), 0);
            worst = Math.max(worst, Math.abs(f32(k, ctx, s * h)[i * h + hd * d + c]! - want));
          }
        }
      }
      // Values are in ±2: 7/8-bit operands leave errors of a few hundredths at most.
      expect(worst).toBeLessThanOrEqual(0.06);
    }
  });

  it("run-time int8 packing of rows and of columns: values, layout, scales, sums", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(4);
    for (const [rows, cols] of [[5, 7], [8, 16], [13, 36]] as const) {
      const src = alloc(rows * cols * 4);
      const M = Array.from({ length: rows * cols }, () => Math.fround((rng.next() - 0.5) * 6));
      f32(k, src, rows * cols).set(M);
      for (const kind of ["rows", "cols"] as const) {
        // rows: W[n][k] = M[n][k]; cols: W[n][k] = M[k][n].
        const [n, kk] = kind === "rows" ? [rows, cols] : [cols, rows];
        const value = (j: number, c: number) => (kind === "rows" ? M[j * cols + c]! : M[c * cols + j]!);
        const kp = Math.ceil(kk / 16) * 16, np = Math.ceil(n / 8) * 8;
        const dst = alloc(kp * np), scales = alloc(np * 4), sums = alloc(np * 4);
        i8(k, dst, kp * np).fill(99);
        (kind === "rows" ? k.pack_rows : k.pack_cols)(src, n, kk, cols, dst, kp, np, 0.5, scales, sums);
        const W = i8(k, dst, kp * np);
        for (let j = 0; j < np; j++) {
          const max = j < n ? Math.max(...Array.from({ length: kk }, (_, c) => Math.abs(value(j, c)))) : 0;
          const scale = max / 127;
          expect(f32(k, scales, np)[j]).toBeCloseTo(j < n ? scale * 0.5 : 0, 6);
          let sum = 0;
          for (let c = 0; c < kp; c++) {
            const got = W[(j >> 2) * (kp >> 2) * 16 + (c >> 2) * 16 + (j & 3) * 4 + (c & 3)]!;
            const want = j < n && c < kk ? Math.round(value(j, c) / scale) : 0;
            expect(Math.abs(got - want)).toBeLessThanOrEqual(j < n && c < kk ? 1 : 0);
            sum += got;
          }
          expect(i32(k, sums, np)[j]).toBe(sum);
        }
      }
    }
  });

  it("residual + LayerNorm, activations (gelu erf, gelu tanh, relu), tanh", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(17);
    const [m, n] = [3, 19];
    const x = alloc(m * n * 4), r = alloc(m * n * 4), g = alloc(n * 4), b = alloc(n * 4);
    const X = Array.from({ length: m * n }, () => Math.fround(rng.next() * 6 - 3)), R = X.map(() => Math.fround(rng.next() - 0.5));
    const G = Array.from({ length: n }, () => Math.fround(0.5 + rng.next())), Bv = Array.from({ length: n }, () => Math.fround(rng.next() - 0.5));
    f32(k, x, m * n).set(X);
    f32(k, r, m * n).set(R);
    f32(k, g, n).set(G);
    f32(k, b, n).set(Bv);
    k.add_layernorm(x, r, m, n, g, b, 1e-12);
    for (let row = 0; row < m; row++) {
      const v = X.slice(row * n, row * n + n).map((a, c) => a + R[row * n + c]!);
      const mean = v.reduce((a, c) => a + c, 0) / n;
      const varr = v.reduce((a, c) => a + (c - mean) ** 2, 0) / n;
      v.forEach((a, c) => {
        const want = ((a - mean) / Math.sqrt(varr + 1e-12)) * G[c]! + Bv[c]!;
        expect(Math.abs(f32(k, x, m * n)[row * n + c]! - want)).toBeLessThanOrEqual(1e-5);
      });
    }
    const acts: [number, (v: number) => number][] = [
      [0, (v) => 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)))],
      [1, (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
      [2, (v) => Math.max(0, v)],
    ];
    const wide = Array.from({ length: 4 * 21 }, (_, i) => Math.fround(-12 + (24 * i) / 83));
    for (const [code, ref] of acts) {
      f32(k, x, wide.length).set(wide);
      k.activate(x, 4, 21, 21, code);
      wide.forEach((v, i) => expect(Math.abs(f32(k, x, wide.length)[i]! - ref(v))).toBeLessThanOrEqual(2e-6 * (1 + Math.abs(v))));
    }
    f32(k, x, wide.length).set(wide);
    k.tanh_inplace(x, wide.length - 1);
    wide.slice(0, -1).forEach((v, i) => expect(Math.abs(f32(k, x, wide.length)[i]! - Math.tanh(v))).toBeLessThanOrEqual(2e-6));
    expect(f32(k, x, wide.length)[wide.length - 1]).toBe(wide[wide.length - 1]);
  });

  it("embeddings: int8 word and position rows × row scales + token type, LayerNorm", async () => {
    const { k, alloc } = await setup(path);
    const rng = new Rng(3);
    const [V, P, T, E, S] = [11, 9, 2, 13, 6];
    const ids = alloc(S * 4), types = alloc(S * 4), word = alloc(V * E), wsc = alloc(V * 4), pos = alloc(P * E), psc = alloc(P * 4), type = alloc(T * E * 4), g = alloc(E * 4), b = alloc(E * 4), out = alloc(S * E * 4);
    const Wq = Array.from({ length: V * E }, () => Math.floor(rng.next() * 255) - 127), Pq = Array.from({ length: P * E }, () => Math.floor(rng.next() * 255) - 127);
    const Ws = Array.from({ length: V }, () => Math.fround(rng.next() * 0.02)), Ps = Array.from({ length: P }, () => Math.fround(rng.next() * 0.02));
    const Ty = Array.from({ length: T * E }, () => Math.fround(rng.next() - 0.5));
    const I = [2, 10, 0, 5, 5, 3], Ts = [0, 0, 1, 1, 0, 1];
    i32(k, ids, S).set(I);
    i32(k, types, S).set(Ts);
    i8(k, word, V * E).set(Wq);
    f32(k, wsc, V).set(Ws);
    i8(k, pos, P * E).set(Pq);
    f32(k, psc, P).set(Ps);
    f32(k, type, T * E).set(Ty);
    f32(k, g, E).fill(1);
    f32(k, b, E).fill(0);
    k.embed(ids, types, S, E, word, wsc, pos, psc, type, g, b, 1e-12, out);
    for (let t = 0; t < S; t++) {
      const v = Array.from({ length: E }, (_, c) => Wq[I[t]! * E + c]! * Ws[I[t]!]! + Pq[t * E + c]! * Ps[t]! + Ty[Ts[t]! * E + c]!);
      const mean = v.reduce((a, c) => a + c, 0) / E;
      const sd = Math.sqrt(v.reduce((a, c) => a + (c - mean) ** 2, 0) / E + 1e-12);
      v.forEach((a, c) => expect(Math.abs(f32(k, out, S * E)[t * E + c]! - (a - mean) / sd)).toBeLessThanOrEqual(1e-4));
    }
  });
});

describe("kernel path choice", () => {
  const probeScript = `
    const { instantiateKernels } = await import("./src/engine/kernels.ts");
    const { engineModules } = await import("./src/node/engine-modules.ts");
    const k = await instantiateKernels(await engineModules());
    console.log(JSON.stringify({ probe: k.probe, path: k.path }));`;
  const probe = (flags: string[]) => {
    const out = spawnSync(process.execPath, [...flags, "--experimental-strip-types", "--no-warnings", "--input-type=module", "-e", probeScript], { cwd: repoRoot, encoding: "utf8" });
    expect(out.stderr).toBe("");
    return JSON.parse(out.stdout) as { probe: string; path: string };
  };

  it("picks vnni where V8 emits vpdpbusd, relaxed where the dot is emulated (--no-enable-avx-vnni)", () => {
    const cpuHasAvxVnni = / avx_vnni /.test(readFileSync("/proc/cpuinfo", "utf8").replace(/\n/g, " "));
    const plain = probe([]);
    expect(plain).toEqual(cpuHasAvxVnni ? { probe: "vnni", path: "vnni" } : { probe: "pmaddubsw", path: "relaxed" });
    expect(probe(["--no-enable-avx-vnni"])).toEqual({ probe: "pmaddubsw", path: "relaxed" });
  });

  it("forcing a path selects it; the plain build has only simd128", async () => {
    const modules = await engineModules();
    for (const path of KERNEL_PATHS) expect((await instantiateKernels(modules, path)).path).toBe(path);
    const plain = await instantiateKernels({ ...(modules.simd128 === undefined ? {} : { simd128: modules.simd128 }) });
    expect(plain).toMatchObject({ path: "simd128", probe: "none" });
    await expect(instantiateKernels({ ...(modules.simd128 === undefined ? {} : { simd128: modules.simd128 }) }, "vnni")).rejects.toThrow(/relaxed-SIMD module/);
  });
});
