/**
 * @module bench/lib/child
 * One Node measurement in a fresh process (so load time, peak RSS and WASM memory belong to this
 * runtime alone). Invoked by bench/run.ts as
 *   node --experimental-strip-types [V8 flags] bench/lib/child.ts '<json Job>'
 * and prints one JSON line (ChildResult) on stdout.
 *
 * Runtimes: `ours` (our WASM SIMD engine, src/engine; the kernel path chosen by the probe or
 * forced with `kernel`), `ort-web` (onnxruntime-web WASM through src/ort), `native`
 * (onnxruntime-node, CPU EP, intra/inter-op threads 1, the very same shards and encoder loop),
 * `naive` (the unrolled fp32 graph in onnxruntime-web). Every timed call is a whole
 * classification of one text: tokenize + model + postprocess.
 */
import { readFileSync } from "node:fs";

// Record every WebAssembly.Memory instantiated (ours: the kernels' exported memory, one per model;
// ORT: the memory emscripten imports or exports), before any engine loads.
// (The Node type-check program declares only part of the WebAssembly API, hence the local shapes.)
interface WasmMemory {
  buffer: ArrayBuffer;
}
interface Wasm {
  instantiate(source: unknown, imports?: unknown): Promise<unknown>;
  Memory: new (...args: never[]) => WasmMemory;
  Instance: new (...args: never[]) => { exports: Record<string, unknown> };
}
const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
const memories = new Set<WasmMemory>();
const instantiate = wasm.instantiate.bind(wasm);
wasm.instantiate = async (source: unknown, imports?: unknown) => {
  const result = (await instantiate(source, imports)) as { exports?: Record<string, unknown>; instance?: { exports: Record<string, unknown> } };
  const exports = result instanceof wasm.Instance ? (result.exports ?? {}) : (result.instance?.exports ?? {});
  for (const v of Object.values(exports)) if (v instanceof wasm.Memory) memories.add(v);
  for (const group of Object.values((imports ?? {}) as Record<string, Record<string, unknown>>)) {
    for (const v of Object.values(group ?? {})) if (v instanceof wasm.Memory) memories.add(v);
  }
  return result;
};

const { albertTokenizerFactory, loadModel } = await import("../../src/model/index.ts");
const { loadModelDir } = await import("../../src/node/load-model.ts");
const { fsShardSource } = await import("../../src/node/fs-shard-source.ts");
const { ortEngine } = await import("../../src/ort/engine.ts");
const { webBackend } = await import("../../src/ort/ort.ts");
const { probabilities, argmax } = await import("../../src/model/postprocess.ts");
const { summarize, round } = await import("./stats.ts");
type OrtBackend = import("../../src/ort/ort.ts").OrtBackend;
type KernelPath = import("../../src/engine/index.ts").KernelPath;
type Summary = import("./stats.ts").Summary;

export type Runtime = "ours" | "ort-web" | "native" | "naive";

export interface Job {
  runtime: Runtime;
  /** ours: force this kernel path (default: the probe's choice). */
  kernel?: KernelPath;
  /** Extra V8/Node flags for the child process (e.g. `--no-enable-avx-vnni`); bench/run.ts passes them. */
  nodeFlags?: string[];
  /** Shard directory (ours, ort-web, native) or naive .onnx file + spiece (naive). */
  model: string;
  /** Per text: warm-up calls, then timed calls. */
  texts: { tokens: number; text: string; warmup: number; iterations: number }[];
  /**
   * Before any timing, classify the 32-token text for this long: V8 compiles WASM with Liftoff
   * first and tiers hot functions up to TurboFan in the background; until that is done calls are
   * 2-5x slower. Warm figures are meant for the tiered-up steady state.
   */
  warmupMs: number;
  /** Also time each ORT session run (embeddings, block passes, head) — ort-web and native only. */
  stages?: boolean;
  /** For naive: the tokenizer model. */
  spiece?: string;
}

export interface ChildResult {
  runtime: string;
  /** Engine description as the model reports it (e.g. "wasm-simd/vnni", "onnxruntime-web"). */
  engine: string;
  load_ms: number;
  first_call_ms: number;
  warm: Record<string, Summary>;
  tokenize_ms: Record<string, number>;
  stages?: Record<string, Record<string, number>>;
  baseline_rss_mb: number;
  peak_rss_mb: number;
  wasm_memory_bytes: number;
  logits_32?: number[];
  /** p50 of calls 2..21 after load, before V8's WASM tier-up has finished. */
  early_p50_ms: number;
  /** After the run: V8 heap used and external (ArrayBuffers incl. WASM memory) — what an isolate holds. */
  heap_used_mb: number;
  external_mb: number;
  rss_after_mb: number;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const mb = (b: number): number => round(b / 1024 / 1024, 1);
const baselineRss = process.memoryUsage().rss;

async function nativeBackend(): Promise<OrtBackend> {
  const ort = await import("onnxruntime-node");
  return {
    name: "onnxruntime-node",
    InferenceSession: ort.InferenceSession as unknown as OrtBackend["InferenceSession"],
    Tensor: ort.Tensor as unknown as OrtBackend["Tensor"],
    sessionOptions: { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" },
  };
}

/** Times every session.run by the session's role (embeddings / block / head). */
function timingBackend(inner: OrtBackend, stageMs: Map<string, number[]>): OrtBackend {
  return {
    ...inner,
    InferenceSession: {
      async create(bytes: Uint8Array, options?: Parameters<OrtBackend["InferenceSession"]["create"]>[1]) {
        const session = await inner.InferenceSession.create(bytes, options);
        const role = session.inputNames.includes("input_ids") ? "embeddings" : session.outputNames.includes("pooled") ? "head" : "block";
        const run = session.run.bind(session) as (...a: unknown[]) => Promise<unknown>;
        (session as { run: unknown }).run = async (...args: unknown[]) => {
          const t = performance.now();
          const r = await run(...args);
          const list = stageMs.get(role) ?? [];
          list.push(performance.now() - t);
          stageMs.set(role, list);
          return r;
        };
        return session;
      },
    },
  };
}

interface Classifier {
  engine: string;
  classify(text: string): Promise<number[]>;
  tokenize(text: string): number[];
}

async function open(stageMs: Map<string, number[]>): Promise<Classifier> {
  if (job.runtime === "naive") {
    const ort = webBackend;
    const tokenizer = await albertTokenizerFactory(new Uint8Array(readFileSync(job.spiece ?? "")), { lowercase: true, keep_accents: false, max_length: 512 });
    const session = await ort.InferenceSession.create(new Uint8Array(readFileSync(job.model)), { executionProviders: ["wasm"], graphOptimizationLevel: "all" });
    return {
      engine: "onnxruntime-web (naive unrolled fp32 graph)",
      tokenize: (text) => tokenizer.encode(text, { maxLength: 512 }).ids,
      async classify(text) {
        const ids = tokenizer.encode(text, { maxLength: 512 }).ids;
        const S = ids.length;
        const out = await session.run({
          input_ids: new ort.Tensor("int64", BigInt64Array.from(ids, (i) => BigInt(i)), [1, S]),
          token_type_ids: new ort.Tensor("int64", new BigInt64Array(S), [1, S]),
          attention_mask: new ort.Tensor("int64", new BigInt64Array(S).fill(1n), [1, S]),
        });
        const logits = Array.from(out.logits?.data as Float32Array);
        const probs = probabilities("single_label_classification", logits);
        void argmax(probs);
        return logits;
      },
    };
  }
  let model: Awaited<ReturnType<typeof loadModelDir>>;
  if (job.runtime === "ours") {
    model = await loadModelDir(job.model, job.kernel === undefined ? {} : { kernel: job.kernel });
  } else {
    const base = job.runtime === "native" ? await nativeBackend() : webBackend;
    const backend = job.stages === true ? timingBackend(base, stageMs) : base;
    model = await loadModel(fsShardSource(job.model), { engine: ortEngine({ backend }) });
  }
  return {
    engine: model.engine,
    tokenize: (text) => model.tokenize(text).ids,
    async classify(text) {
      const [r] = await model.classify([text]);
      return r?.logits ?? [];
    },
  };
}

const stageMs = new Map<string, number[]>();
let t = performance.now();
const classifier = await open(stageMs);
const loadMs = performance.now() - t;
const first = job.texts.find((x) => x.tokens === 32) ?? job.texts[0];
t = performance.now();
const logits32 = await classifier.classify(first?.text ?? "hello");
const firstCallMs = performance.now() - t;

const warm: Record<string, Summary> = {};
const tokenizeMs: Record<string, number> = {};
const stages: Record<string, Record<string, number>> = {};
const early: number[] = [];
const warmEnd = performance.now() + job.warmupMs;
while (performance.now() < warmEnd || early.length < 20) {
  const s = performance.now();
  await classifier.classify(first?.text ?? "hello");
  if (early.length < 20) early.push(performance.now() - s);
}
for (const { tokens, text, warmup, iterations } of job.texts) {
  const tok: number[] = [];
  for (let i = 0; i < 20; i++) {
    const s = performance.now();
    classifier.tokenize(text);
    tok.push(performance.now() - s);
  }
  tokenizeMs[String(tokens)] = summarize(tok).p50;
  for (let i = 0; i < warmup; i++) await classifier.classify(text);
  stageMs.clear();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const s = performance.now();
    await classifier.classify(text);
    samples.push(performance.now() - s);
  }
  warm[String(tokens)] = summarize(samples);
  if (job.stages === true) {
    const per = (role: string, perCall: number): number => {
      const xs = stageMs.get(role) ?? [];
      return round(xs.reduce((a, b) => a + b, 0) / Math.max(1, iterations) / perCall);
    };
    const blocks = stageMs.get("block")?.length ?? 0;
    const passes = blocks / Math.max(1, iterations);
    stages[String(tokens)] = {
      tokenize: tokenizeMs[String(tokens)] as number,
      embeddings: per("embeddings", 1),
      block_pass: per("block", passes),
      blocks_total: per("block", 1),
      head: per("head", 1),
      passes,
      total_p50: warm[String(tokens)]?.p50 ?? 0,
    };
  }
}

const result: ChildResult = {
  runtime: job.runtime,
  engine: classifier.engine,
  load_ms: round(loadMs, 1),
  first_call_ms: round(firstCallMs, 1),
  warm,
  tokenize_ms: tokenizeMs,
  ...(job.stages === true ? { stages } : {}),
  baseline_rss_mb: mb(baselineRss),
  peak_rss_mb: round(process.resourceUsage().maxRSS / 1024, 1),
  wasm_memory_bytes: [...memories].reduce((m, x) => Math.max(m, x.buffer.byteLength), 0),
  logits_32: logits32.map((v) => round(v, 5)),
  early_p50_ms: summarize(early).p50,
  heap_used_mb: mb(process.memoryUsage().heapUsed),
  external_mb: mb(process.memoryUsage().external),
  rss_after_mb: mb(process.memoryUsage().rss),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
process.exit(0);
