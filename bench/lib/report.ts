/**
 * @module bench/lib/report
 * The goals of issue 12 and the rendering of bench/results.json as the markdown of
 * bench/RESULTS.md's generated section: every goal with its verdict, then per model the latency
 * tables (workerd: ours and ORT-web; Node: ours per kernel path, ORT-web, native), speed-ups,
 * cold start, cache hits, throughput, memory and bundle size.
 */
import type { IsolateMemory } from "./inspector.ts";

/** Issue 12's targets: what the bench checks, with the limit and its direction. */
export const GOALS = {
  workerd_vs_native_p50_32: { label: "workerd p50 (our engine, HTTP incl.) / native onnxruntime 1 thread p50, 32 tokens", unit: "×", op: "≤", limit: 2 },
  speedup_vs_ort_workerd_32: { label: "speed-up of our engine over the ORT-web engine in workerd (ORT p50 / ours p50), 32 tokens", unit: "×", op: "≥", limit: 2 },
  speedup_vs_ort_workerd_512: { label: "speed-up of our engine over the ORT-web engine in workerd (ORT p50 / ours p50), 512 tokens", unit: "×", op: "≥", limit: 2 },
  cold_start: { label: "cold start in workerd (first request incl. model load), our engine", unit: "ms", op: "≤", limit: 100 },
  peak_isolate_memory_512: { label: "peak isolate memory in workerd while 512-token requests run (JS heap + WASM), our engine", unit: "MiB", op: "≤", limit: 32 },
  bundle_gzip: { label: "product Worker bundle, gzip (wrangler deploy --dry-run)", unit: "MiB", op: "≤", limit: 1 },
} as const satisfies Record<string, { label: string; unit: string; op: "≤" | "≥"; limit: number }>;

export interface Goal {
  id: string;
  model?: string;
  label: string;
  /** null: not measured in this run (e.g. --quick without 512 tokens, --skip-ort). */
  value: number | null;
  unit: string;
  target: string;
  met: boolean | null;
}

/** A goal's verdict for one measured value; null (not measured in this run) when the value is missing. */
export function judge(id: keyof typeof GOALS, value: number | null | undefined, model?: string): Goal {
  const g = GOALS[id];
  const v = value === null || value === undefined || !Number.isFinite(value) ? null : value;
  return { id, ...(model === undefined ? {} : { model }), label: g.label, value: v, unit: g.unit, target: `${g.op} ${g.limit}`, met: v === null ? null : g.op === "≤" ? v <= g.limit : v >= g.limit };
}

/**
 * The speed-up goal from requests interleaved in one isolate (machine drift cancelled); from the
 * two separate workerd runs only where a run has no interleaved figure. The label says which.
 */
function speedupGoal(id: "speedup_vs_ort_workerd_32" | "speedup_vs_ort_workerd_512", m: ModelResult, tokens: string, model: string): Goal {
  const interleaved = m.speedup_workerd_interleaved?.[tokens]?.speedup;
  const g = judge(id, interleaved ?? m.speedup_workerd_ours_vs_ort_p50[tokens], model);
  return { ...g, label: g.label.replace(/(, \d+ tokens)$/, `${interleaved === undefined ? " — two separate workerd runs" : " — requests interleaved in one isolate"}$1`) };
}

/** Every goal of issue 12 for a run's figures (per model, then the product bundle). */
export function goalsOf(out: Pick<Output, "models" | "bundle">): Goal[] {
  const goals: Goal[] = [];
  for (const [id, m] of Object.entries(out.models)) {
    goals.push(
      judge("workerd_vs_native_p50_32", m.ratio_workerd_to_native_p50_32, id),
      speedupGoal("speedup_vs_ort_workerd_32", m, "32", id),
      speedupGoal("speedup_vs_ort_workerd_512", m, "512", id),
      judge("cold_start", m.cold_start_ms, id),
      judge("peak_isolate_memory_512", m.peak_memory_mb_512, id),
    );
  }
  goals.push(judge("bundle_gzip", out.bundle.product === null ? null : out.bundle.product.gzip_bytes / 1024 / 1024));
  return goals;
}

export interface BundleSize {
  config: string;
  bytes: number;
  gzip_bytes: number;
  contains_ort: boolean;
  files: Record<string, number>;
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

interface Throughput {
  rps: number;
  latency_p50_ms: number;
  latency_p95_ms: number;
  requests: number;
}

export interface ModelResult {
  shape: { E: number; H: number; heads: number; I: number; layers: number; groups: number };
  format: { quantization: string; int8_matmul: string | null; graph: string; version: string };
  shard_bytes: number;
  engines: Record<string, string>;
  kernel_paths: { workerd_default: string | null; node_default: string | null; node_without_avx_vnni: string | null };
  cold_start_ms: number | null;
  cold_start_samples_ms: number[];
  cold_start_ms_ort: number | null;
  cold_start_samples_ms_ort: number[];
  warm_p50_ms: Record<string, Record<string, number>>;
  warm_p95_ms: Record<string, Record<string, number>>;
  http_overhead_ms: number | null;
  cache_hit_ms: number | null;
  cache_hit_p95_ms: number | null;
  cache_hit_x_cache: string | null;
  cache_hit_ms_ort: number | null;
  throughput: Record<string, Record<string, Throughput>>;
  peak_memory_mb: number | null;
  peak_memory_mb_512: number | null;
  peak_memory_mb_ort: number | null;
  peak_memory_mb_512_ort: number | null;
  process_rss_growth_mb: number | null;
  process_rss_growth_mb_ort: number | null;
  memory: {
    workerd: Record<string, { isolate: IsolateMemory | null; process: ProcessMemory }>;
    node: Record<string, { peak_rss_mb: number; baseline_rss_mb: number; wasm_memory_mb: number; heap_used_mb: number; external_mb: number }>;
  };
  early_p50_ms_32: Record<string, number>;
  load_ms: Record<string, { load: number; first_call: number }>;
  stages_ms: Record<string, Record<string, Record<string, number>>>;
  workerd_in_isolate_ms_32: Record<string, number>;
  workerd_ort_in_isolate_ms_32: number | null;
  ratio_workerd_to_native_p50_32: number | null;
  ratio_workerd_minus_http_to_native_p50_32: number | null;
  ratio_workerd_in_isolate_to_native_p50_32: number | null;
  ratio_workerd_ort_to_native_p50_32: number | null;
  ratio_node_to_native_p50_32: number | null;
  ratio_node_ort_web_to_native_p50_32: number | null;
  speedup_workerd_ours_vs_ort_p50: Record<string, number | null>;
  /** Ours and ORT alternating in the ORT build's isolate, by token count (the speed-up goals' figure). */
  speedup_workerd_interleaved: Record<string, { pairs: number; ours_p50_ms: number; ort_p50_ms: number; speedup: number }> | null;
  speedup_workerd_in_isolate_ours_vs_ort_32: number | null;
  speedup_node_ours_vs_ort_web_p50: Record<string, number | null>;
  ratio_naive_to_workerd_p50_32: number | null;
  ratio_naive_to_node_ort_web_p50_32: number | null;
  max_abs_logit_diff_32: Record<string, number | null>;
}

export interface Output {
  date: string;
  quick: boolean;
  machine: { cpu: string; cores: number; cpu_vnni?: { avx_vnni: boolean; avx512_vnni: boolean }; load_average_at_start: number[]; load_average_at_end: number[] };
  versions: Record<string, string>;
  tokens: number[];
  bundle: { product: BundleSize | null; bench_ort: BundleSize | null };
  goals: Goal[];
  models: Record<string, ModelResult>;
  duration_s: number;
}

const RUNTIMES: [string, string][] = [
  ["workerd", "**workerd, our engine** (the Worker, loopback HTTP)"],
  ["workerd-ort", "workerd, ORT-web engine (bench build with ORT)"],
  ["node", "Node, our engine (probe's kernel path)"],
  ["node-vnni", "Node, our engine, `vnni` forced"],
  ["node-relaxed", "Node, our engine, `relaxed` forced"],
  ["node-simd128", "Node, our engine, `simd128` forced"],
  ["node-novnni", "Node `--no-enable-avx-vnni`, our engine (probe's path)"],
  ["node-ort-web", "Node, ORT-web WASM engine"],
  ["native", "Node, onnxruntime-node native, 1 thread (ceiling)"],
  ["naive-ort-web", "naive unrolled fp32 graph, ORT-web WASM (Node)"],
];

const f = (x: number | null | undefined, digits = 1): string => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x.toFixed(digits));
const mib = (b: number | null | undefined): string => (b === null || b === undefined ? "—" : `${(b / 1024 / 1024).toFixed(2)} MiB`);
const verdict = (met: boolean | null): string => (met === null ? "not measured" : met ? "**met**" : "**not met**");
/** Milliseconds with precision that suits their size. */
const ms = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? "—" : x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0));

export function renderMarkdown(out: Output): string {
  const lines: string[] = [];
  const push = (s = ""): void => void lines.push(s);
  const vnni = out.machine.cpu_vnni === undefined ? "" : ` (AVX-VNNI ${out.machine.cpu_vnni.avx_vnni ? "yes" : "no"}, AVX-512 VNNI ${out.machine.cpu_vnni.avx512_vnni ? "yes" : "no"})`;
  push(`Run ${out.date} (${out.quick ? `quick: ${out.tokens.join(" and ")} tokens, fewer iterations` : "full"}), ${out.machine.cpu}${vnni} × ${out.machine.cores} cores, load average ${out.machine.load_average_at_start.join(" / ")} at start, ${out.machine.load_average_at_end.join(" / ")} at end (a niced training job shares the machine); ${Object.entries(out.versions).map(([k, v]) => `${k} ${v}`).join(", ")}; ${Math.round(out.duration_s)} s.`);
  push();
  push(`#### Goals (issue 12)`);
  push();
  push(`| goal | model | measured | target | verdict |`);
  push(`|---|---|---:|---:|---|`);
  for (const g of out.goals) push(`| ${g.label} | ${g.model ?? "—"} | ${f(g.value, g.unit === "ms" ? 0 : 2)} ${g.unit} | ${g.target} ${g.unit} | ${verdict(g.met)} |`);
  push();
  push(`| Worker bundle (\`wrangler deploy --dry-run\`; shards are separate static assets) | size | gzip | contains ORT |`);
  push(`|---|---:|---:|---|`);
  for (const [k, b] of Object.entries(out.bundle)) {
    if (b === null) continue;
    const files = Object.entries(b.files).map(([n, s]) => `${n.replace(/^[0-9a-f]{40}-/, "")} ${(s / 1024).toFixed(0)} KiB`).join(", ");
    push(`| ${k === "product" ? "**product**" : "bench build with ORT"} (\`${b.config}\`: ${files}) | ${mib(b.bytes)} | ${mib(b.gzip_bytes)} | ${b.contains_ort ? "yes" : "no"} |`);
  }
  push();
  for (const [id, m] of Object.entries(out.models)) {
    push(`### ${id}: E${m.shape.E} H${m.shape.H} ${m.shape.heads} heads I${m.shape.I} ${m.shape.layers} layers, ${m.shape.groups} group — ${m.format.quantization}${m.format.int8_matmul === null ? "" : ` (${m.format.int8_matmul})`}, ${m.format.graph} graph, shards ${mib(m.shard_bytes)}`);
    push();
    push(`Warm latency per request, ms (p50 / p95); engine as the loaded model reports it:`);
    push();
    push(`| runtime | engine | ${out.tokens.map((t) => `${t} tokens`).join(" | ")} |`);
    push(`|---|---|${out.tokens.map(() => "---:").join("|")}|`);
    for (const [key, label] of RUNTIMES) {
      const p50 = m.warm_p50_ms[key];
      if (p50 === undefined) continue;
      push(`| ${label} | ${m.engines[key] ?? "—"} | ${out.tokens.map((t) => (p50[String(t)] === undefined ? "—" : `${ms(p50[String(t)])} / ${ms(m.warm_p95_ms[key]?.[String(t)])}`)).join(" | ")} |`);
    }
    push();
    push(`Speed-up of our engine over the ORT-web engine (ORT p50 / ours p50):`);
    push();
    push(`| where | ${out.tokens.map((t) => `${t} tokens`).join(" | ")} |`);
    push(`|---|${out.tokens.map(() => "---:").join("|")}|`);
    const il = m.speedup_workerd_interleaved;
    if (il !== null && il !== undefined) {
      push(`| **workerd, requests interleaved in one isolate** (the goals' figure; ORT / ours p50, ms) | ${out.tokens.map((t) => { const x = il[String(t)]; return x === undefined ? "—" : `**${f(x.speedup, 2)}×** (${ms(x.ort_p50_ms)} / ${ms(x.ours_p50_ms)}, ${x.pairs} pairs)`; }).join(" | ")} |`);
    }
    push(`| workerd, the two separate runs above (HTTP incl.) | ${out.tokens.map((t) => `${f(m.speedup_workerd_ours_vs_ort_p50[String(t)], 2)}×`).join(" | ")} |`);
    push(`| Node | ${out.tokens.map((t) => `${f(m.speedup_node_ours_vs_ort_web_p50[String(t)], 2)}×`).join(" | ")} |`);
    push();
    const inIso = Object.entries(m.workerd_in_isolate_ms_32);
    if (inIso.length > 0 || m.workerd_ort_in_isolate_ms_32 !== null) {
      push(`Model time per inference inside the workerd isolate, 32 tokens (POST /__bench/loop, n vs 1 inferences per request; no HTTP or app): our engine by kernel path (workerd's probe chose \`${m.kernel_paths.workerd_default ?? "—"}\`), and ORT-web:`);
      push();
      push(`| ${inIso.map(([k]) => (k === "default" ? `ours, default (${m.kernel_paths.workerd_default ?? "?"})` : `ours, \`${k}\``)).join(" | ")} | ORT-web | ORT-web / ours (default) |`);
      push(`|${inIso.map(() => "---:").join("|")}|---:|---:|`);
      push(`| ${inIso.map(([, v]) => `${f(v, 3)} ms`).join(" | ")} | ${f(m.workerd_ort_in_isolate_ms_32, 3)} ms | ${f(m.speedup_workerd_in_isolate_ours_vs_ort_32, 2)}× |`);
      push();
    }
    push(`| figure | our engine | ORT-web engine |`);
    push(`|---|---:|---:|`);
    const samples = (xs: number[]): string => (xs.length === 0 ? "" : ` (median of ${xs.map((x) => x.toFixed(0)).join(", ")})`);
    push(`| cold start, workerd: first request incl. model load, fresh isolate | ${f(m.cold_start_ms, 0)} ms${samples(m.cold_start_samples_ms)} | ${f(m.cold_start_ms_ort, 0)} ms${samples(m.cold_start_samples_ms_ort)} |`);
    push(`| before WASM tier-up: p50 of requests 2–21 after load, 32 tokens, workerd | ${f(m.early_p50_ms_32.workerd, 2)} ms | ${f(m.early_p50_ms_32["workerd-ort"], 2)} ms |`);
    push(`| workerd p50 / native p50, 32 tokens (\`ratio_workerd_to_native_p50_32\` is ours) | ${f(m.ratio_workerd_to_native_p50_32, 2)}× | ${f(m.ratio_workerd_ort_to_native_p50_32, 2)}× |`);
    push(`| (workerd p50 − HTTP overhead ${f(m.http_overhead_ms, 2)} ms) / native p50; in-isolate model time / native p50, 32 tokens | ${f(m.ratio_workerd_minus_http_to_native_p50_32, 2)}× ; ${f(m.ratio_workerd_in_isolate_to_native_p50_32, 2)}× | |`);
    push(`| Node p50 / native p50, 32 tokens | ${f(m.ratio_node_to_native_p50_32, 2)}× | ${f(m.ratio_node_ort_web_to_native_p50_32, 2)}× |`);
    push(`| cache hit (x-cache: ${m.cache_hit_x_cache ?? "—"}), workerd p50 (ours: / p95) | ${f(m.cache_hit_ms, 2)} / ${f(m.cache_hit_p95_ms, 2)} ms | ${f(m.cache_hit_ms_ort, 2)} ms |`);
    const conc = [...new Set(Object.values(m.throughput).flatMap((t) => Object.keys(t)))];
    for (const c of conc) {
      const t = (k: string): string => {
        const x = m.throughput[k]?.[c];
        return x === undefined ? "—" : `${f(x.rps, 1)} req/s (p50 ${ms(x.latency_p50_ms)}, p95 ${ms(x.latency_p95_ms)} ms)`;
      };
      push(`| throughput, one isolate, concurrency ${c}, 32 tokens | ${t("workerd")} | ${t("workerd-ort")} |`);
    }
    const iso = (k: string): IsolateMemory | null => m.memory.workerd[k]?.isolate ?? null;
    const isoCell = (k: string): string => {
      const i = iso(k);
      if (i === null) return "—";
      const p = i.peak_sample;
      return `${f(i.peak_mb)} MiB (${f(p.js_heap_total_mb)} + ${f(p.embedder_heap_mb)} + ${f(p.array_buffers_mb)} + ${f(p.wasm_memory_mb)}; peak in *${p.phase}*)`;
    };
    push(`| peak isolate memory over the whole workload, workerd (V8 inspector; JS heap committed + cppgc heap + ArrayBuffers + WASM linear memory) | ${isoCell("workerd")} | ${isoCell("workerd-ort")} |`);
    push(`| … **while the 512-token requests ran** (the goal's figure) | **${f(m.peak_memory_mb_512)} MiB** | ${f(m.peak_memory_mb_512_ort)} MiB |`);
    const isoLine = (k: string): string => {
      const i = iso(k);
      return i === null ? "—" : `${f(i.idle_mb)} ; ${f(i.floor_mb)} ; ${f(i.max_mb.wasm_memory)} MiB (${i.samples} samples)`;
    };
    push(`| … isolate idle (no model) ; lowest after load (what stays allocated) ; WASM linear memory | ${isoLine("workerd")} | ${isoLine("workerd-ort")} |`);
    const proc = (k: string): ProcessMemory | undefined => m.memory.workerd[k]?.process;
    const procCell = (k: string): string => {
      const p = proc(k);
      return p === undefined ? "—" : `${f(p.peak_minus_idle_mb)} MiB (${f(p.peak_rss_mb)} − ${f(p.idle_rss_mb)}); after: ${f(p.steady_minus_idle_mb)} MiB`;
    };
    push(`| workerd process growth: VmHWM − idle VmRSS (isolate + V8's compiled WASM + workerd); VmRSS − idle after the workload | ${procCell("workerd")} | ${procCell("workerd-ort")} |`);
    push();
    const nodeMem = Object.entries(m.memory.node);
    if (nodeMem.length > 0) {
      push(`Node processes (one per runtime): load, first call, memory:`);
      push();
      push(`| runtime | engine | load / first call, ms | peak RSS (baseline) / JS heap used / external / WASM memory, MiB |`);
      push(`|---|---|---:|---:|`);
      for (const [k, n] of nodeMem) {
        const l = m.load_ms[k];
        push(`| ${k} | ${m.engines[k] ?? "—"} | ${f(l?.load, 0)} / ${f(l?.first_call, 1)} | ${f(n.peak_rss_mb)} (${f(n.baseline_rss_mb)}) / ${f(n.heap_used_mb)} / ${f(n.external_mb)} / ${f(n.wasm_memory_mb)} |`);
      }
      push();
    }
    const diffs = Object.entries(m.max_abs_logit_diff_32).filter(([, v]) => v !== null);
    if (diffs.length > 0) {
      push(`Same 32-token text, max |Δlogit|: ${diffs.map(([k, v]) => `${k.replaceAll("_", " ")} ${f(v, 5)}`).join("; ")}. Naive fp32 / ORT-web in Node, 32 tokens: ${f(m.ratio_naive_to_node_ort_web_p50_32, 2)}×; naive / workerd (ours): ${f(m.ratio_naive_to_workerd_p50_32, 2)}×.`);
      push();
    }
    const stages = Object.entries(m.stages_ms);
    if (stages.length > 0) {
      push(`Where the ORT engines' time goes (Node, per request, ms; block pass = one run of the shared block session):`);
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
