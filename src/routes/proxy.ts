/**
 * @module routes/proxy
 * Proxy mode: with `PROXY_ORIGIN` set, `/proxy/<path>` is forwarded to `<PROXY_ORIGIN>/<path>`
 * (method, query, headers and body kept) with `x-sentiment: <label>;score=<p>` added to the
 * upstream request, tagged by the sentiment middleware from `PROXY_TEXT` (`body`, `query:<name>` or
 * `pointer:<json pointer>`). The origin's answer is passed back; an unreachable origin is a 502.
 */
import type { Context } from "hono";
import { cachePolicy } from "../cache/result-cache.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { positiveInt } from "../config.ts";
import { cutToTokens, formatTag, SENTIMENT_DEFAULTS, sentimentTagger, type SentimentClassifier, type SentimentEnv, type TextSource } from "../middleware/sentiment.ts";
import { classifyTexts } from "../services/classify.ts";
import { routeGroup } from "./openapi.ts";
import { classifyDeps } from "./outcome.ts";
import { proxyRoutes } from "./proxy-doc.ts";

export function parseTextSource(value: string | undefined): TextSource {
  const spec = value?.trim() ?? "body";
  if (spec === "" || spec === "body") return "body";
  if (spec.startsWith("query:") && spec.length > 6) return { query: spec.slice(6) };
  if (spec.startsWith("pointer:")) return { pointer: spec.slice(8) };
  throw new ApiError(500, "config_error", `PROXY_TEXT must be body, query:<name> or pointer:<json pointer>, not ${JSON.stringify(spec)}`);
}

/** The Worker's own models and result cache, as a sentiment classifier. */
function serviceClassifier(c: Context<AppEnv>): SentimentClassifier {
  const deps = classifyDeps(c);
  const id = () => c.var.registry.resolve(c.env.PROXY_MODEL?.trim() || "sentiment");
  return {
    ready: () => c.var.registry.model(id(), deps.defer),
    async classify(text, { maxTokens }) {
      const tokenizer = await c.var.registry.tokenizer(id(), deps.defer);
      const cut = cutToTokens(text, maxTokens, (prefix) => tokenizer.encode(prefix).ids.length);
      const outcome = await classifyTexts(deps, id(), [cut], cachePolicy(undefined));
      const { label, score } = outcome.items[0]!.result;
      return { label, score };
    },
  };
}

function origin(c: Context<AppEnv>): URL {
  const configured = c.env.PROXY_ORIGIN?.trim();
  if (!configured) throw new ApiError(404, "not_found", "proxy mode is off (PROXY_ORIGIN is not set)");
  try {
    return new URL(configured);
  } catch {
    throw new ApiError(500, "config_error", "PROXY_ORIGIN is not a URL");
  }
}

/** Documented by `proxyRoutes` (one operation per method); bodies are the origin's, not validated. */
export const proxy = routeGroup();
for (const route of proxyRoutes()) proxy.openAPIRegistry.registerPath(route);
proxy.all(
  "/proxy/*",
  async (c, next) => {
    origin(c);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") await c.req.arrayBuffer(); // keep the exact bytes
    await next();
  },
  (c, next) =>
    sentimentTagger({
      classifier: serviceClassifier,
      text: parseTextSource(c.env.PROXY_TEXT),
      maxTokens: positiveInt(c.env.PROXY_MAX_TOKENS, SENTIMENT_DEFAULTS.maxTokens),
      loadWaitMs: positiveInt(c.env.PROXY_LOAD_WAIT_MS, SENTIMENT_DEFAULTS.loadWaitMs),
      header: false,
    })(c as unknown as Context<SentimentEnv>, next),
  async (c) => {
    const base = origin(c);
    const url = new URL(c.req.url);
    const target = new URL(base.pathname.replace(/\/$/, "") + url.pathname.slice("/proxy".length) + url.search, base);
    const headers = new Headers(c.req.raw.headers);
    headers.delete("host");
    headers.set("x-sentiment", formatTag(c.var.sentiment));
    const hasBody = c.req.method !== "GET" && c.req.method !== "HEAD";
    try {
      const upstream = await fetch(target, {
        method: c.req.method,
        headers,
        body: hasBody ? await c.req.arrayBuffer() : null,
        redirect: "manual",
      });
      return new Response(upstream.body, upstream);
    } catch (error) {
      throw new ApiError(502, "upstream_failed", `the origin could not be reached: ${error instanceof Error ? error.message : String(error)}`);
    }
  },
);
