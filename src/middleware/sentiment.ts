/**
 * @module middleware/sentiment
 * Sentiment tagging for any Hono app: reads the request's text (a JSON pointer into the JSON body,
 * a query parameter, or the raw body), classifies it, sets `c.var.sentiment` and an
 * `x-sentiment: <label>;score=<p>` response header. It never fails the request because of the
 * model: on an error, while the model is still loading, or without text, the tag is `unknown`; when
 * `registryClassifier`'s model cannot be loaded (e.g. its folder is not at the root of the assets
 * directory), a warning says so once per isolate, naming the path it read.
 * The body stays readable, byte for byte, by later handlers (Hono caches it).
 *
 * What it can and cannot bound, honestly: Workers cannot preempt CPU work and their clock stands
 * still during it, so no timer can cut a classification short. The cost of a tag is bounded by
 * work instead: only the first `maxTokens` tokens of the text are classified (default 128, about
 * 40 ms of CPU with the default model on the bench machine, bench/RESULTS.md). The one thing a
 * timer can bound is waiting: `loadWaitMs` is how long a request waits for the model's load
 * before it goes on tagged `unknown` (`reason: "loading"`). The timer can only fire when the load
 * yields (its I/O); a CPU stretch of the load (hashing, compiling, ~0.2 s in all) runs to its end
 * first. The load carries on (kept alive by `ctx.waitUntil`), so later requests are tagged.
 *
 * ```ts
 * import { sentimentTagger, registryClassifier } from "albert-edge/middleware/sentiment";
 * app.use("/comments/*", sentimentTagger({ classifier: (c) => registryClassifier(c.env.ASSETS, "sentiment", c), text: { pointer: "/body" } }));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { findTexts } from "../webhooks/json-pointer.ts";
import { ModelRegistry, type KeepAlive } from "../worker/model-registry.ts";

export interface SentimentTag {
  /** The model's label, or `unknown` when no verdict could be had. */
  label: string;
  score: number | null;
  /** Why the tag is `unknown` (`no_text`, `loading`, `error`). */
  reason?: string;
}

/** Anything that classifies one text: a loaded model, the Worker's registry, a remote call. */
export interface SentimentClassifier {
  /** Classifies the text's first `maxTokens` tokens (a classifier without a tokenizer may ignore it). */
  classify(text: string, options: { maxTokens: number }): Promise<{ label: string; score: number }>;
  /** Settles when the classifier can answer (its model is loaded); omitted when always ready. */
  ready?(): Promise<unknown>;
}

export type TextSource = { pointer: string } | { query: string } | "body";

export interface SentimentOptions {
  classifier: SentimentClassifier | ((c: Context) => SentimentClassifier);
  /** Where the text is: `{ pointer: "/comment/body" }` (JSON body), `{ query: "q" }`, or `"body"` (raw text). */
  text: TextSource;
  /** Token budget: only the text's first `maxTokens` tokens are classified (default 128). */
  maxTokens?: number;
  /** Longest wait for the model's load, in ms (default 500); past it the tag is `unknown` (`loading`). */
  loadWaitMs?: number;
  /** Response header carrying the tag (default `x-sentiment`); `false` for none. */
  header?: string | false;
  /** Longest text read, in characters (default 16,384); longer text is cut before tokenizing. */
  maxChars?: number;
}

export const SENTIMENT_DEFAULTS = { maxTokens: 128, loadWaitMs: 500, maxChars: 16_384 } as const;

export type SentimentEnv = { Variables: { sentiment: SentimentTag } };

export function formatTag(tag: SentimentTag): string {
  return tag.score === null ? tag.label : `${tag.label};score=${tag.score.toFixed(4)}`;
}

export function sentimentTagger(options: SentimentOptions): MiddlewareHandler<SentimentEnv> {
  const header = options.header ?? "x-sentiment";
  return async (c, next) => {
    const tag = await tagRequest(c, options);
    c.set("sentiment", tag);
    await next();
    if (header !== false) c.res.headers.set(header, formatTag(tag));
  };
}

/** Classifies the request's text; never throws. */
export async function tagRequest(c: Context, options: SentimentOptions): Promise<SentimentTag> {
  const maxTokens = Math.max(3, options.maxTokens ?? SENTIMENT_DEFAULTS.maxTokens); // [CLS], one token, [SEP]
  const loadWaitMs = options.loadWaitMs ?? SENTIMENT_DEFAULTS.loadWaitMs;
  const maxChars = options.maxChars ?? SENTIMENT_DEFAULTS.maxChars;
  let text: string | undefined;
  try {
    text = await readText(c, options.text);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.trim() === "") return { label: "unknown", score: null, reason: "no_text" };
  try {
    const classifier = typeof options.classifier === "function" ? options.classifier(c) : options.classifier;
    if (classifier.ready !== undefined && !(await settlesWithin(classifier.ready(), loadWaitMs))) {
      return { label: "unknown", score: null, reason: "loading" };
    }
    const { label, score } = await classifier.classify(text.slice(0, maxChars), { maxTokens });
    return { label, score };
  } catch {
    return { label: "unknown", score: null, reason: "error" };
  }
}

/** True when `task` settles within `ms` (rejects when it rejects); the timer is always cleared. */
async function settlesWithin(task: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([task.then(() => true as const), timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/**
 * The longest prefix of `text` that `count` says is at most `maxTokens` tokens (the whole text
 * when it fits). Grows a window until it is over the budget, then bisects inside it, so the
 * tokenizer only ever sees a few budgets' worth of text.
 */
export function cutToTokens(text: string, maxTokens: number, count: (text: string) => number): string {
  let fits = 0;
  let over = Math.min(text.length, Math.max(16, maxTokens * 4));
  while (count(text.slice(0, over)) <= maxTokens) {
    if (over === text.length) return text;
    fits = over;
    over = Math.min(text.length, over * 2);
  }
  while (over - fits > 1) {
    const mid = (fits + over) >> 1;
    if (count(text.slice(0, mid)) <= maxTokens) fits = mid;
    else over = mid;
  }
  return text.slice(0, fits);
}

/** Reads the body as bytes first, so Hono's body cache keeps the exact bytes for later handlers. */
async function readText(c: Context, source: TextSource): Promise<string | undefined> {
  if (source !== "body" && "query" in source) return c.req.query(source.query);
  const text = new TextDecoder().decode(await c.req.arrayBuffer());
  if (source === "body") return text;
  const found = findTexts(JSON.parse(text), source.pointer);
  return found.length === 0 ? undefined : found.map((f) => f.text).join("\n");
}

const registries = new WeakMap<Fetcher, Map<string, ModelRegistry>>();
const warned = new WeakSet<ModelRegistry>();

/**
 * Says once per isolate and model, on the console (Workers Logs, `wrangler dev`'s terminal), why
 * the tag is `unknown` when the model cannot be loaded, and where the tagger looked; then rethrows.
 * The usual cause is a model folder that is not at the root of the assets directory.
 */
function warnLoadFailure(registry: ModelRegistry, modelId: string, error: unknown): never {
  if (!warned.has(registry)) {
    warned.add(registry);
    const reason = error instanceof Error ? error.message : String(error);
    console.warn(
      `albert-edge sentimentTagger: model ${JSON.stringify(modelId)} could not be loaded, so requests are tagged "unknown" (reason "error"). ` +
        `It is read through the assets binding at /${modelId}/manifest.json: the folder ${modelId}/ must sit at the root of the directory ` +
        `that wrangler's [assets] serves (directory = "./model-shards" holding model-shards/${modelId}/manifest.json). Cause: ${reason}`,
    );
  }
  throw error;
}

/** The request's `ctx.waitUntil`, when it has one. */
export function keepAliveOf(c: Context | undefined): KeepAlive | undefined {
  if (c === undefined) return undefined;
  try {
    const ctx = c.executionCtx;
    return (task) => ctx.waitUntil(task);
  } catch {
    return undefined;
  }
}

/**
 * A classifier over model shards in a static-assets binding (`model-shards/<id>/`), loaded
 * lazily once per isolate and shared by every request. Pass the request's context so a load the
 * request stops waiting for is kept alive (`ctx.waitUntil`) and serves the next request.
 */
export function registryClassifier(assets: Fetcher, modelId = "sentiment", c?: Context): SentimentClassifier {
  let byModel = registries.get(assets);
  if (byModel === undefined) registries.set(assets, (byModel = new Map()));
  let shared = byModel.get(modelId);
  if (shared === undefined) byModel.set(modelId, (shared = new ModelRegistry(assets, [modelId], modelId)));
  const registry = shared;
  const keepAlive = keepAliveOf(c);
  const load = () => registry.model(modelId, keepAlive).catch((error: unknown) => warnLoadFailure(registry, modelId, error));
  return {
    ready: load,
    async classify(text, { maxTokens }) {
      const model = await load();
      const cut = cutToTokens(text, maxTokens, (prefix) => model.tokenize(prefix).ids.length);
      const [result] = await model.classify([cut]);
      return { label: result!.label, score: result!.score };
    },
  };
}
