/**
 * @module bench/soak
 * `npm run soak [-- --requests N --rounds R --concurrency C --max-seconds S --out FILE]`
 *
 * Soak test of the real Worker in workerd (`wrangler dev --config bench/wrangler.soak.toml`, the
 * shipped shards, loopback only, nothing fetched): R rounds (default 3) of N requests (default
 * 4,000, so 12,000 in all) at concurrency C (default 32), a seeded mix of classify (fresh texts and
 * 1–4 input batches), moderations, tokenize, cache hits (repeated texts) and bad input (broken
 * JSON, wrong content type, empty text, too many inputs, over the work budget, unknown model,
 * wrong method). Every request has its expected statuses; anything else, or a network error, is
 * counted by kind. The isolate's memory (JS heap + ArrayBuffers + WASM, through workerd's V8
 * inspector, bench/lib/inspector.ts) is sampled every 250 ms; the last round must not hold more
 * than the one before it (median and peak within 8 MiB). The soak config bounds the result LRU at
 * 1,000 entries, so it is full within the first round and what is left to grow is a leak; no GC
 * can be forced through workerd's inspector, so samples include garbage not yet collected.
 * Bounded: stops at S seconds (default 900) whatever is left. Writes `bench/soak.json`; exits 1
 * when a status was unexpected or memory grew from the second-last to the last round.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Inspector, isolateBytes, IsolateMemorySampler, type MemorySample } from "./lib/inspector.ts";
import { paths } from "./lib/paths.ts";
import { percentile, round } from "./lib/stats.ts";
import { request, startWorkerd, type RequestInit } from "./lib/workerd.ts";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "4000" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "32" },
    "max-seconds": { type: "string", default: "900" },
    port: { type: "string", default: "8790" },
    out: { type: "string", default: join(paths.bench, "soak.json") },
  },
});
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const MAX_MS = Number(args["max-seconds"]) * 1000;
/** Growth of the isolate's memory across rounds that still counts as flat. */
const FLAT_MIB = 8;

const log = (line: string) => process.stderr.write(`${line}\n`);

/** mulberry32: the same seeded mix every run. */
function rng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = "the a film movie plot acting was is great awful boring brilliant dull moving funny sad long short story ending characters music scene director script fine terrible wonderful hate love you people stupid kind thanks".split(" ");

interface Case {
  kind: string;
  init: RequestInit & { path: string };
  expect: number[];
}

const json = (path: string, body: unknown, headers: Record<string, string> = {}): RequestInit & { path: string } => ({
  path,
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

function makeCase(random: () => number, n: number): Case {
  const sentence = (words: number) => Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ") + ` ${n}`;
  const roll = random();
  if (roll < 0.25) return { kind: "classify", init: json("/v1/classify", { input: sentence(5 + Math.floor(random() * 40)) }), expect: [200] };
  if (roll < 0.32) return { kind: "classify_batch", init: json("/v1/classify", { input: Array.from({ length: 1 + Math.floor(random() * 4) }, () => sentence(8)) }), expect: [200] };
  if (roll < 0.45) return { kind: "moderations", init: json("/v1/moderations", { input: sentence(5 + Math.floor(random() * 20)) }), expect: [200] };
  if (roll < 0.57) return { kind: "tokenize", init: json("/v1/tokenize", { input: sentence(10 + Math.floor(random() * 60)) }), expect: [200] };
  if (roll < 0.75) {
    const fixed = ["a gorgeous , witty , seductive movie .", "a dull , tedious mess .", "thanks for the help !", "what a fine film"];
    const path = random() < 0.5 ? "/v1/classify" : "/v1/moderations";
    return { kind: "cache_hit", init: json(path, { input: fixed[Math.floor(random() * fixed.length)] }), expect: [200] };
  }
  const bad: Case[] = [
    { kind: "bad_json", init: json("/v1/classify", '{"input": "unterminated'), expect: [400] },
    { kind: "bad_type", init: { path: "/v1/classify", method: "POST", headers: { "content-type": "text/plain" }, body: "hello" }, expect: [415] },
    { kind: "bad_empty", init: json("/v1/moderations", { input: ["fine", "  "] }), expect: [400] },
    { kind: "bad_too_many", init: json("/v1/tokenize", { input: Array(33).fill("x") }), expect: [400] },
    { kind: "bad_budget", init: json("/v1/classify", { input: Array.from({ length: 5 }, (_, i) => `${i} ${"long review text ".repeat(200)}`) }), expect: [413] },
    { kind: "bad_model", init: json("/v1/classify", { input: "x", model: "ghost" }), expect: [404] },
    { kind: "bad_method", init: { path: "/v1/moderations", method: "GET" }, expect: [405] },
  ];
  return bad[Math.floor(random() * bad.length)]!;
}

interface RoundResult {
  round: number;
  requests: number;
  seconds: number;
  throughput_rps: number;
  by_kind: Record<string, { n: number; statuses: Record<string, number>; p50_ms: number; p95_ms: number; p99_ms: number }>;
  unexpected: number;
  errors_by_kind: Record<string, number>;
  examples: string[];
  memory_mib: {
    peak: number;
    median: number;
    floor: number;
    end: number;
    samples: number;
    at_peak: { heap_used: number; heap_total: number; embedder: number; array_buffers: number; wasm: number };
    median_heap_used: number;
  } | null;
}

const mib = (bytes: number) => round(bytes / 2 ** 20, 1);

async function runRound(base: string, round: number, deadline: number, sampler: IsolateMemorySampler | undefined): Promise<RoundResult> {
  const random = rng(1130 + round);
  const cases = Array.from({ length: REQUESTS }, (_, i) => makeCase(random, round * REQUESTS + i));
  const latencies = new Map<string, number[]>();
  const statuses = new Map<string, Map<number, number>>();
  const errors = new Map<string, number>();
  const examples: string[] = [];
  let unexpected = 0;
  let next = 0;
  let done = 0;
  sampler?.phase(`round${round}`);
  const samplesBefore = sampler?.samples.length ?? 0;
  const started = performance.now();
  const worker = async () => {
    while (next < cases.length && performance.now() < deadline) {
      const c = cases[next++]!;
      const { path, ...init } = c.init;
      try {
        const reply = await request(`${base}${path}`, init);
        const ms = latencies.get(c.kind) ?? [];
        ms.push(reply.ms);
        latencies.set(c.kind, ms);
        const byStatus = statuses.get(c.kind) ?? new Map<number, number>();
        byStatus.set(reply.status, (byStatus.get(reply.status) ?? 0) + 1);
        statuses.set(c.kind, byStatus);
        if (!c.expect.includes(reply.status)) {
          unexpected++;
          const kind = `${c.kind}:${reply.status}`;
          errors.set(kind, (errors.get(kind) ?? 0) + 1);
          if (examples.length < 20) examples.push(`${c.kind} ${path} → ${reply.status} ${reply.body.slice(0, 200)}`);
        }
      } catch (e) {
        unexpected++;
        const kind = `${c.kind}:network:${(e as { code?: string }).code ?? (e as Error).message}`;
        errors.set(kind, (errors.get(kind) ?? 0) + 1);
      }
      if (++done % 1000 === 0) log(`  round ${round}: ${done}/${cases.length}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const samples: MemorySample[] = sampler?.samples.slice(samplesBefore) ?? [];
  const totals = samples.map(isolateBytes);
  return {
    round,
    requests: done,
    seconds: round2(seconds),
    throughput_rps: round2(done / seconds),
    by_kind: Object.fromEntries(
      [...latencies].map(([kind, ms]) => [
        kind,
        { n: ms.length, statuses: Object.fromEntries(statuses.get(kind) ?? []), p50_ms: round2(percentile(ms, 50)), p95_ms: round2(percentile(ms, 95)), p99_ms: round2(percentile(ms, 99)) },
      ]),
    ),
    unexpected,
    errors_by_kind: Object.fromEntries(errors),
    examples,
    memory_mib: totals.length === 0 ? null : memorySummary(samples, totals),
  };
}

function memorySummary(samples: MemorySample[], totals: number[]): NonNullable<RoundResult["memory_mib"]> {
  const peak = Math.max(...totals);
  const s = samples[totals.indexOf(peak)]!;
  return {
    peak: mib(peak),
    median: mib(percentile(totals, 50)),
    floor: mib(Math.min(...totals)),
    end: mib(totals.at(-1)!),
    samples: totals.length,
    at_peak: { heap_used: mib(s.heap_used), heap_total: mib(s.heap_total), embedder: mib(s.embedder), array_buffers: mib(s.array_buffers), wasm: mib(s.wasm) },
    median_heap_used: mib(percentile(samples.map((x) => x.heap_used), 50)),
  };
}

function round2(x: number): number {
  return round(x, 2);
}

async function main(): Promise<number> {
  const deadline = performance.now() + MAX_MS;
  log(`soak: ${ROUNDS} rounds × ${REQUESTS} requests, concurrency ${CONCURRENCY}, at most ${MAX_MS / 1000} s`);
  // A fresh local KV store each run, so every run starts cold and sees the same cache hits.
  const state = mkdtempSync(join(tmpdir(), "albert-edge-soak-"));
  process.env["BENCH_PERSIST"] = state;
  const w = await startWorkerd(Number(args.port), log, join(paths.bench, "wrangler.soak.toml"));
  let session: Inspector | undefined;
  let sampler: IsolateMemorySampler | undefined;
  const rounds: RoundResult[] = [];
  try {
    if (w.inspectorUrl !== undefined) {
      session = await Inspector.open(w.inspectorUrl);
      sampler = new IsolateMemorySampler(session);
      sampler.startTimer(250, "warm-up");
    }
    // Warm-up: load both models once, so round 1 measures serving, not the load.
    for (const path of ["/v1/classify", "/v1/moderations"]) await request(`${w.url}${path}`, json(path, { input: "warm up" }));
    for (let r = 1; r <= ROUNDS && performance.now() < deadline; r++) {
      const result = await runRound(w.url, r, deadline, sampler);
      rounds.push(result);
      log(`  round ${r}: ${result.requests} requests in ${result.seconds} s (${result.throughput_rps} req/s), unexpected ${result.unexpected}, memory ${JSON.stringify(result.memory_mib)}`);
    }
  } finally {
    await sampler?.stopTimer();
    session?.close();
    await w.stop();
    rmSync(state, { recursive: true, force: true });
  }
  // Flat = the last round holds no more than the round before it (round 1 also fills the LRU and
  // grows V8's heap to its working size, so with 3+ rounds the comparison is of rounds 2 and 3).
  const previous = rounds.at(-2)?.memory_mib;
  const last = rounds.at(-1)?.memory_mib;
  const growth =
    previous && last
      ? { rounds: [rounds.length - 1, rounds.length], peak: round2(last.peak - previous.peak), median: round2(last.median - previous.median), median_heap_used: round2(last.median_heap_used - previous.median_heap_used) }
      : null;
  const unexpected = rounds.reduce((sum, r) => sum + r.unexpected, 0);
  const flat = growth === null ? null : growth.median <= FLAT_MIB && growth.peak <= FLAT_MIB;
  const report = {
    when: new Date().toISOString(),
    command: `npm run soak -- --requests ${REQUESTS} --rounds ${ROUNDS} --concurrency ${CONCURRENCY}`,
    config: "bench/wrangler.soak.toml (the shipped shards, the product's [vars] but CACHE_MAX_ENTRIES=1000 so the LRU is full within round 1), wrangler dev on loopback, fresh local KV per run",
    memory_method: "isolate memory = committed JS heap + cppgc heap + ArrayBuffers + WASM linear memory, sampled every 250 ms through workerd's V8 inspector (bench/lib/inspector.ts)",
    requests: rounds.reduce((sum, r) => sum + r.requests, 0),
    unexpected,
    memory_growth_mib: growth,
    memory_flat: flat,
    rounds,
  };
  writeFileSync(args.out, JSON.stringify(report, null, 2) + "\n");
  log(`wrote ${args.out}: ${report.requests} requests, ${unexpected} unexpected, memory growth ${JSON.stringify(growth)}, flat ${flat}`);
  return unexpected === 0 && flat !== false ? 0 : 1;
}

process.exitCode = await main();
