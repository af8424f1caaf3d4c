/**
 * @module cache/lru
 * An in-isolate LRU bounded by entry count and by bytes (the caller states each value's size).
 * Map insertion order is the recency order: a hit re-inserts, eviction takes the oldest.
 */
export interface LruLimits {
  maxEntries: number;
  maxBytes: number;
}

export class LruCache<V> {
  readonly limits: LruLimits;
  #entries = new Map<string, { value: V; bytes: number }>();
  #bytes = 0;

  constructor(limits: LruLimits) {
    this.limits = limits;
  }

  get size(): number {
    return this.#entries.size;
  }

  get bytes(): number {
    return this.#bytes;
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  /** Stores a value; one larger than the byte limit is not stored at all. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.limits.maxBytes || this.limits.maxEntries < 1) return;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.limits.maxEntries || this.#bytes > this.limits.maxBytes) {
      const oldest = this.#entries.keys().next().value as string;
      this.delete(oldest);
    }
  }

  delete(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    this.#entries.delete(key);
    this.#bytes -= entry.bytes;
  }
}
