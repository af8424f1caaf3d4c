/**
 * @module middleware/sentiment
 * Sentiment tagging for any Hono app: reads the request's text (a JSON pointer into the JSON body,
 * a query parameter, or the raw body), classifies it within a time budget, sets
 * `c.var.sentiment` and an `x-sentiment: <label>;score=<p>` response header. It never fails the
 * request because of the model: on an error, a timeout or no text, the tag is `unknown`.
 * The body stays readable, byte for byte, by later handlers (Hono caches it).
 *
 * ```ts
 * import { sentimentTagger, registryClassifier } from "albert-edge/middleware/sentiment";
 * app.use("/comments/*", sentimentTagger({ classifier: (c) => registryClassifier(c.env.ASSETS), text: { pointer: "/body" } }));
 * ```
 */
import type { Context, MiddlewareHandler } from "hono";
import { findTexts } from "../webhooks/json-pointer.ts";
import { ModelRegistry } from "../worker/model-registry.ts";

export interface SentimentTag {
  /** The model's label, or `unknown` when no verdict could be had in time. */
  label: string;
  score: number | null;
  /** Why the tag is `unknown` (`no_text`, `timeout`, `error`). */
  reason?: string;
}

/** Anything that classifies one text: a loaded model, the Worker's registry, a remote call. */
export interface SentimentClassifier {
  classify(text: string): Promise<{ label: string; score: number }>;
}

export type TextSource = { pointer: string } | { query: string } | "body";

export interface SentimentOptions {
  classifier: SentimentClassifier | ((c: Context) => SentimentClassifier);
  /** Where the text is: `{ pointer: "/comment/body" }` (JSON body), `{ query: "q" }`, or `"body"` (raw text). */
  text: TextSource;
  /** Longest wait for a verdict, in ms (default 100); past it the tag is `unknown`. */
  budgetMs?: number;
  /** Response header carrying the tag (default `x-sentiment`); `false` for none. */
  header?: string | false;
  /** Longest text classified, in characters (default 16,384); longer text is cut. */
  maxChars?: number;
}

export type SentimentEnv = { Variables: { sentiment: SentimentTag } };

export function formatTag(tag: SentimentTag): string {
  return tag.score === null ? tag.label : `${tag.label};score=${tag.score.toFixed(4)}`;
}

export function sentimentTagger(options: SentimentOptions): MiddlewareHandler<SentimentEnv> {
  const budgetMs = options.budgetMs ?? 100;
  const header = options.header ?? "x-sentiment";
  const maxChars = options.maxChars ?? 16_384;
  return async (c, next) => {
    const tag = await tagRequest(c, options, budgetMs, maxChars);
    c.set("sentiment", tag);
    await next();
    if (header !== false) c.res.headers.set(header, formatTag(tag));
  };
}

/** Classifies the request's text; never throws. */
export async function tagRequest(c: Context, options: SentimentOptions, budgetMs: number, maxChars: number): Promise<SentimentTag> {
  let text: string | undefined;
  try {
    text = await readText(c, options.text);
  } catch {
    text = undefined;
  }
  if (text === undefined || text.trim() === "") return { label: "unknown", score: null, reason: "no_text" };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<SentimentTag>((resolve) => {
    timer = setTimeout(() => resolve({ label: "unknown", score: null, reason: "timeout" }), budgetMs);
  });
  const verdict = (async (): Promise<SentimentTag> => {
    const classifier = typeof options.classifier === "function" ? options.classifier(c) : options.classifier;
    const { label, score } = await classifier.classify(text.slice(0, maxChars));
    return { label, score };
  })().catch((): SentimentTag => ({ label: "unknown", score: null, reason: "error" }));
  try {
    return await Promise.race([verdict, timeout]);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
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

/**
 * A classifier over model shards in a static-assets binding (`model-shards/<id>/`), loaded
 * lazily once per isolate and shared by every request.
 */
export function registryClassifier(assets: Fetcher, modelId = "sentiment"): SentimentClassifier {
  let byModel = registries.get(assets);
  if (byModel === undefined) registries.set(assets, (byModel = new Map()));
  let shared = byModel.get(modelId);
  if (shared === undefined) byModel.set(modelId, (shared = new ModelRegistry(assets, [modelId], modelId)));
  const registry = shared;
  return {
    async classify(text) {
      const model = await registry.model(modelId);
      const [result] = await model.classify([text]);
      return { label: result!.label, score: result!.score };
    },
  };
}
