/**
 * @module bench/tokenizer
 * Tokenizer benchmark (Node): load time of `spiece.model` (parse + build every structure) and
 * single-threaded encode throughput on IMDB reviews. Not a test: run it by hand with
 *
 *   npx node --experimental-strip-types --no-warnings bench/tokenizer.ts [--reviews N] [--passes N]
 *
 * Prints the figures and writes them to bench/tokenizer-results.json. MB = 10^6 bytes of UTF-8
 * input text. Targets: load < 50 ms, throughput >= 5 MB/s.
 *
 * Load is measured two ways: cold, the first load in a fresh process (unoptimized code, what a
 * new Worker isolate pays; the median of several child processes, each loading once), and warm,
 * repeated loads in this process. Wall times on a busy machine include time the thread was not
 * running, so the main thread's CPU time is reported beside them.
 */
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { AlbertTokenizer } from "../src/tokenizer/index.ts";

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, "../../shared") + "/";
const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
};
const reviewCount = flag("--reviews", 2000);
const passes = flag("--passes", 5);
const loadRepeats = flag("--load-repeats", 20);
const coldRuns = flag("--cold-runs", 7);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const modelBytes = new Uint8Array(readFileSync(`${shared}tokenizer/spiece.model`));
const threadMs = (): number => {
  const u = process.threadCpuUsage();
  return (u.user + u.system) / 1000;
};

if (args.includes("--child-cold-load")) {
  // Child mode: one cold load, printed as JSON for the parent.
  const c = threadMs();
  const t = performance.now();
  AlbertTokenizer.fromModel(modelBytes, { lowercase: true, keepAccents: false });
  console.log(JSON.stringify({ wallMs: performance.now() - t, cpuMs: threadMs() - c }));
  process.exit(0);
}

// Cold: one load per fresh process.
const cold: { wallMs: number; cpuMs: number }[] = [];
for (let i = 0; i < coldRuns; i++) {
  const child = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), "--child-cold-load"], {
    encoding: "utf8",
  });
  if (child.status !== 0) throw new Error(`cold-load child failed: ${child.stderr}`);
  cold.push(JSON.parse(child.stdout.trim().split("\n").pop() ?? "{}") as { wallMs: number; cpuMs: number });
}

// Warm: the same process loading again and again.
let t = performance.now();
const tokenizer = AlbertTokenizer.fromModel(modelBytes, { lowercase: true, keepAccents: false });
const firstInProcessMs = performance.now() - t;
const loadTimes: number[] = [];
for (let i = 0; i < loadRepeats; i++) {
  t = performance.now();
  AlbertTokenizer.fromModel(modelBytes, { lowercase: true, keepAccents: false });
  loadTimes.push(performance.now() - t);
}

// Throughput on the first N IMDB train reviews (columns: id rating label text).
const lines = readFileSync(`${shared}datasets/imdb/train.tsv`, "utf8").split("\n");
const reviews: string[] = [];
for (const line of lines.slice(1)) {
  if (reviews.length >= reviewCount) break;
  const cols = line.split("\t");
  if (cols.length >= 4) reviews.push(cols.slice(3).join("\t"));
}
const encoder = new TextEncoder();
const totalBytes = reviews.reduce((n, r) => n + encoder.encode(r).length, 0);

let tokens = 0;
t = performance.now();
for (const r of reviews) tokens += tokenizer.encode(r).ids.length;
const firstPassMs = performance.now() - t;
const passMs: number[] = [];
for (let p = 0; p < passes; p++) {
  t = performance.now();
  for (const r of reviews) tokenizer.encode(r);
  passMs.push(performance.now() - t);
}
const mbps = (ms: number): number => totalBytes / 1e6 / (ms / 1000);

const results = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? "unknown",
  cpus: availableParallelism(),
  model: "shared/tokenizer/spiece.model",
  load: {
    coldMedianMs: round(median(cold.map((c) => c.wallMs))),
    coldMinMs: round(Math.min(...cold.map((c) => c.wallMs))),
    coldMedianThreadCpuMs: round(median(cold.map((c) => c.cpuMs))),
    coldRuns,
    firstInProcessMs: round(firstInProcessMs),
    warmMedianMs: round(median(loadTimes)),
    warmMinMs: round(Math.min(...loadTimes)),
    warmRepeats: loadRepeats,
    targetMs: 50,
  },
  throughput: {
    dataset: `shared/datasets/imdb/train.tsv, first ${reviews.length} reviews`,
    bytes: totalBytes,
    tokens,
    firstPassMBps: round(mbps(firstPassMs)),
    medianMBps: round(mbps(median(passMs))),
    bestMBps: round(mbps(Math.min(...passMs))),
    tokensPerSecondMedian: Math.round(tokens / (median(passMs) / 1000)),
    passes,
    targetMBps: 5,
  },
};

console.log(
  `tokenizer load: cold ${results.load.coldMedianMs} ms median / ${results.load.coldMinMs} ms min of ${coldRuns} fresh processes ` +
    `(main-thread CPU ${results.load.coldMedianThreadCpuMs} ms), warm ${results.load.warmMedianMs} ms median (target < 50 ms)`,
);
console.log(
  `throughput: ${results.throughput.medianMBps} MB/s median, ${results.throughput.bestMBps} MB/s best, ` +
    `${results.throughput.firstPassMBps} MB/s first pass (${reviews.length} reviews, ${(totalBytes / 1e6).toFixed(2)} MB, ` +
    `${tokens} tokens; target >= 5 MB/s)`,
);
const out = resolve(here, "tokenizer-results.json");
writeFileSync(out, JSON.stringify(results, null, 2) + "\n");
console.log(`wrote ${out}`);

function round(x: number): number {
  return Math.round(x * 100) / 100;
}
