/**
 * @module bench/lib/paths
 * Where the benchmark reads and writes: the repo, ../shared (checkpoint, tokenizer, IMDB text),
 * and bench/tmp (git-ignored scratch: staged shards (bench and bench:early-exit), the generated base-shaped checkpoint, the
 * naive baseline graphs, wrangler state, the dry-run bundle).
 */
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const bench = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(bench, "..");
const shared = resolve(repo, "..", "shared");
const tmp = join(bench, "tmp");

export const paths = {
  repo,
  bench,
  tmp,
  shared,
  sst2Mini: join(shared, "checkpoints", "albert-sst2-mini"),
  spiece: join(shared, "tokenizer", "spiece.model"),
  imdb: join(shared, "datasets", "imdb", "train.tsv"),
  shippedSentiment: join(repo, "model-shards", "sentiment"),
  /** Assets directory of bench/wrangler.bench.toml. */
  stagedShards: join(tmp, "shards"),
  /** Assets directory of bench/wrangler.bench-early-exit.toml: copies of the shipped shards. */
  earlyExitShards: join(tmp, "early-exit-shards"),
  baseCheckpoint: join(tmp, "base-checkpoint"),
  naive: join(tmp, "naive"),
  /** The bench Worker with our engine (the product's app + probes) and the build that also carries ORT. */
  wranglerConfig: join(bench, "wrangler.bench.toml"),
  wranglerConfigOrt: join(bench, "wrangler.bench-ort.toml"),
  /** The product Worker on the shipped shards without the rate limit (`npm run bench:early-exit`). */
  wranglerConfigEarlyExit: join(bench, "wrangler.bench-early-exit.toml"),
  /** The product's Worker config (bundle size). */
  productWranglerConfig: join(repo, "wrangler.toml"),
  wranglerState: join(tmp, "wrangler-state"),
  bundle: join(tmp, "bundle"),
  bundleOrt: join(tmp, "bundle-bench-ort"),
  results: join(bench, "results.json"),
  resultsMd: join(bench, "RESULTS.md"),
};
