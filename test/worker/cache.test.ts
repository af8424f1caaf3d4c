/**
 * The result cache in workerd on the real model: miss → hit-memory → hit-kv (fresh isolate state,
 * model never loaded), cache-control bypass, KV failure, LRU eviction, batches with mixed hits.
 * KV storage is shared by the tests of this file, so each test uses its own texts.
 */
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { cacheKey } from "../../src/cache/key.ts";
import type { Bindings } from "../../src/env.ts";

interface Answer {
  status: number;
  cache: string | null;
  body: { model: string; results: { label: string; score: number; cache?: string }[] };
}

async function classify(app: ReturnType<typeof createApp>, input: string | string[], bindings: Bindings = env, headers: Record<string, string> = {}): Promise<Answer> {
  const ctx = createExecutionContext();
  const response = await app.fetch(
    new Request("http://worker/v1/classify", { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ input }) }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx); // deferred KV writes are done
  return { status: response.status, cache: response.headers.get("x-cache"), body: (await response.json()) as Answer["body"] };
}

async function kvKey(input: string): Promise<string> {
  const manifest = (await (await env.ASSETS.fetch(new Request("http://assets/sentiment/manifest.json"))).json()) as { id: string; version: string };
  return cacheKey({ model: manifest.id, version: manifest.version, task: "classify", input });
}

/** A KV namespace whose every call fails, as during a KV outage. */
const brokenKv = {
  get: () => Promise.reject(new Error("KV unavailable")),
  put: () => Promise.reject(new Error("KV unavailable")),
} as unknown as KVNamespace;

describe("result cache", () => {
  it("misses, then hits memory, then hits KV from a fresh isolate without loading the model", async () => {
    const text = "an utterly charming and funny film .";
    const app = createApp();
    const first = await classify(app, text);
    expect(first.status).toBe(200);
    expect(first.cache).toBe("miss");
    expect(await env.CACHE!.get(await kvKey(text))).not.toBeNull();

    const second = await classify(app, text);
    expect(second.cache).toBe("hit-memory");
    expect(second.body).toEqual(first.body);

    const fresh = createApp();
    const third = await classify(fresh, `  ${text.replace(" and ", "   and\t")}`);
    expect(third.cache).toBe("hit-kv");
    expect(third.body).toEqual(first.body);
    const models = (await (await fresh.request("/v1/models", {}, env)).json()) as { data: { loaded: boolean }[] };
    expect(models.data[0]!.loaded).toBe(false);
  });

  it("cache-control: no-cache skips the lookup but stores; no-store skips both", async () => {
    const app = createApp();
    const cached = "a film of quiet , lasting beauty .";
    await classify(app, cached);
    const bypassed = await classify(app, cached, env, { "cache-control": "no-cache" });
    expect(bypassed.cache).toBe("miss");
    expect((await classify(app, cached)).cache).toBe("hit-memory");

    const secret = "do not keep this one , it was awful .";
    const unstored = await classify(app, secret, env, { "cache-control": "no-store" });
    expect(unstored.cache).toBe("miss");
    expect(await env.CACHE!.get(await kvKey(secret))).toBeNull();
    expect((await classify(app, secret)).cache).toBe("miss");
  });

  it("serves the request when KV fails, and still caches in memory", async () => {
    const app = createApp();
    const bindings = { ...env, CACHE: brokenKv };
    const first = await classify(app, "kv is down but this review is great .", bindings);
    expect(first.status).toBe(200);
    expect(first.cache).toBe("miss");
    expect(first.body.results[0]!.label).toMatch(/^(negative|positive)$/);
    const second = await classify(app, "kv is down but this review is great .", bindings);
    expect(second.status).toBe(200);
    expect(second.cache).toBe("hit-memory");
  });

  it("evicts the least recently used entry past CACHE_MAX_ENTRIES", async () => {
    const app = createApp();
    const bindings: Bindings = { ...env, CACHE: undefined, CACHE_MAX_ENTRIES: "2" };
    for (const text of ["lru one .", "lru two .", "lru three ."]) expect((await classify(app, text, bindings)).cache).toBe("miss");
    expect((await classify(app, "lru three .", bindings)).cache).toBe("hit-memory");
    expect((await classify(app, "lru one .", bindings)).cache).toBe("miss");
  });

  it("reports per-item sources for a batch with mixed hits", async () => {
    const app = createApp();
    const single = await classify(app, "batch item cached first .");
    const batch = await classify(app, ["batch item cached first .", "batch item never seen .", "batch item cached first ."]);
    expect(batch.status).toBe(200);
    expect(batch.cache).toBe("miss");
    expect(batch.body.results.map((r) => r.cache)).toEqual(["hit-memory", "miss", "hit-memory"]);
    expect(batch.body.results[0]!.score).toBe(single.body.results[0]!.score);
    const again = await classify(app, ["batch item cached first .", "batch item never seen ."]);
    expect(again.cache).toBe("hit-memory");
    expect(again.body.results.map((r) => r.cache)).toEqual(["hit-memory", "hit-memory"]);
  });

  it("treats a malformed KV value as a miss, never copies it into memory, and overwrites it", async () => {
    const bad = ["not json {", '{"label": 5}', "[]", "null", '{"label":"positive","score":2,"scores":{},"tokens":3,"truncated":false}'];
    const reference = await classify(createApp(), "a reference text for the malformed-entry test .");
    expect(reference.status).toBe(200);
    for (const [i, value] of bad.entries()) {
      const text = `a text whose cached entry was damaged , case ${i} .`;
      const key = await kvKey(text);
      await env.CACHE!.put(key, value);
      const app = createApp();
      const first = await classify(app, text);
      expect(first.status, value).toBe(200);
      expect(first.cache, value).toBe("miss");
      const [result] = first.body.results;
      expect(result!.label).toMatch(/^(negative|positive)$/);
      expect(result!.score).toBeGreaterThanOrEqual(0.5);
      const stored = JSON.parse((await env.CACHE!.get(key))!) as { label: string; score: number };
      expect(stored).toMatchObject({ label: result!.label, score: result!.score }); // overwritten
      expect((await classify(app, text)).body).toEqual(first.body); // memory holds the fresh result
    }
  });

  it("never copies a malformed KV value into memory, even when the overwrite fails", async () => {
    const text = "the kv entry is damaged and kv writes fail .";
    const key = await kvKey(text);
    const damaged = { get: async (k: string) => (k === key ? '{"label":' : null), put: () => Promise.reject(new Error("KV unavailable")) } as unknown as KVNamespace;
    const app = createApp();
    const bindings = { ...env, CACHE: damaged };
    const first = await classify(app, text, bindings);
    expect([first.status, first.cache]).toEqual([200, "miss"]);
    const second = await classify(app, text, bindings);
    expect([second.status, second.cache]).toEqual([200, "hit-memory"]);
    expect(second.body).toEqual(first.body);
  });
});
