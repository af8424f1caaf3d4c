/**
 * The sentiment middleware mounted in a separate small Hono app inside workerd, on the real
 * sentiment shards: tags from a JSON pointer, a query parameter or the raw body; the handler still
 * reads the body; only the first `maxTokens` tokens are classified; only the model load is waited
 * for (`loadWaitMs`), never the classification; model failure, a load still under way and missing
 * text tag `unknown` and the request is still served. Then the Worker's proxy mode: `x-sentiment`
 * added to the upstream request.
 */
import { env } from "cloudflare:test";
import { Hono } from "hono";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../src/app.ts";
import { cutToTokens, registryClassifier, sentimentTagger, type SentimentEnv, type SentimentOptions } from "../../src/middleware/sentiment.ts";
import { ModelRegistry } from "../../src/worker/model-registry.ts";

type ClientEnv = { Bindings: { ASSETS: Fetcher } } & SentimentEnv;

/** Somebody else's app: echoes the tag and the body it still can read. */
function clientApp(options: Partial<SentimentOptions> & Pick<SentimentOptions, "text">) {
  const app = new Hono<ClientEnv>();
  app.use("/comments", sentimentTagger({ classifier: (c) => registryClassifier(c.env.ASSETS, "sentiment", c), loadWaitMs: 60_000, ...options }));
  app.post("/comments", async (c) => c.json({ tag: c.var.sentiment, echoed: await c.req.text() }, 201));
  return app;
}

interface Echo {
  tag: { label: string; score: number | null; reason?: string };
  echoed: string;
}

/** What the Worker's own /v1/classify says about a text. */
async function expected(text: string): Promise<{ label: string; score: number }> {
  const response = await createApp().request("/v1/classify", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ input: text }) }, env);
  return ((await response.json()) as { results: { label: string; score: number }[] }).results[0]!;
}
const expectedLabel = async (text: string) => (await expected(text)).label;

const brokenAssets = { fetch: async () => new Response("gone", { status: 404 }), connect: () => { throw new Error("no"); } } as unknown as Fetcher;

describe("sentimentTagger in another Hono app", () => {
  it("tags from a JSON pointer, sets the header, and leaves the body readable", async () => {
    const text = "an absolutely wonderful , heartfelt film";
    const body = JSON.stringify({ comment: { body: text }, id: 7 });
    const response = await clientApp({ text: { pointer: "/comment/body" } }).request("/comments", { method: "POST", body, headers: { "content-type": "application/json" } }, env);
    expect(response.status).toBe(201);
    const echo = (await response.json()) as Echo;
    expect(echo.echoed).toBe(body);
    const verdict = await expected(text);
    expect(echo.tag.label).toBe(verdict.label);
    expect(echo.tag.score).toBeCloseTo(verdict.score, 6);
    expect(response.headers.get("x-sentiment")).toBe(`${echo.tag.label};score=${echo.tag.score!.toFixed(4)}`);
  });

  it("tags from a query parameter and from the raw body", async () => {
    const fromQuery = await clientApp({ text: { query: "q" } }).request("/comments?q=dull%20and%20lifeless", { method: "POST", body: "ignored" }, env);
    expect(((await fromQuery.json()) as Echo).tag.label).toBe(await expectedLabel("dull and lifeless"));
    const fromBody = await clientApp({ text: "body" }).request("/comments", { method: "POST", body: "a joyous , funny ride" }, env);
    const echo = (await fromBody.json()) as Echo;
    expect(echo.tag.label).toBe(await expectedLabel("a joyous , funny ride"));
    expect(echo.echoed).toBe("a joyous , funny ride");
  });

  it("still serves the request, tagged unknown, when the model fails", async () => {
    const response = await clientApp({ text: "body" }).request("/comments", { method: "POST", body: "anything" }, { ASSETS: brokenAssets });
    expect(response.status).toBe(201);
    expect(((await response.json()) as Echo).tag).toEqual({ label: "unknown", score: null, reason: "error" });
    expect(response.headers.get("x-sentiment")).toBe("unknown");
  });

  it("classifies only the text's first maxTokens tokens", async () => {
    const text = `a wonderful , moving , beautiful film . ${"an awful , boring , terrible waste of time . ".repeat(40)}`;
    const tokenizer = await new ModelRegistry(env.ASSETS, ["sentiment"], "sentiment").tokenizer("sentiment");
    const prefix = cutToTokens(text, 12, (p) => tokenizer.encode(p).ids.length);
    expect(tokenizer.encode(prefix).ids.length).toBeLessThanOrEqual(12);
    expect(prefix.length).toBeGreaterThan(20);
    const [whole, head] = [await expected(text), await expected(prefix)];
    expect(head.label).not.toBe(whole.label); // the test tells the two apart
    const response = await clientApp({ text: "body", maxTokens: 12 }).request("/comments", { method: "POST", body: text }, env);
    const tag = ((await response.json()) as Echo).tag;
    expect(tag.label).toBe(head.label);
    expect(tag.score).toBeCloseTo(head.score, 6);
  });

  it("waits only for the model load: unknown (loading) past loadWaitMs, tagged once the load is done", async () => {
    // A cold registry of its own (a new ASSETS object) whose shard reads wait 150 ms each, as on a
    // cold edge cache, and 50 ms of patience.
    const slowAssets = {
      async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return env.ASSETS.fetch(new Request(input as RequestInfo, init));
      },
      connect: env.ASSETS.connect,
    };
    const assets = slowAssets as unknown as Fetcher;
    const impatient = clientApp({ text: "body", loadWaitMs: 50 });
    const body = "a joyous , funny ride";
    const first = await impatient.request("/comments", { method: "POST", body }, { ASSETS: assets });
    expect(first.status).toBe(201);
    expect(((await first.json()) as Echo).tag).toEqual({ label: "unknown", score: null, reason: "loading" });
    let tag: Echo["tag"] = { label: "unknown", score: null };
    for (let i = 0; i < 100 && tag.label === "unknown"; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      tag = ((await (await impatient.request("/comments", { method: "POST", body }, { ASSETS: assets })).json()) as Echo).tag;
    }
    expect(tag.label).toBe(await expectedLabel(body)); // the load went on without the first request
  });

  it("never times a classification out: a ready classifier is always waited for", async () => {
    const slowButReady = { classify: () => new Promise<{ label: string; score: number }>((resolve) => setTimeout(() => resolve({ label: "positive", score: 0.9 }), 300)) };
    const slow = await clientApp({ text: "body", classifier: slowButReady, loadWaitMs: 50 }).request("/comments", { method: "POST", body: "hello" }, env);
    expect(slow.status).toBe(201);
    expect(((await slow.json()) as Echo).tag).toEqual({ label: "positive", score: 0.9 });
  });

  it("tags unknown when there is no text", async () => {
    const empty = await clientApp({ text: { pointer: "/missing" } }).request("/comments", { method: "POST", body: '{"other": 1}' }, env);
    expect(((await empty.json()) as Echo).tag).toEqual({ label: "unknown", score: null, reason: "no_text" });
    const notJson = await clientApp({ text: { pointer: "/a" } }).request("/comments", { method: "POST", body: "{oops" }, env);
    expect(notJson.status).toBe(201);
    expect(((await notJson.json()) as Echo).tag.label).toBe("unknown");
  });
});

describe("proxy mode", () => {
  const upstream = vi.spyOn(globalThis, "fetch");
  afterEach(() => upstream.mockReset());
  const app = createApp();
  const proxied = { ...env, PROXY_ORIGIN: "https://origin.example/api", PROXY_TEXT: "pointer:/message", PROXY_LOAD_WAIT_MS: "60000", PROXY_MAX_TOKENS: "64" };

  it("forwards to the origin with x-sentiment on the upstream request", async () => {
    upstream.mockResolvedValue(new Response('{"saved":true}', { status: 201, headers: { "content-type": "application/json", "x-origin": "yes" } }));
    const body = JSON.stringify({ message: "this is the best day of my life , thank you" });
    const response = await app.request("/proxy/messages/new?draft=1", { method: "POST", headers: { "content-type": "application/json", "x-client": "c1" }, body }, proxied);
    expect(response.status).toBe(201);
    expect(response.headers.get("x-origin")).toBe("yes");
    expect(await response.json()).toEqual({ saved: true });
    const [target, init] = upstream.mock.calls[0]! as [URL, RequestInit];
    expect(String(target)).toBe("https://origin.example/api/messages/new?draft=1");
    expect(init.method).toBe("POST");
    expect(new TextDecoder().decode(init.body as ArrayBuffer)).toBe(body);
    const headers = new Headers(init.headers);
    expect(headers.get("x-client")).toBe("c1");
    const label = await expectedLabel("this is the best day of my life , thank you");
    expect(headers.get("x-sentiment")).toMatch(new RegExp(`^${label};score=0\\.\\d{4}$`));
  });

  it("answers 502 when the origin is unreachable and 404 when proxy mode is off", async () => {
    upstream.mockRejectedValueOnce(new Error("connect ECONNREFUSED"));
    const down = await app.request("/proxy/x", { method: "POST", body: '{"message":"hi"}' }, proxied);
    expect(down.status).toBe(502);
    expect(((await down.json()) as { error: { code: string } }).error.code).toBe("upstream_failed");
    const off = await app.request("/proxy/x", {}, env);
    expect(off.status).toBe(404);
    expect(upstream).toHaveBeenCalledTimes(1);
  });
});
