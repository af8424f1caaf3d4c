import { describe, expect, it } from "vitest";
import { LruCache } from "../../../src/cache/lru.ts";
import { cachePolicy, overallSource } from "../../../src/cache/result-cache.ts";
import { cacheKey } from "../../../src/cache/key.ts";

describe("LruCache", () => {
  it("evicts the least recently used entry past the entry limit", () => {
    const lru = new LruCache<string>({ maxEntries: 2, maxBytes: 1000 });
    lru.set("a", "A", 1);
    lru.set("b", "B", 1);
    expect(lru.get("a")).toBe("A"); // a is now most recent
    lru.set("c", "C", 1);
    expect(lru.get("b")).toBeUndefined();
    expect(lru.get("a")).toBe("A");
    expect(lru.get("c")).toBe("C");
    expect(lru.size).toBe(2);
  });

  it("evicts by bytes and never stores a value over the byte limit", () => {
    const lru = new LruCache<string>({ maxEntries: 100, maxBytes: 10 });
    lru.set("a", "A", 4);
    lru.set("b", "B", 4);
    lru.set("c", "C", 4);
    expect(lru.get("a")).toBeUndefined();
    expect(lru.bytes).toBe(8);
    lru.set("huge", "H", 11);
    expect(lru.get("huge")).toBeUndefined();
    expect(lru.bytes).toBe(8);
  });

  it("replaces an entry without double-counting its bytes", () => {
    const lru = new LruCache<string>({ maxEntries: 10, maxBytes: 10 });
    lru.set("a", "1", 6);
    lru.set("a", "2", 6);
    expect(lru.bytes).toBe(6);
    expect(lru.get("a")).toBe("2");
  });
});

describe("cache policy and keys", () => {
  it("reads cache-control directives", () => {
    expect(cachePolicy(undefined)).toEqual({ read: true, write: true });
    expect(cachePolicy("no-cache")).toEqual({ read: false, write: true });
    expect(cachePolicy("max-age=0, No-Store")).toEqual({ read: false, write: false });
  });

  it("summarises per-item sources", () => {
    expect(overallSource(["hit-memory", "hit-memory"])).toBe("hit-memory");
    expect(overallSource(["hit-memory", "hit-kv"])).toBe("hit-kv");
    expect(overallSource(["hit-kv", "miss"])).toBe("miss");
  });

  it("keys on model, version, task and whitespace-normalized input only", async () => {
    const base = { model: "m", version: "v1", task: "classify", input: "a  good\tfilm " };
    const key = await cacheKey(base);
    expect(key).toMatch(/^r1:[0-9a-f]{64}$/);
    expect(await cacheKey({ ...base, input: " a good film" })).toBe(key);
    expect(await cacheKey({ ...base, input: "A good film" })).not.toBe(key);
    expect(await cacheKey({ ...base, version: "v2" })).not.toBe(key);
    expect(await cacheKey({ ...base, task: "moderate" })).not.toBe(key);
    expect(await cacheKey({ ...base, model: "n" })).not.toBe(key);
  });
});
