/**
 * @module bench/early-exit
 * `npm run bench:early-exit` — what adaptive depth (the manifest's `early_exit`, PABEE) saves on
 * real dev texts, in the product Worker (src/index.ts in workerd on the shipped model-shards/, as
 * wrangler.toml serves them, minus the per-client rate limit: bench/wrangler.bench-early-exit.toml):
 * every SST-2 dev sentence through `sentiment` and every TweetEval offensive val tweet through
 * `moderation`, one text per request, each sent twice — as served (early exit) and with
 * `full_depth: true` — in alternating order, with the result cache bypassed. Reports, per model,
 * the mean block passes that ran, client-side latency (mean, p50; loopback HTTP included, measured
 * by /healthz), the speed-up (total full-depth time / total early-exit time, also net of the HTTP
 * round trip) and how often the two answers agree. Models without `early_exit` are listed and skipped.
 *
 * The Worker serves a staged copy of the shipped shards (bench/tmp/early-exit-shards). `--patience N`
 * sets `early_exit` in those copies (as `albert-edge early-exit` does), so a model that ships at full
 * depth is measured at patience N; model-shards/ is never changed.
 *
 * Writes bench/early-exit.json. Needs ../shared/datasets (skips a model whose texts are missing).
 * `--limit N` sends only the first N texts of each set.
 */
import { cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { run as setEarlyExit } from "../src/cli/early-exit.ts";
import { parseManifest, type Manifest } from "../src/model/manifest.ts";
import { paths } from "./lib/paths.ts";
import { round, summarize } from "./lib/stats.ts";
import { request, startWorkerd } from "./lib/workerd.ts";

const { values } = parseArgs({ options: { limit: { type: "string" }, out: { type: "string" }, patience: { type: "string" } } });
const limit = values.limit === undefined ? Infinity : Number(values.limit);
const patienceOverride = values.patience;
const outFile = values.out ?? join(paths.bench, "early-exit.json");
const log = (line: string): void => void process.stderr.write(`${line}\n`);

interface DevSet {
  model: string;
  name: string;
  texts: string[];
}

function devSets(): DevSet[] {
  const sst2 = join(paths.shared, "datasets", "sst2", "dev.tsv");
  const offensive = join(paths.shared, "datasets", "tweeteval", "offensive", "val_text.txt");
  const sets: DevSet[] = [];
  if (existsSync(sst2)) {
    const rows = readFileSync(sst2, "utf8").split("\n").slice(1).filter((l) => l.trim() !== "");
    sets.push({ model: "sentiment", name: "SST-2 dev", texts: rows.map((l) => l.slice(0, l.lastIndexOf("\t")).trim()) });
  } else log(`skip sentiment: ${sst2} not found`);
  if (existsSync(offensive)) {
    sets.push({ model: "moderation", name: "TweetEval offensive val", texts: readFileSync(offensive, "utf8").split("\n").filter((l) => l.trim() !== "") });
  } else log(`skip moderation: ${offensive} not found`);
  return sets;
}

interface Answer {
  ms: number;
  layers: number;
  /** The labels the answer gives: the top label (single-label) or every label over 0.5 (multi-label). */
  labels: string;
}

async function classify(url: string, model: string, text: string, fullDepth: boolean, multiLabel: boolean): Promise<Answer> {
  const r = await request(`${url}/v1/classify`, {
    method: "POST",
    headers: { "content-type": "application/json", "cache-control": "no-store" },
    body: JSON.stringify({ model, input: text, full_depth: fullDepth }),
  });
  if (r.status !== 200) throw new Error(`${model}: HTTP ${r.status}: ${r.body.slice(0, 300)}`);
  const result = (JSON.parse(r.body) as { results: { label: string; layers: number; scores: Record<string, number> }[] }).results[0]!;
  const labels = multiLabel ? Object.keys(result.scores).filter((l) => result.scores[l]! > 0.5).sort().join(",") : result.label;
  return { ms: r.ms, layers: result.layers, labels };
}

/** Copies a shipped model into the staged assets directory; with --patience, sets its early exit there. */
async function stage(model: string): Promise<void> {
  const dir = join(paths.earlyExitShards, model);
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(paths.repo, "model-shards", model), dir, { recursive: true });
  if (patienceOverride !== undefined && (await setEarlyExit([dir, "--patience", patienceOverride])) !== 0) {
    throw new Error(`${model}: cannot set early exit at patience ${patienceOverride}`);
  }
}

async function main(): Promise<void> {
  // Each staged model's manifest, read once: only models with early exit are measured.
  const sets: (DevSet & { manifest: Manifest; patience: number })[] = [];
  for (const set of devSets()) {
    await stage(set.model);
    const manifest = parseManifest(JSON.parse(readFileSync(join(paths.earlyExitShards, set.model, "manifest.json"), "utf8")));
    if (manifest.early_exit === undefined) log(`skip ${set.model}: its manifest has no early_exit (--patience N measures one)`);
    else sets.push({ ...set, manifest, patience: manifest.early_exit.patience });
  }
  if (sets.length === 0) throw new Error("nothing to measure: no shipped model with early_exit and dev texts (--patience N sets one)");
  const workerd = await startWorkerd(8797, log, paths.wranglerConfigEarlyExit);
  const report: Record<string, unknown>[] = [];
  try {
    const overhead: number[] = [];
    for (let i = 0; i < 50; i++) overhead.push((await request(`${workerd.url}/healthz`)).ms);
    const http = summarize(overhead).p50;
    for (const set of sets) {
      const { manifest, patience } = set;
      const multiLabel = manifest.task === "multi_label_classification";
      const texts = set.texts.slice(0, limit);
      log(`${set.model}: ${texts.length} ${set.name} texts, patience ${patience}, ${manifest.config.num_hidden_layers} layers`);
      // Warm-up: load the model and let V8 tier the kernels up.
      for (const text of texts.slice(0, 40)) for (const full of [false, true]) await classify(workerd.url, set.model, text, full, multiLabel);
      const early: Answer[] = [];
      const full: Answer[] = [];
      for (const [i, text] of texts.entries()) {
        if (i % 2 === 0) {
          early.push(await classify(workerd.url, set.model, text, false, multiLabel));
          full.push(await classify(workerd.url, set.model, text, true, multiLabel));
        } else {
          full.push(await classify(workerd.url, set.model, text, true, multiLabel));
          early.push(await classify(workerd.url, set.model, text, false, multiLabel));
        }
      }
      const sum = (xs: Answer[]): number => xs.reduce((s, a) => s + a.ms, 0);
      const meanLayers = (xs: Answer[]): number => xs.reduce((s, a) => s + a.layers, 0) / xs.length;
      const row = {
        model: set.model,
        texts: set.name,
        n: texts.length,
        patience,
        /** Where the patience came from: the shipped manifest, or this run's --patience. */
        patience_from: patienceOverride === undefined ? "manifest" : "--patience",
        layers: manifest.config.num_hidden_layers,
        mean_layers_early_exit: round(meanLayers(early), 3),
        mean_layers_full_depth: round(meanLayers(full), 3),
        early_exit_ms: summarize(early.map((a) => a.ms)),
        full_depth_ms: summarize(full.map((a) => a.ms)),
        speedup: round(sum(full) / sum(early), 3),
        /** The same net of the loopback HTTP round trip (/healthz p50), i.e. the Worker's own time. */
        speedup_net_of_http: round((sum(full) - http * texts.length) / (sum(early) - http * texts.length), 3),
        same_answer: round(early.filter((a, i) => a.labels === full[i]!.labels).length / texts.length, 4),
      };
      log(
        `  mean layers ${row.mean_layers_early_exit} vs ${row.mean_layers_full_depth}; mean ${row.early_exit_ms.mean} vs ${row.full_depth_ms.mean} ms ` +
          `(p50 ${row.early_exit_ms.p50} vs ${row.full_depth_ms.p50}); speed-up ${row.speedup}x (${row.speedup_net_of_http}x net of HTTP); same answer ${(row.same_answer * 100).toFixed(2)}%`,
      );
      report.push(row);
    }
    const out = { date: new Date().toISOString(), http_overhead_ms: summarize(overhead), models: report };
    writeFileSync(outFile, `${JSON.stringify(out, null, 2)}\n`);
    log(`wrote ${outFile}`);
  } finally {
    await workerd.stop();
  }
}

await main();
