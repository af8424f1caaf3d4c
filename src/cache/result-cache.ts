/**
 * @module cache/result-cache
 * Results for repeat inputs: an in-isolate LRU in front of Workers KV.
 *
 * Lookups go memory → KV; a KV hit is copied into memory. Writes go to memory at once and to KV
 * through a deferred task (the caller passes `ctx.waitUntil`). A KV failure is logged and treated
 * as a miss (reads) or dropped (writes): the cache never fails a request. So is a stored value
 * that is not valid JSON or fails the caller's shape check: it counts as a miss, is never copied
 * into memory, and the fresh result the caller then computes overwrites it.
 */
import { LruCache, type LruLimits } from "./lru.ts";

export type CacheSource = "hit-memory" | "hit-kv" | "miss";

export interface CacheOptions extends LruLimits {
  /** KV expiration in seconds (KV refuses less than 60). */
  ttlSeconds: number;
}

export interface CachePolicy {
  /** Look entries up (false for `cache-control: no-cache` or `no-store`). */
  read: boolean;
  /** Store fresh results (false for `cache-control: no-store`). */
  write: boolean;
}

export const KV_MIN_TTL_SECONDS = 60;

/** The part of Workers KV the cache uses (a `KvStore` is one). */
export interface KvStore {
  get(key: string, type: "text"): Promise<string | null>;
  put(key: string, value: string, options: { expirationTtl: number }): Promise<void>;
}

export class ResultCache<V> {
  readonly memory: LruCache<string>;
  readonly ttlSeconds: number;
  readonly #kv: KvStore | undefined;

  constructor(kv: KvStore | undefined, options: CacheOptions) {
    this.#kv = kv;
    this.memory = new LruCache<string>(options);
    this.ttlSeconds = Math.max(KV_MIN_TTL_SECONDS, Math.floor(options.ttlSeconds));
  }

  /** Looks every key up; one entry per key, in order. Values failing `accept` are misses. */
  async getMany(keys: readonly string[], accept: (value: unknown) => value is V): Promise<{ value: V | undefined; source: CacheSource }[]> {
    return Promise.all(keys.map((key) => this.#get(key, accept)));
  }

  /** Stores fresh entries: memory now, KV via `defer` (e.g. `ctx.waitUntil`). */
  putMany(entries: readonly { key: string; value: V }[], defer: (task: Promise<unknown>) => void): void {
    if (entries.length === 0) return;
    const serialized = entries.map(({ key, value }) => ({ key, json: JSON.stringify(value) }));
    for (const { key, json } of serialized) this.memory.set(key, json, json.length * 2 + key.length * 2);
    const kv = this.#kv;
    if (kv === undefined) return;
    defer(
      Promise.all(
        serialized.map(({ key, json }) =>
          kv.put(key, json, { expirationTtl: this.ttlSeconds }).catch((error: unknown) => {
            console.warn(`result cache: KV write failed for ${key}: ${String(error)}`);
          }),
        ),
      ),
    );
  }

  async #get(key: string, accept: (value: unknown) => value is V): Promise<{ value: V | undefined; source: CacheSource }> {
    const cached = this.memory.get(key);
    if (cached !== undefined) {
      const value = parse(cached, accept);
      if (value !== undefined) return { value, source: "hit-memory" };
      this.memory.delete(key);
    }
    if (this.#kv === undefined) return { value: undefined, source: "miss" };
    let json: string | null;
    try {
      json = await this.#kv.get(key, "text");
    } catch (error) {
      console.warn(`result cache: KV read failed for ${key}: ${String(error)}`);
      return { value: undefined, source: "miss" };
    }
    if (json === null) return { value: undefined, source: "miss" };
    const value = parse(json, accept);
    if (value === undefined) {
      console.warn(`result cache: ignoring a malformed KV value for ${key}`);
      return { value: undefined, source: "miss" };
    }
    this.memory.set(key, json, json.length * 2 + key.length * 2);
    return { value, source: "hit-kv" };
  }
}

/** The stored value if it is JSON that `accept` takes, else undefined. */
function parse<V>(json: string, accept: (value: unknown) => value is V): V | undefined {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return undefined;
  }
  return accept(value) ? value : undefined;
}

/** Reads `cache-control` request directives: `no-cache` skips lookups, `no-store` also writes. */
export function cachePolicy(cacheControl: string | undefined): CachePolicy {
  const directives = new Set((cacheControl ?? "").toLowerCase().split(",").map((d) => d.trim()));
  if (directives.has("no-store")) return { read: false, write: false };
  if (directives.has("no-cache")) return { read: false, write: true };
  return { read: true, write: true };
}

/** The request-level `x-cache` value for a set of per-item sources. */
export function overallSource(sources: readonly CacheSource[]): CacheSource {
  if (sources.includes("miss")) return "miss";
  if (sources.includes("hit-kv")) return "hit-kv";
  return "hit-memory";
}
