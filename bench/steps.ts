/**
 * @module bench/steps
 * The optimization steps, measured one by one in ONE Node process (onnxruntime-web WASM, and
 * onnxruntime-node native 1-thread for reference), variants interleaved round-robin so machine
 * drift hits them alike. Run by hand (a few minutes):
 *
 *   npx node --experimental-strip-types --no-warnings bench/steps.ts [--rounds N] [--models sentiment,base]
 *
 * Writes bench/steps-results.json and prints markdown tables (copied into bench/RESULTS.md):
 * 1. shard formats (previous default → new default), whole model, 32 tokens, one text per run;
 * 2. padding: 32 real SST-2 dev sentences, length-sorted padded batches of 8 vs each text alone;
 * 3. micro-batching 8 equal-length texts in one run vs 8 runs;
 * 4. the block loop: hidden state kept as the ORT output tensor vs copied through JS each pass
 *    (pre-allocated outputs are not a variant: onnxruntime-web 1.30's plain WASM build leaves a
 *    CPU tensor passed as a fetch unchanged, so that "result" would be zeros);
 * 5. where the time goes inside one fused block (prefix graphs: cumulative time up to each op);
 * 6. tokenizer cost next to model cost.
 */
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import * as ortNode from "onnxruntime-node";
import { openCheckpoint, type Checkpoint } from "../src/convert/checkpoint.ts";
import { buildPayloads } from "../src/convert/convert.ts";
import type { GraphForm } from "../src/convert/graphs/block.ts";
import { buildBlock } from "../src/convert/graphs/block.ts";
import type { LinearScheme } from "../src/convert/onnx/graph-builder.ts";
import { encodeModel, type ModelSpec } from "../src/convert/onnx/model-proto.ts";
import { forwardOne, MASK_VALUE, type EncoderSessions } from "../src/ort/encoder.ts";
import type { Manifest } from "../src/model/manifest.ts";
import { createSession, webBackend, type OrtBackend, type OrtTensor, type Session } from "../src/ort/ort.ts";
import { AlbertTokenizer } from "../src/tokenizer/index.ts";
import { BASE_SHAPE, generateCheckpoint } from "../test/support/checkpoint-generator.ts";
import { paths } from "./lib/paths.ts";
import { median, round } from "./lib/stats.ts";
import { textsWithTokens } from "./lib/texts.ts";
import { autogroupNice, setAutogroupNice } from "./lib/workerd.ts";

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const ROUNDS = Number(option("--rounds") ?? 12);
const MODELS = (option("--models") ?? "sentiment,base").split(",");
const log = (s: string): void => void process.stderr.write(`${s}\n`);
const nice = option("--priority") === "off" ? undefined : autogroupNice();
if (nice !== undefined && nice === 0 && setAutogroupNice(-10)) log("(session autogroup nice set to -10 for the run; restored at exit)");
process.on("exit", () => {
  if (nice !== undefined) setAutogroupNice(nice);
});

const native: OrtBackend = {
  name: "onnxruntime-node",
  InferenceSession: ortNode.InferenceSession as unknown as OrtBackend["InferenceSession"],
  Tensor: ortNode.Tensor as unknown as OrtBackend["Tensor"],
  sessionOptions: { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: "sequential" },
};

interface Format {
  key: string;
  label: string;
  scheme: LinearScheme;
  form: GraphForm;
  fold: boolean;
}
const FORMATS: Format[] = [
  { key: "dequant-plain", label: "previous default: int8 weight-only (DequantizeLinear folded to fp32 at load), plain ONNX ops", scheme: "int8-dequant", form: "plain", fold: true },
  { key: "fp32-plain", label: "fp32, plain ONNX ops (per-layer block, our loop)", scheme: "fp32", form: "plain", fold: false },
  { key: "dynamic-plain", label: "int8 dynamic: DynamicQuantizeLinear + MatMulInteger, plain ops", scheme: "int8-dynamic", form: "plain", fold: false },
  { key: "fp32-fused", label: "fp32, fused contrib ops (Attention, SkipLayerNormalization, FastGelu)", scheme: "fp32", form: "fused", fold: false },
  { key: "dequant-fused", label: "int8 weight-only, fused contrib ops", scheme: "int8-dequant", form: "fused", fold: true },
  { key: "dynamic-fused", label: "new default: int8 dynamic, fused (QAttention, DynamicQuantizeMatMul, SkipLayerNormalization, FastGelu)", scheme: "int8-dynamic", form: "fused", fold: false },
];

function fakeManifest(ck: Checkpoint, format: Format): Manifest {
  return {
    format_version: 1,
    id: "steps",
    version: "0000000000000000",
    task: ck.task,
    labels: ck.labels,
    tokenizer: { lowercase: true, keep_accents: false, max_length: ck.config.max_position_embeddings },
    config: ck.config,
    quantization: format.scheme === "fp32" ? "fp32" : "int8-per-channel",
    graph: format.form,
    shards: [],
  };
}

async function sessionsFor(ck: Checkpoint, format: Format, backend: OrtBackend): Promise<EncoderSessions> {
  const payloads = buildPayloads(ck, format.scheme, () => {}, format.form);
  const bytes = (role: string): Uint8Array => payloads.find((p) => p.role === role)?.bytes as Uint8Array;
  const options = { backend, foldQuantizedWeights: format.fold };
  return {
    embeddings: await createSession(bytes("embeddings"), options),
    blocks: [await createSession(bytes("block"), options)],
    head: await createSession(bytes("head"), options),
    backend,
  };
}

/** Times `fn` once per round, all variants interleaved; returns the median per variant. */
async function interleaved(variants: Record<string, () => Promise<unknown>>, rounds = ROUNDS, warmup = 3): Promise<Record<string, number>> {
  const samples: Record<string, number[]> = {};
  const keys = Object.keys(variants);
  for (const k of keys) for (let i = 0; i < warmup; i++) await variants[k]?.();
  for (let r = 0; r < rounds; r++) {
    for (const k of keys) {
      const t = performance.now();
      await variants[k]?.();
      (samples[k] ??= []).push(performance.now() - t);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, round(median(samples[k] ?? []), 3)]));
}

/** Warms V8's WASM tier-up (Liftoff → TurboFan) by running `fn` for `ms` milliseconds. */
async function warm(fn: () => Promise<unknown>, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) await fn();
}

const results: Record<string, unknown> = { date: new Date().toISOString(), rounds: ROUNDS, models: {} };
const tokenizer = AlbertTokenizer.fromModel(new Uint8Array(readFileSync(paths.spiece)), { lowercase: true, keepAccents: false });
const [text32, text512] = textsWithTokens([32, 512]);
const ids32 = tokenizer.encode(text32?.text ?? "", { maxLength: 512 }).ids;
const ids512 = tokenizer.encode(text512?.text ?? "", { maxLength: 512 }).ids;
const sst2 = readFileSync(join(paths.shared, "datasets", "sst2", "dev.tsv"), "utf8").split("\n").slice(1, 33).map((l) => l.split("\t")[0]?.trim() ?? "");
const sst2Ids = sst2.map((t) => tokenizer.encode(t, { maxLength: 512 }).ids);

for (const id of MODELS) {
  const ckDir = id === "sentiment" ? paths.sst2Mini : paths.baseCheckpoint;
  if (id === "base" && !existsSync(join(ckDir, "model.safetensors"))) generateCheckpoint(ckDir, { shape: BASE_SHAPE, numLabels: 2, labelNames: ["negative", "positive"], seed: 7 });
  const ck = await openCheckpoint(ckDir);
  const out: Record<string, unknown> = {};
  (results.models as Record<string, unknown>)[id] = out;
  log(`== ${id}`);

  // 1. Formats, whole model, one 32-token text per run.
  const web: Record<string, EncoderSessions> = {};
  const nat: Record<string, EncoderSessions> = {};
  for (const f of FORMATS) {
    web[f.key] = await sessionsFor(ck, f, webBackend);
    nat[f.key] = await sessionsFor(ck, f, native);
    const m = fakeManifest(ck, f);
    await warm(() => forwardOne(m, web[f.key] as EncoderSessions, ids32), id === "base" ? 4000 : 1500);
  }
  const formatTimes = (backend: "web" | "native", ids: number[]) =>
    interleaved(Object.fromEntries(FORMATS.map((f) => [f.key, () => forwardOne(fakeManifest(ck, f), (backend === "web" ? web : nat)[f.key] as EncoderSessions, ids)])));
  const f32web = await formatTimes("web", ids32);
  const f32nat = await formatTimes("native", ids32);
  const f512web = id === "base" ? await interleaved(Object.fromEntries(FORMATS.filter((f) => f.key.startsWith("dequant") || f.key.startsWith("dynamic")).map((f) => [f.key, () => forwardOne(fakeManifest(ck, f), web[f.key] as EncoderSessions, ids512)])), 4, 1) : {};
  out.formats = FORMATS.map((f) => ({ key: f.key, label: f.label, web_32_ms: f32web[f.key], native_32_ms: f32nat[f.key], ratio: round((f32web[f.key] as number) / (f32nat[f.key] as number), 2), ...(f.key in f512web ? { web_512_ms: f512web[f.key] } : {}) }));
  log(`formats: ${JSON.stringify(out.formats)}`);

  // 2. Padding: 32 SST-2 dev sentences, padded batches of 8 (plain graph takes a mask) vs one by one.
  const plainFmt = FORMATS[0] as Format;
  const plain = web[plainFmt.key] as EncoderSessions;
  const padded = async (sessions: EncoderSessions): Promise<void> => {
    const order = [...sst2Ids].sort((a, b) => a.length - b.length);
    for (let i = 0; i < order.length; i += 8) {
      const batch = order.slice(i, i + 8);
      const B = batch.length;
      const S = Math.max(...batch.map((s) => s.length));
      const inputIds = new BigInt64Array(B * S);
      const mask = new Float32Array(B * S);
      batch.forEach((seq, b) => {
        for (let s = 0; s < S; s++) {
          if (s < seq.length) inputIds[b * S + s] = BigInt(seq[s] as number);
          else mask[b * S + s] = MASK_VALUE;
        }
      });
      const T = webBackend.Tensor;
      const emb = await sessions.embeddings.run({ input_ids: new T("int64", inputIds, [B, S]), token_type_ids: new T("int64", new BigInt64Array(B * S), [B, S]) });
      let hidden = emb.hidden as OrtTensor;
      const m = new T("float32", mask, [B, 1, 1, S]);
      for (let l = 0; l < ck.config.num_hidden_layers; l++) hidden = (await (sessions.blocks[0] as Session).run({ hidden, attention_mask: m })).hidden_out as OrtTensor;
      await sessions.head.run({ hidden });
    }
  };
  const alone = async (sessions: EncoderSessions, f: Format): Promise<void> => {
    for (const seq of sst2Ids) await forwardOne(fakeManifest(ck, f), sessions, seq);
  };
  const fused = FORMATS.find((f) => f.key === "dynamic-fused") as Format;
  out.padding = {
    texts: sst2Ids.length,
    lengths: { min: Math.min(...sst2Ids.map((s) => s.length)), median: median(sst2Ids.map((s) => s.length)), max: Math.max(...sst2Ids.map((s) => s.length)) },
    ...(await interleaved(
      {
        padded_batches_of_8_previous_format: () => padded(plain),
        each_alone_previous_format: () => alone(plain, plainFmt),
        each_alone_new_default: () => alone(web[fused.key] as EncoderSessions, fused),
      },
      Math.max(4, ROUNDS >> 1),
      1,
    )),
  };
  log(`padding: ${JSON.stringify(out.padding)}`);

  // 3. Micro-batching: 8 equal-length (32-token) texts in one [8,32] run vs 8 runs of [1,32].
  const fp32Fused = FORMATS.find((f) => f.key === "fp32-fused") as Format;
  const batchOf = async (sessions: EncoderSessions, B: number): Promise<void> => {
    const S = ids32.length;
    const T = webBackend.Tensor;
    const inputIds = new BigInt64Array(B * S);
    for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) inputIds[b * S + s] = BigInt(ids32[s] as number);
    const emb = await sessions.embeddings.run({ input_ids: new T("int64", inputIds, [B, S]), token_type_ids: new T("int64", new BigInt64Array(B * S), [B, S]) });
    let hidden = emb.hidden as OrtTensor;
    for (let l = 0; l < ck.config.num_hidden_layers; l++) hidden = (await (sessions.blocks[0] as Session).run({ hidden })).hidden_out as OrtTensor;
    await sessions.head.run({ hidden });
  };
  out.micro_batching = await interleaved({
    fp32_fused_one_run_of_8: () => batchOf(web[fp32Fused.key] as EncoderSessions, 8),
    fp32_fused_8_runs_of_1: async () => {
      for (let i = 0; i < 8; i++) await batchOf(web[fp32Fused.key] as EncoderSessions, 1);
    },
    int8_dynamic_fused_one_run_of_8: () => batchOf(web[fused.key] as EncoderSessions, 8),
    int8_dynamic_fused_8_runs_of_1: async () => {
      for (let i = 0; i < 8; i++) await batchOf(web[fused.key] as EncoderSessions, 1);
    },
  }, Math.max(4, ROUNDS >> 1), 1);
  log(`micro-batching: ${JSON.stringify(out.micro_batching)}`);

  // 4. The block loop: output tensor fed straight back (ours) vs through a JS copy.
  const s = web[fused.key] as EncoderSessions;
  const block = s.blocks[0] as Session;
  const loop = async (ids: number[], mode: "tensor" | "copy"): Promise<void> => {
    const S = ids.length;
    const H = ck.config.hidden_size;
    const T = webBackend.Tensor;
    const emb = await s.embeddings.run({ input_ids: new T("int64", BigInt64Array.from(ids, (x) => BigInt(x)), [1, S]), token_type_ids: new T("int64", new BigInt64Array(S), [1, S]) });
    let hidden = emb.hidden as OrtTensor;
    for (let l = 0; l < ck.config.num_hidden_layers; l++) {
      if (mode === "tensor") hidden = (await block.run({ hidden })).hidden_out as OrtTensor;
      else {
        const data = Float32Array.from((await block.run({ hidden })).hidden_out?.data as Float32Array);
        hidden = new T("float32", data, [1, S, H]);
      }
    }
    await s.head.run({ hidden });
  };
  out.block_loop = {
    "32": await interleaved({ output_tensor_fed_back: () => loop(ids32, "tensor"), copied_through_js: () => loop(ids32, "copy") }),
    "512": await interleaved({ output_tensor_fed_back: () => loop(ids512, "tensor"), copied_through_js: () => loop(ids512, "copy") }, Math.max(3, ROUNDS >> 2), 1),
  };
  log(`block loop: ${JSON.stringify(out.block_loop)}`);

  // 5. Inside one fused block: cumulative time of prefix graphs (graph cut after each op).
  const spec: ModelSpec = buildBlock(ck, 0, "int8-dynamic", "fused");
  const nodes = spec.graph.nodes.filter((n) => n.opType !== "Identity");
  const profile: Record<string, Record<string, number>> = {};
  for (const ids of [ids32, ids512]) {
    const S = ids.length;
    const H = ck.config.hidden_size;
    const x = new webBackend.Tensor("float32", Float32Array.from({ length: S * H }, (_, i) => Math.sin(i * 0.37)), [1, S, H]);
    const prefixes: Record<string, () => Promise<unknown>> = {};
    for (let k = 0; k < nodes.length; k++) {
      const node = nodes[k];
      if (node === undefined) continue;
      const cut: ModelSpec = { ...spec, graph: { ...spec.graph, nodes: nodes.slice(0, k + 1), outputs: [{ name: node.outputs[0] as string, elemType: node.opType === "DynamicQuantizeLinear" ? 2 : 1, shape: ["b", "s", "h"] }] } };
      const sess = await createSession(encodeModel(cut), { extra: { logSeverityLevel: 3 } });
      prefixes[`${String(k).padStart(2, "0")} ${node.opType}`] = () => sess.run({ hidden: x });
    }
    await warm(async () => {
      for (const f of Object.values(prefixes)) await f();
    }, 1000);
    const cumulative = await interleaved(prefixes, S > 100 ? Math.max(3, ROUNDS >> 2) : ROUNDS, 1);
    let prev = 0;
    profile[String(S)] = {};
    for (const [k, v] of Object.entries(cumulative)) {
      (profile[String(S)] as Record<string, number>)[k] = round(Math.max(0, v - prev), 3);
      prev = Math.max(prev, v);
    }
    (profile[String(S)] as Record<string, number>).block_total = round(prev, 3);
  }
  out.block_profile = profile;
  log(`block profile: ${JSON.stringify(profile)}`);

  // 6. Tokenizer next to the model.
  const tok = (text: string) => () => Promise.resolve(tokenizer.encode(text, { maxLength: 512 }));
  out.tokenizer = await interleaved({ tokenize_32: tok(text32?.text ?? ""), tokenize_512: tok(text512?.text ?? "") }, 50, 10);
  log(`tokenizer: ${JSON.stringify(out.tokenizer)}`);
  for (const set of [web, nat]) for (const e of Object.values(set)) for (const x of [e.embeddings, e.head, ...e.blocks]) await x.release();
}

writeFileSync(join(paths.bench, "steps-results.json"), `${JSON.stringify(results, null, 2)}\n`);
log("wrote bench/steps-results.json");
process.exit(0);
