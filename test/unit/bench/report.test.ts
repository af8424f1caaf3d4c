/**
 * @module test/unit/bench/report
 * The benchmark's goal verdicts and RESULTS.md rendering (bench/lib/report.ts): directions and
 * boundaries of each goal, missing figures reported as not measured, and the engine comparison
 * rendered from results.json's shape.
 */
import { describe, expect, it } from "vitest";
import { goalsOf, judge, renderMarkdown, type ModelResult, type Output } from "../../../bench/lib/report.ts";

describe("judge", () => {
  it("applies each goal's direction, boundary included", () => {
    expect(judge("workerd_vs_native_p50_32", 2).met).toBe(true);
    expect(judge("workerd_vs_native_p50_32", 2.01).met).toBe(false);
    expect(judge("speedup_vs_ort_workerd_32", 2).met).toBe(true);
    expect(judge("speedup_vs_ort_workerd_512", 1.99).met).toBe(false);
    expect(judge("cold_start", 99, "sentiment")).toMatchObject({ model: "sentiment", value: 99, unit: "ms", target: "≤ 100", met: true });
    expect(judge("peak_isolate_memory_512", 32.5).met).toBe(false);
    expect(judge("bundle_gzip", 0.06).met).toBe(true);
  });

  it("reports a missing or non-finite figure as not measured", () => {
    expect(judge("cold_start", null)).toMatchObject({ value: null, met: null });
    expect(judge("speedup_vs_ort_workerd_32", Number.NaN)).toMatchObject({ value: null, met: null });
    expect(judge("speedup_vs_ort_workerd_32", undefined).met).toBeNull();
  });
});

function model(overrides: Partial<ModelResult> = {}): ModelResult {
  return {
    shape: { E: 128, H: 256, heads: 4, I: 1024, layers: 6, groups: 1 },
    format: { quantization: "int8-per-channel", int8_matmul: "dynamic", graph: "fused", version: "0" },
    shard_bytes: 5 << 20,
    engines: { workerd: "wasm-simd/vnni", "workerd-ort": "onnxruntime-web", native: "onnxruntime-node" },
    kernel_paths: { workerd_default: "vnni", node_default: "vnni", node_without_avx_vnni: "relaxed" },
    cold_start_ms: 80,
    cold_start_samples_ms: [80, 75, 90],
    cold_start_ms_ort: 400,
    cold_start_samples_ms_ort: [400],
    warm_p50_ms: { workerd: { "32": 3, "512": 50 }, "workerd-ort": { "32": 9, "512": 90 }, native: { "32": 1.5, "512": 30 } },
    warm_p95_ms: { workerd: { "32": 4, "512": 60 }, "workerd-ort": { "32": 10, "512": 99 }, native: { "32": 2, "512": 31 } },
    http_overhead_ms: 0.7,
    cache_hit_ms: 0.8,
    cache_hit_p95_ms: 1.1,
    cache_hit_x_cache: "hit-memory",
    cache_hit_ms_ort: 0.9,
    throughput: { workerd: { "1": { rps: 300, latency_p50_ms: 3, latency_p95_ms: 4, requests: 100 } } },
    peak_memory_mb: 20,
    peak_memory_mb_512: 20,
    peak_memory_mb_ort: 50,
    peak_memory_mb_512_ort: 50,
    process_rss_growth_mb: 30,
    process_rss_growth_mb_ort: 190,
    memory: { workerd: {}, node: {} },
    early_p50_ms_32: { workerd: 3.5 },
    load_ms: {},
    stages_ms: {},
    workerd_in_isolate_ms_32: { default: 1.1, vnni: 1.1, relaxed: 1.5, simd128: 2.5 },
    workerd_ort_in_isolate_ms_32: 6.2,
    ratio_workerd_to_native_p50_32: 2,
    ratio_workerd_minus_http_to_native_p50_32: 1.53,
    ratio_workerd_in_isolate_to_native_p50_32: 0.73,
    ratio_workerd_ort_to_native_p50_32: 6,
    ratio_node_to_native_p50_32: null,
    ratio_node_ort_web_to_native_p50_32: null,
    speedup_workerd_ours_vs_ort_p50: { "32": 3.2, "512": 1.7 },
    speedup_workerd_interleaved: { "32": { pairs: 20, ours_p50_ms: 3, ort_p50_ms: 9, speedup: 3 }, "512": { pairs: 5, ours_p50_ms: 50, ort_p50_ms: 90, speedup: 1.8 } },
    speedup_workerd_in_isolate_ours_vs_ort_32: 5.64,
    speedup_node_ours_vs_ort_web_p50: { "32": null, "512": null },
    ratio_naive_to_workerd_p50_32: null,
    ratio_naive_to_node_ort_web_p50_32: null,
    max_abs_logit_diff_32: { node_vs_native: null },
    ...overrides,
  };
}

function output(): Output {
  return {
    date: "2026-11-30T00:00:00.000Z",
    quick: true,
    machine: { cpu: "test cpu", cores: 2, cpu_vnni: { avx_vnni: true, avx512_vnni: false }, load_average_at_start: [1, 1, 1], load_average_at_end: [1, 1, 1] },
    versions: { node: "v24" },
    tokens: [32, 512],
    bundle: { product: { config: "wrangler.toml", bytes: 230_000, gzip_bytes: 60_000, contains_ort: false, files: { "index.js": 216_000 } }, bench_ort: null },
    goals: [judge("speedup_vs_ort_workerd_32", 3, "sentiment"), judge("speedup_vs_ort_workerd_512", 1.8, "sentiment"), judge("cold_start", null, "sentiment")],
    models: { sentiment: model() },
    duration_s: 12,
  };
}

describe("goalsOf", () => {
  it("judges every goal per model from its figures, then the product bundle", () => {
    const goals = goalsOf({ models: { sentiment: model(), base: model({ cold_start_ms: 150, peak_memory_mb_512: null, speedup_workerd_interleaved: null }) }, bundle: output().bundle });
    expect(goals.map((g) => `${g.model ?? "-"} ${g.id} ${String(g.met)}`)).toEqual([
      "sentiment workerd_vs_native_p50_32 true",
      "sentiment speedup_vs_ort_workerd_32 true",
      "sentiment speedup_vs_ort_workerd_512 false",
      "sentiment cold_start true",
      "sentiment peak_isolate_memory_512 true",
      "base workerd_vs_native_p50_32 true",
      "base speedup_vs_ort_workerd_32 true",
      "base speedup_vs_ort_workerd_512 false",
      "base cold_start false",
      "base peak_isolate_memory_512 null",
      "- bundle_gzip true",
    ]);
    // The speed-up comes from the interleaved requests; a run without them falls back, and says so.
    expect(goals[1]).toMatchObject({ value: 3, label: expect.stringMatching(/requests interleaved in one isolate, 32 tokens$/) });
    expect(goals[6]).toMatchObject({ value: 3.2, label: expect.stringMatching(/two separate workerd runs, 32 tokens$/) });
  });
});

describe("renderMarkdown", () => {
  const md = renderMarkdown(output());

  it("opens with every goal and its verdict", () => {
    const goals = md.slice(md.indexOf("#### Goals"), md.indexOf("| Worker bundle"));
    expect(goals).toMatch(/32 tokens \| sentiment \| 3\.00 × \| ≥ 2 × \| \*\*met\*\* \|/);
    expect(goals).toMatch(/512 tokens \| sentiment \| 1\.80 × \| ≥ 2 × \| \*\*not met\*\* \|/);
    expect(goals).toMatch(/\| sentiment \| — ms \| ≤ 100 ms \| not measured \|/);
  });

  it("renders both engines in workerd, the speed-ups and the kernel paths", () => {
    expect(md).toContain("| **workerd, our engine** (the Worker, loopback HTTP) | wasm-simd/vnni | 3.00 / 4.00 | 50.0 / 60.0 |");
    expect(md).toContain("| workerd, ORT-web engine (bench build with ORT) | onnxruntime-web | 9.00 / 10.0 | 90.0 / 99.0 |");
    expect(md).toContain("| **workerd, requests interleaved in one isolate** (the goals' figure; ORT / ours p50, ms) | **3.00×** (9.00 / 3.00, 20 pairs) | **1.80×** (90.0 / 50.0, 5 pairs) |");
    expect(md).toContain("| workerd, the two separate runs above (HTTP incl.) | 3.20× | 1.70× |");
    expect(md).toContain("| 1.100 ms | 1.100 ms | 1.500 ms | 2.500 ms | 6.200 ms | 5.64× |");
    expect(md).toContain("workerd's probe chose `vnni`");
    // Runtimes this run did not measure get no row.
    expect(md).not.toContain("Node, ORT-web WASM engine");
  });

  it("says whether each bundle carries ORT", () => {
    expect(md).toMatch(/\| \*\*product\*\* \(`wrangler.toml`: index\.js 211 KiB\) \| 0\.22 MiB \| 0\.06 MiB \| no \|/);
  });
});
