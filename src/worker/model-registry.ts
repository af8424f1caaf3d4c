/**
 * @module worker/model-registry
 * The models this isolate serves, loaded lazily and held for the isolate's life.
 *
 * - The model runtime and the engine (our WASM kernels) are imported on first use, so requests
 *   that never touch a model (health, errors, model listing, tokenizing) never start an engine.
 * - Concurrent first requests share one load; a failed load is forgotten so the next request
 *   retries, and the failure surfaces as 503 `model_unavailable` naming the reason.
 * - A shared load runs on the I/O of the request that started it, and workerd cancels a request's
 *   I/O when the request ends: a load its creator stops waiting for (a route that fails fast, a
 *   client that hangs up) would never settle, and every later request awaiting it would hang. So
 *   every method takes the request's `keepAlive` (`ctx.waitUntil`), and a new load is handed to
 *   it: the creating request stays alive until the load has settled, whatever it answers.
 */
import { ApiError } from "../errors.ts";
import type { Encoding, LoadedModel, Manifest } from "../model/index.ts";
import { tokenizerOptions } from "../model/tokenizer.ts";
import { assetsSource } from "./assets-source.ts";

/** Keeps the calling request alive until a task settles (`ctx.waitUntil`). */
export type KeepAlive = (task: Promise<unknown>) => void;

export interface ModelInfo {
  id: string;
  task: string;
  labels: string[];
  version: string;
  loaded: boolean;
  /** Adaptive depth from the manifest, when the model has it. */
  early_exit?: { patience: number };
  /** A multi-label model's own per-label thresholds, when its manifest has them. */
  thresholds?: Record<string, number>;
}

export interface TextTokenizer {
  /** The model's content version. */
  version: string;
  /** With `offsets: "eager"` the offsets come in the same pass (for callers that always read them). */
  encode(text: string, options?: { offsets?: "lazy" | "eager" }): Encoding;
}

export class ModelRegistry {
  readonly ids: readonly string[];
  readonly defaultId: string;
  readonly #assets: Fetcher;
  readonly #manifests = new Map<string, Promise<Manifest>>();
  readonly #models = new Map<string, Promise<LoadedModel>>();
  readonly #tokenizers = new Map<string, Promise<TextTokenizer>>();
  readonly #ready = new Set<string>();

  constructor(assets: Fetcher, ids: readonly string[], defaultId: string) {
    this.#assets = assets;
    this.ids = ids;
    this.defaultId = defaultId;
  }

  /** The id to use for a request, or a 404 when the model is not served here. */
  resolve(requested: string | undefined): string {
    const id = requested ?? this.defaultId;
    if (!this.ids.includes(id)) {
      throw new ApiError(404, "model_not_found", `unknown model ${JSON.stringify(id)}; available: ${this.ids.join(", ")}`);
    }
    return id;
  }

  isLoaded(id: string): boolean {
    return this.#ready.has(id);
  }

  /** The model's manifest (small; read without loading the model). */
  manifest(id: string, keepAlive?: KeepAlive): Promise<Manifest> {
    return this.#once(this.#manifests, id, keepAlive, async () => {
      const { readManifest } = await import("../model/index.ts");
      return readManifest(assetsSource(this.#assets, id));
    });
  }

  async describe(id: string, keepAlive?: KeepAlive): Promise<ModelInfo> {
    const manifest = await this.manifest(id, keepAlive);
    return {
      id: manifest.id,
      task: manifest.task,
      labels: [...manifest.labels],
      version: manifest.version,
      loaded: this.isLoaded(id),
      ...(manifest.early_exit === undefined ? {} : { early_exit: { ...manifest.early_exit } }),
      ...(manifest.thresholds === undefined ? {} : { thresholds: { ...manifest.thresholds } }),
    };
  }

  /**
   * The model's tokenizer with its settings and max length. Reads only the manifest and the
   * tokenizer shard (verified), so tokenizing never starts an engine; reuses a loaded model's tokenizer.
   */
  async tokenizer(id: string, keepAlive?: KeepAlive): Promise<TextTokenizer> {
    const loaded = this.#ready.has(id) ? await this.#models.get(id) : undefined;
    if (loaded !== undefined) return { version: loaded.manifest.version, encode: (text, options) => loaded.tokenizer.encode(text, { maxLength: loaded.maxLength, ...options }) };
    return this.#once(this.#tokenizers, id, keepAlive, async () => {
      const [{ readShard }, { AlbertTokenizer }, manifest] = await Promise.all([
        import("../model/shard-source.ts"),
        import("../tokenizer/index.ts"),
        this.manifest(id, keepAlive),
      ]);
      const spiece = await readShard(assetsSource(this.#assets, id), manifest, "tokenizer");
      const settings = manifest.tokenizer;
      const tokenizer = AlbertTokenizer.fromModel(spiece, tokenizerOptions(settings));
      return { version: manifest.version, encode: (text, options) => tokenizer.encode(text, { maxLength: settings.max_length, ...options }) };
    });
  }

  /** The loaded model: shards fetched, verified against the manifest, weights in the engine. */
  model(id: string, keepAlive?: KeepAlive): Promise<LoadedModel> {
    return this.#once(this.#models, id, keepAlive, async () => {
      const [{ loadModel }, { workerEngine }, manifest] = await Promise.all([import("../model/index.ts"), import("./engine.ts"), this.manifest(id, keepAlive)]);
      const model = await loadModel(assetsSource(this.#assets, id), { engine: workerEngine, manifest });
      this.#ready.add(id);
      return model;
    });
  }

  /**
   * One shared load per id. The load starts in the calling request and is handed to its
   * `keepAlive`, so that request's I/O lives until the load settles; a failure clears the entry.
   */
  #once<T>(cache: Map<string, Promise<T>>, id: string, keepAlive: KeepAlive | undefined, load: () => Promise<T>): Promise<T> {
    let pending = cache.get(id);
    if (pending === undefined) {
      pending = load().catch((error: unknown) => {
        cache.delete(id);
        throw new ApiError(503, "model_unavailable", `model ${id} could not be loaded: ${describe(error)}`, {
          "retry-after": "1",
        });
      });
      cache.set(id, pending);
      keepAlive?.(pending.catch(() => undefined));
    }
    return pending;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
