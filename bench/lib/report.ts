/**
 * @module bench/lib/report
 * Renders bench/results.json as the markdown tables of bench/RESULTS.md (generated section).
 */
import type { IsolateMemory } from "./inspector.ts";

interface ModelResult {
  shape: { E: number; H: number; heads: number; I: number; layers: number; groups: number };
  format: { quantization: string; int8_matmul: string | null; graph: string; version: string };
  shard_bytes: number;
  cold_start_ms: number | null;
  cold_start_samples_ms: number[];
  warm_p50_ms: Record<string, Record<string, number>>;
  warm_p95_ms: Record<string, Record<string, number>>;
  http_overhead_ms: number | null;
  cache_hit_ms: number | null;
  cache_hit_p95_ms: number | null;
  cache_hit_x_cache: string | null;
  throughput_rps: Record<string, number>;
  throughput: Record<string, { rps: number; latency_p50_ms: number; latency_p95_ms: number; requests: number }>;
  /** Peak isolate memory in workerd (V8 inspector). */
  peak_memory_mb: number | null;
  memory: {
    workerd_isolate: IsolateMemory | null;
    workerd_process: ProcessMemory | null;
    node: Record<string, { peak_rss_mb: number; baseline_rss_mb: number; wasm_memory_mb: number; heap_used_mb: number; external_mb: number }>;
  };
  early_p50_ms_32: Record<string, number>;
  bundle_bytes: number | null;
  bundle_gzip_bytes: number | null;
  load_ms: Record<string, { load: number; first_call: number }>;
  tokenize_ms: Record<string, number>;
  stages_ms: Record<string, Record<string, Record<string, number>>>;
  ratio_workerd_to_native_p50_32: number;
  workerd_in_isolate_ms_32: number | null;
  ratio_workerd_in_isolate_to_native_p50_32: number;
  ratio_workerd_in_isolate_to_node_wasm_p50_32: number;
  ratio_workerd_minus_http_to_native_p50_32: number;
  ratio_node_wasm_to_native_p50_32: number;
  ratio_naive_to_workerd_p50_32: number;
  ratio_naive_to_node_wasm_p50_32: number;
}

/** The runtime workerd process's memory over one run (also the shape bench/run.ts records). */
export interface ProcessMemory {
  idle_rss_mb: number;
  peak_rss_mb: number;
  peak_minus_idle_mb: number;
  steady_rss_mb: number;
  steady_minus_idle_mb: number;
  wasm_memory_mb: number;
}

interface Output {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; load_average_at_start: number[]; load_average_at_end: number[] };
  versions: Record<string, string>;
  tokens: number[];
  bundle: { bytes: number; gzip_bytes: number; files: Record<string, number> } | null;
  models: Record<string, ModelResult>;
  duration_s: number;
}

const RUNTIMES: [string, string][] = [
  ["workerd", "workerd (Worker, loopback HTTP)"],
  ["node-wasm", "Node, onnxruntime-web WASM"],
  ["native", "Node, onnxruntime-node native, 1 thread"],
  ["naive-wasm", "naive unrolled fp32 graph, onnxruntime-web WASM (Node)"],
];

const f = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits));
const mib = (b: number | null | undefined): string => (b === null || b === undefined ? "—" : `${(b / 1024 / 1024).toFixed(2)} MiB`);

export function renderMarkdown(out: Output): string {
  const lines: string[] = [];
  const push = (s = ""): void => void lines.push(s);
  push(`Run ${out.date} (${out.quick ? "quick: 32 tokens only" : "full"}), ${out.machine.cpu} × ${out.machine.cores} cores, load average ${out.machine.load_average_at_start.join(" / ")} at start, ${out.machine.load_average_at_end.join(" / ")} at end (a niced training job shares the machine); onnxruntime-web ${out.versions["onnxruntime-web"]}, onnxruntime-node ${out.versions["onnxruntime-node"]}, wrangler ${out.versions.wrangler}, Node ${out.versions.node}; ${out.duration_s} s.`);
  push();
  for (const [id, m] of Object.entries(out.models)) {
    push(`### ${id}: E${m.shape.E} H${m.shape.H} ${m.shape.heads} heads I${m.shape.I} ${m.shape.layers} layers, ${m.shape.groups} group — ${m.format.quantization}${m.format.int8_matmul === null ? "" : ` (${m.format.int8_matmul})`}, ${m.format.graph} graph, shards ${mib(m.shard_bytes)}`);
    push();
    push(`Warm latency per request, ms (p50 / p95):`);
    push();
    push(`| runtime | ${out.tokens.map((t) => `${t} tokens`).join(" | ")} |`);
    push(`|---|${out.tokens.map(() => "---:").join("|")}|`);
    for (const [key, label] of RUNTIMES) {
      const p50 = m.warm_p50_ms[key];
      if (p50 === undefined) continue;
      push(`| ${label} | ${out.tokens.map((t) => `${f(p50[String(t)], 2)} / ${f(m.warm_p95_ms[key]?.[String(t)], 2)}`).join(" | ")} |`);
    }
    push();
    push(`| figure | value |`);
    push(`|---|---:|`);
    push(`| cold start, workerd (first request incl. model load; median of ${m.cold_start_samples_ms.length}: ${m.cold_start_samples_ms.map((x) => x.toFixed(0)).join(", ")}) | ${f(m.cold_start_ms, 0)} ms |`);
    push(`| loopback HTTP overhead (GET /healthz p50), included in every workerd figure | ${f(m.http_overhead_ms, 2)} ms |`);
    const early = Object.entries(m.early_p50_ms_32 ?? {});
    if (early.length > 0) push(`| before WASM tier-up: p50 of requests 2–21 after load, 32 tokens (${early.map(([k]) => k).join(" / ")}) | ${early.map(([, v]) => f(v, 1)).join(" / ")} ms |`);
    push(`| cache hit (x-cache: ${m.cache_hit_x_cache ?? "—"}), p50 / p95 | ${f(m.cache_hit_ms, 2)} / ${f(m.cache_hit_p95_ms, 2)} ms |`);
    push(`| workerd p50 / native p50, 32 tokens | ${f(m.ratio_workerd_to_native_p50_32, 2)}× |`);
    push(`| (workerd p50 − HTTP overhead) / native p50, 32 tokens | ${f(m.ratio_workerd_minus_http_to_native_p50_32, 2)}× |`);
    push(`| workerd, model time per inference inside the isolate (21 vs 1 inferences per request), 32 tokens | ${f(m.workerd_in_isolate_ms_32, 2)} ms |`);
    push(`| … that / native p50; / Node WASM p50 | ${f(m.ratio_workerd_in_isolate_to_native_p50_32, 2)}× ; ${f(m.ratio_workerd_in_isolate_to_node_wasm_p50_32, 2)}× |`);
    push(`| Node WASM p50 / native p50, 32 tokens | ${f(m.ratio_node_wasm_to_native_p50_32, 2)}× |`);
    push(`| naive unrolled fp32 p50 / workerd p50, 32 tokens | ${f(m.ratio_naive_to_workerd_p50_32, 2)}× |`);
    push(`| naive unrolled fp32 p50 / Node WASM p50, 32 tokens (same runtime) | ${f(m.ratio_naive_to_node_wasm_p50_32, 2)}× |`);
    for (const [c, t] of Object.entries(m.throughput)) push(`| throughput, concurrency ${c} (32 tokens) | ${f(t.rps, 1)} req/s (p50 ${f(t.latency_p50_ms, 1)} ms, p95 ${f(t.latency_p95_ms, 1)} ms) |`);
    const iso = m.memory.workerd_isolate;
    if (iso !== null) {
      const p = iso.peak_sample;
      push(`| **peak isolate memory**, workerd (V8 inspector, ${iso.samples} samples; peak in *${p.phase}*): JS heap committed + cppgc heap + ArrayBuffers + WASM linear memory | **${f(iso.peak_mb)} MiB** (${f(p.js_heap_total_mb)} + ${f(p.embedder_heap_mb)} + ${f(p.array_buffers_mb)} + ${f(p.wasm_memory_mb)}) |`);
      push(`| … JS heap used at that sample; isolate idle (no model); lowest after load (what stays allocated; the rest of the peak is per-request buffers and garbage not yet collected) | ${f(p.js_heap_used_mb)} ; ${f(iso.idle_mb)} ; ${f(iso.floor_mb)} MiB |`);
    }
    const w = m.memory.workerd_process;
    if (w !== null) push(`| workerd process (isolate + V8 compiled code for ORT's WASM + workerd): VmHWM − idle VmRSS (${f(w.peak_rss_mb)} − ${f(w.idle_rss_mb)} MiB) | ${f(w.peak_minus_idle_mb)} MiB |`);
    if (w !== null) push(`| workerd process after the workload: VmRSS − idle VmRSS | ${f(w.steady_minus_idle_mb)} MiB |`);
    if (w !== null) push(`| ORT WASM linear memory in the isolate (GET /__bench/memory) | ${f(w.wasm_memory_mb)} MiB |`);
    for (const [k, n] of Object.entries(m.memory.node)) push(`| Node ${k}: peak RSS (process baseline ${f(n.baseline_rss_mb)}) / JS heap used / external buffers / WASM memory | ${f(n.peak_rss_mb)} / ${f(n.heap_used_mb)} / ${f(n.external_mb)} / ${f(n.wasm_memory_mb)} MiB |`);
    for (const [k, l] of Object.entries(m.load_ms)) push(`| Node ${k}: model load / first call | ${f(l.load, 0)} / ${f(l.first_call, 1)} ms |`);
    if (m.bundle_bytes !== null) push(`| Worker bundle (wrangler deploy --dry-run; shards are separate static assets) | ${mib(m.bundle_bytes)} (${mib(m.bundle_gzip_bytes)} gzip) |`);
    push();
    const stages = Object.entries(m.stages_ms);
    if (stages.length > 0) {
      push(`Where the time goes (Node, per request, ms; block pass = one run of the shared block):`);
      push();
      push(`| runtime | tokens | tokenize | embeddings | block pass × passes | head | total p50 |`);
      push(`|---|---:|---:|---:|---:|---:|---:|`);
      for (const [k, byTokens] of stages) {
        for (const [t, s] of Object.entries(byTokens)) {
          push(`| ${k} | ${t} | ${f(s.tokenize, 3)} | ${f(s.embeddings, 3)} | ${f(s.block_pass, 3)} × ${s.passes} = ${f(s.blocks_total, 2)} | ${f(s.head, 3)} | ${f(s.total_p50, 2)} |`);
        }
      }
      push();
    }
  }
  return `${lines.join("\n")}\n`;
}
