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
import type { ProxyConfig } from "../config.ts";
import { cutToTokens, formatTag, sentimentTagger, type SentimentClassifier, type SentimentEnv } from "../middleware/sentiment.ts";
import { classifyTexts } from "../services/classify.ts";
import { routeGroup } from "./openapi.ts";
import { classifyDeps } from "./outcome.ts";

/** The Worker's own models and result cache, as a sentiment classifier. */
function serviceClassifier(c: Context<AppEnv>): SentimentClassifier {
  const deps = classifyDeps(c);
  const id = () => c.var.registry.resolve(proxyConfig(c).model);
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

/** The proxy's settings (parsed once, src/config.ts); 404 while proxy mode is off. */
function proxyConfig(c: Context<AppEnv>): ProxyConfig {
  const proxy = c.var.config.proxy;
  if (proxy === undefined) throw new ApiError(404, "not_found", "proxy mode is off (PROXY_ORIGIN is not set)");
  return proxy;
}

/** Documented by `proxyPathItem` (one operation per method); bodies are the origin's, not validated. */
export const proxy = routeGroup();
proxy.all(
  "/proxy/*",
  async (c, next) => {
    proxyConfig(c);
    if (c.req.method !== "GET" && c.req.method !== "HEAD") await c.req.arrayBuffer(); // keep the exact bytes
    await next();
  },
  (c, next) => {
    const { text, maxTokens, loadWaitMs } = proxyConfig(c);
    return sentimentTagger({ classifier: serviceClassifier, text, maxTokens, loadWaitMs, header: false })(c as unknown as Context<SentimentEnv>, next);
  },
  async (c) => {
    const base = proxyConfig(c).origin;
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
